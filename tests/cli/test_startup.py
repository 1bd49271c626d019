"""What ``probe run`` and ``probe --help`` import: nothing they do not use (docs/performance.md,
"Start-up"). Each check runs the command in a fresh interpreter and lists its modules at exit;
the measured run targets a closed port on 127.0.0.1, with every control off (tests/conftest.py).
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from probe.cli.app import _Commands, app

NEVER = ("matplotlib", "duckdb", "pyarrow", "scapy", "probe.lab", "probe.analysts.store")
"""Modules no part of ``probe run`` uses: the charts, the analysts' store, packet crafting
(asked for with --packet-tests only) and the lab."""
NOT_FOR_HELP = (*NEVER, "httpx", "httpcore", "trio", "cryptography", "probe.analysis")
"""What listing the commands needs none of: the network clients and the analysis."""
NOT_BEFORE_FIRST = (
    "pydantic",
    "cryptography",
    "probe.analysis.run",
    "probe.analysis.verdict",
    "probe.interception.roots",
    "probe.cli.run_summary",
    "probe.analysts",
    "probe.upload",
    "typer.rich_utils",
    "rich.markdown",
    "httpx",
)
"""What a run needs only once its first measurement has finished (the verdicts, the X.509
parser of the scrubber and the analysis, the summary) or never when the options are valid
(pydantic, which typer would use to coerce them: probe.cli.coercion; typer's rich help and
error printer, probe.cli.click_words.speak_rich; httpx, for the controls' clients, which the
session builds when a target first asks for them)."""

MODULES_AT_EXIT = """
import atexit, json, logging, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.__stderr__))

class First(logging.Handler):
    def emit(self, record):
        if record.msg.endswith(": started"):
            print("first:", json.dumps(sorted(sys.modules)), file=sys.__stderr__)
            runner.removeHandler(self)

runner = logging.getLogger("probe.runner")
runner.setLevel(logging.DEBUG)
runner.propagate = False
runner.addHandler(First())
sys.argv = ["probe", *sys.argv[1:]]
from probe.cli.app import main
main()
"""


def imported(args: list[str], cwd: Path) -> set[str]:
    """The modules loaded by ``probe ARGS`` by the time it exits (the last stderr line)."""
    return _loaded(args, cwd)[1]


def _loaded(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[set[str], set[str]]:
    """The modules loaded by ``probe ARGS`` when its first measurement started (empty if it
    measured nothing) and by the time it exits."""
    env_home = {"XDG_CONFIG_HOME": str(cwd / "config"), "PROBE_YES": "1"}
    result = subprocess.run(
        [sys.executable, "-c", MODULES_AT_EXIT, *args],
        env={**os.environ, **env_home, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    *_, last = lines = result.stderr.strip().splitlines()
    first = [
        set(json.loads(line.removeprefix("first:"))) for line in lines if line.startswith("first:")
    ]
    return (first[0] if first else set()), set(json.loads(last))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(f"{n}.") for m in modules)]


@pytest.mark.parametrize("args", [["--help"], []])
def test_listing_the_commands_imports_no_command(args: list[str], tmp_path: Path) -> None:
    modules = imported(args, tmp_path)
    assert "typer" in modules  # the probe did run
    assert loaded(modules, NOT_FOR_HELP) == []
    assert not [m for m in modules if m.startswith("probe.cli.") and m.endswith(("run", "lab"))]


def test_a_run_imports_neither_the_lab_nor_the_analysts_tools(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["run", "--url", "http://127.0.0.1:9/", "--output", str(out), "--no-geoip"]
    first, modules = _loaded([*args, "--no-system-dns", "--no-progress", "-p", "8"], tmp_path)
    assert json.loads(out.read_text())["input"] == "http://127.0.0.1:9/"  # it measured
    assert "probe.nettests.web_connectivity" in first and "httpcore" in first
    assert loaded(first, NOT_BEFORE_FIRST) == []
    assert {"probe.analysis.run", "probe.cli.run_summary"} <= modules  # loaded, but after
    assert loaded(modules, (*NEVER, "pydantic")) == []
    others = {f"probe.cli.{name}" for name in ("lab", "db", "helper", "collector", "certs")}
    assert modules.isdisjoint(others)


def test_the_controls_clients_are_built_once_the_first_measurement_started(
    tmp_path: Path,
) -> None:
    """With a helper and a DoH resolver configured (closed ports on 127.0.0.1), the first
    target starts before httpx is imported; asking the helper imports it."""
    out = tmp_path / "out.jsonl"
    controls = {
        "PROBE_HELPER_URL": "https://127.0.0.1:9/",
        "PROBE_DOH_URLS": "https://127.0.0.1:9/dns-query",
        "PROBE_BOGON_EXEMPT": "127.0.0.0/8",
    }
    args = ["run", "--url", "http://127.0.0.1:9/", "--output", str(out), "--no-geoip"]
    first, modules = _loaded([*args, "--no-system-dns", "--no-progress"], tmp_path, controls)
    assert json.loads(out.read_text())["test_keys"]["control_failure"] == "connection_refused"
    assert "probe.nettests.web_connectivity" in first
    assert loaded(first, NOT_BEFORE_FIRST) == []
    assert "httpx" in modules


def test_run_help_loads_the_run_command_only(tmp_path: Path) -> None:
    modules = imported(["run", "--help"], tmp_path)
    assert "probe.cli.run" in modules
    assert loaded(modules, NEVER) == []


def test_each_listed_summary_is_the_first_paragraph_of_the_commands_help() -> None:
    """The listing's summaries stand in for the commands' own help, which --help on a command
    shows: they must not drift apart."""
    root = typer.main.get_command(app)
    for name, lazy in _Commands.lazy.items():
        command = root.get_command(None, name)
        assert inspect.cleandoc(command.help).split("\n\n")[0] == lazy.summary, name
