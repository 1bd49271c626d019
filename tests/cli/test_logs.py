"""``--log-level``, ``-v``, ``--log-file``: the probe's log, never with an address in a line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cli.test_run import run_probe
from probe.cli.logs import MASK, chosen_level, masked, start_logging


@pytest.mark.parametrize(
    "address", ["192.0.2.5", "2001:db8::5", "2001:0db8:0:0:0:0:0:1", "fe80::1", "::ffff:10.0.0.1"]
)
def test_every_address_form_is_masked(address: str) -> None:
    line = masked(f"connect to {address} failed")
    assert address not in line and MASK in line
    assert not any(part in line for part in ("192.0", "db8", "10.0"))


def test_times_and_versions_are_left_alone() -> None:
    text = "12:34:56,789 probe 1.2.3 took 0:00:05"
    assert masked(text) == text


def test_a_logged_traceback_is_masked_too(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("probe")
    kept = (list(logger.handlers), logger.level)
    start_logging("debug")
    try:
        raise OSError("no route to 203.0.113.9")
    except OSError:
        logging.getLogger("probe.test").debug("step failed", exc_info=True)
    finally:
        logger.handlers, logger.level = kept
    err = capsys.readouterr().err
    assert "step failed" in err and "Traceback" in err
    assert "203.0.113.9" not in err and MASK in err


def test_an_unknown_level_is_a_usage_error(tmp_path: Path) -> None:
    result = run_probe(["run", "--log-level", "loud", "-u", "http://example.test/"], {}, tmp_path)
    assert result.returncode == 2
    assert "--log-level 'loud'" in result.stderr


@pytest.mark.parametrize(
    ("level", "verbose", "expected"),
    [
        ("warning", 0, logging.WARNING),
        ("warning", 1, logging.INFO),
        ("warning", 2, logging.DEBUG),
        ("error", 3, logging.DEBUG),
        ("debug", 1, logging.DEBUG),  # -v never makes the log quieter than --log-level asked
    ],
)
def test_v_raises_the_level(level: str, verbose: int, expected: int) -> None:
    assert chosen_level(level, verbose) == expected


def test_log_file_gets_the_masked_lines_and_stderr_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("probe")
    kept = (list(logger.handlers), logger.level)
    log = tmp_path / "probe.log"
    log.write_text("earlier line\n", "utf-8")
    start_logging("warning", 1, log)
    try:
        logging.getLogger("probe.test").info("connect to 198.51.100.7 failed")
        logging.getLogger("probe.test").debug("not at -v")
    finally:
        for handler in logger.handlers:
            handler.close()
        logger.handlers, logger.level = kept
    text = log.read_text("utf-8")
    assert text.startswith("earlier line\n")  # appended, never truncated
    assert f"connect to {MASK} failed" in text and "198.51.100.7" not in text
    assert "not at -v" not in text
    assert capsys.readouterr().err == ""


def test_a_log_file_that_cannot_be_opened_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "probe.log"
    result = run_probe(
        ["run", "--log-file", str(target), "-u", "http://example.test/"],
        {"COLUMNS": "500"},
        tmp_path,
    )
    assert result.returncode == 2
    assert f"--log-file {target}" in result.stderr
    assert not target.parent.exists() and not list(tmp_path.glob("*.jsonl"))


def test_vv_logs_each_target_to_the_file_in_a_real_run(tmp_path: Path) -> None:
    """Loopback only: the resolver is the discard port, so the name fails and nothing leaves."""
    log = tmp_path / "probe.log"
    out = tmp_path / "out.jsonl"
    args = ["run", "-vv", "--log-file", str(log), "-u", "http://127.0.0.1:9/", "-o", str(out)]
    env = {"PROBE_RESOLVER": "127.0.0.1:9", "PROBE_BOGON_EXEMPT": "127.0.0.0/8"}
    result = run_probe([*args, "--no-system-dns", "--timeout-tcp", "1"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    text = log.read_text("utf-8")
    assert "DEBUG probe.runner: web_connectivity http://[address]:9/: started" in text
    assert "INFO probe.runner: web_connectivity http://[address]:9/: measured in" in text
    assert "127.0.0.1" not in text and "probe.runner" not in result.stderr
