"""Garbage in every file option: ``FILE[:LINE]: reason`` and exit 2 at start, nothing created.

Each option is given each kind of garbage through the real CLI. The check runs before consent and
before any output file exists, so the config folder (where consent is remembered), the results
file and the collector's store must all still be absent afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from typer.testing import CliRunner

from probe.cli.app import app

GARBAGE: dict[str, bytes] = {
    "binary": bytes(range(256)) * 16,
    "empty": b"",
    "prose": b"hello world\nthis is not the file you want\n",
    "bad-utf8": b'name = "caf\xe9"\nport = 1\n',
    "pem-lookalike": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "toml-lookalike": b'[[authority]]\nname = "x"\n[telegram]\ncheck = 5\n',
}
KINDS = [*GARBAGE, "folder", "missing", "unreadable"]
RUN = ["--url", "http://127.0.0.1:9/", "--no-geoip", "--yes", "--timeout-tcp", "0.2"]


def _run(flag: str) -> Callable[[Path, Path], list[str]]:
    return lambda bad, tmp: ["run", flag, str(bad), "-o", str(tmp / "out.jsonl"), *RUN]


def _serve(command: str, *, key_only: bool = False) -> Callable[[Path, Path], list[str]]:
    def build(bad: Path, tmp: Path) -> list[str]:
        store = ["--store", f"duckdb:{tmp / 'store.duckdb'}"] if command == "collector" else []
        cert = tmp / "good-cert.pem" if key_only else bad
        listen = ["--listen", "127.0.0.1:0"]
        return [command, "serve", *listen, *store, "--tls-cert", str(cert), "--tls-key", str(bad)]

    return build


OPTIONS: dict[str, Callable[[Path, Path], list[str]]] = {
    "run --ca-bundle": _run("--ca-bundle"),
    "run --tor-authorities": _run("--tor-authorities"),
    "run --app-endpoints": _run("--app-endpoints"),
    "run --interception-roots": _run("--interception-roots"),
    "run --bridges": _run("--bridges"),
    "run --list": _run("--list"),
    "helper serve --tls-cert": _serve("helper"),
    "helper serve --tls-key": _serve("helper", key_only=True),
    "helper serve --ca-bundle": lambda bad, tmp: [
        *("helper", "serve", "--listen", "127.0.0.1:0", "--ca-bundle", str(bad))
    ],
    "collector serve --tls-cert": _serve("collector"),
    "collector serve --tls-key": _serve("collector", key_only=True),
    "upload --ca-bundle": lambda bad, tmp: [
        *("upload", "--pending", "--collector", "http://127.0.0.1:9/", "--ca-bundle", str(bad)),
        *("--queue-dir", str(tmp / "queue")),
    ],
}
CREATED = ("out.jsonl", "config", "results", "store.duckdb", "store.duckdb.parquet", "queue")
_NOT_SHOWN = re.compile(r"[\s│╭╮╰╯─]")


def _garbage(kind: str, tmp: Path) -> Path:
    bad = tmp / f"bad-{kind}.dat"
    if kind == "folder":
        bad.mkdir()
    elif kind in GARBAGE:
        bad.write_bytes(GARBAGE[kind])
    elif kind == "unreadable":
        bad.write_bytes(GARBAGE["prose"])
        bad.chmod(0)
    return bad


def _invoke(args: list[str], tmp: Path, *, unreadable: bool) -> tuple[int, str]:
    env = {
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "PROBE_RESOLVER": "127.0.0.1:9",
        "PROBE_SYSTEM_DNS": "0",
        "COLUMNS": "400",
    }
    if not unreadable:
        result = CliRunner().invoke(app, args, env=env)
        assert not result.exception or isinstance(result.exception, SystemExit), result.output
        return result.exit_code, result.output
    # Root reads any file: drop the capabilities that let it, in the child only.
    prefix = []
    if os.geteuid() == 0:
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", "--inh-caps", drop, "--bounding-set", drop]
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "probe", *args],
        env={**os.environ, **env},
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", OPTIONS)
def test_garbage_in_a_file_option_is_refused_at_start(
    option: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "unreadable" and os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root reads every file, and setpriv (util-linux) is missing to drop that")
    monkeypatch.chdir(tmp_path)  # a default results/ folder would appear here
    leaf = trustme.CA().issue_cert("helper.test")
    leaf.cert_chain_pems[0].write_to_path(str(tmp_path / "good-cert.pem"))
    bad = _garbage(kind, tmp_path)
    args = OPTIONS[option](bad, tmp_path)
    code, output = _invoke(args, tmp_path, unreadable=kind == "unreadable")
    assert code == 2, output
    assert "Traceback" not in output
    shown = _NOT_SHOWN.sub("", output)
    assert str(bad) in shown, output
    assert re.search(rf"{re.escape(str(bad))}(:\d+)?:|'{re.escape(str(bad))}'", shown), output
    assert "consent" not in output.lower()
    assert [name for name in CREATED if (tmp_path / name).exists()] == []
