"""``--log-level``: the probe's log on stderr, never with an address in a line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cli.test_run import run_probe
from probe.cli.logs import MASK, masked, start_logging


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
