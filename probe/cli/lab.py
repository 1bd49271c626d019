"""``probe lab``: run commands and checks inside an emulated censoring ISP."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from probe.analysis.results import read_results
from probe.i18n import N_, _, ngettext
from probe.lab import check as checking
from probe.lab import scenario as scenarios
from probe.lab.errors import LabError
from probe.lab.lab import Lab, down_all, running
from probe.options import ENV_LISTS_DIR

EXIT_LAB_ERROR = 2
EXIT_INTERRUPTED = 130
MEASUREMENTS = 10
"""Runs of ``probe run`` a check makes at most to get an ``intermittent`` entry repeated."""
AGAIN = N_(
    "measuring again: {urls} was ok the first time, so the probe did not repeat it "
    "(an intermittent block passes every other time)"
)

lab_app = typer.Typer(
    help="Build an emulated censoring ISP in network namespaces (needs root).",
    no_args_is_help=True,
    add_completion=False,
)
_err = Console(stderr=True)

SCENARIO_HELP = "A scenario file, or the name of a shipped scenario (see `probe lab scenarios`)."
LISTS_DIR = typer.Option(
    None, "--lists-dir", envvar=ENV_LISTS_DIR, help="Folder of named lists for serve_lists."
)


def _fail(exc: LabError) -> typer.Exit:
    said = _("[red]lab error:[/] {error}").format(error=escape(str(exc)))
    _err.print(said, highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(EXIT_LAB_ERROR)


def _load(name_or_path: str) -> scenarios.Scenario:
    return scenarios.load(scenarios.find(name_or_path))


@lab_app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_command(
    scenario: str = typer.Argument(..., help=SCENARIO_HELP),
    command: list[str] = typer.Argument(..., help="The command to run in the client (after --)."),
    lists_dir: Path | None = LISTS_DIR,
) -> None:
    """Build the lab, run COMMAND in its client namespace, tear down, exit with its status."""
    try:
        with running(_load(scenario), lists_dir) as lab:
            status = lab.run(command)
    except LabError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(status)


def _probe_command() -> list[str]:
    found = shutil.which("probe")
    return [found] if found else [sys.executable, "-c", "from probe.cli.app import main; main()"]


def _measure(lab: Lab, scenario: scenarios.Scenario) -> list[dict[str, Any]]:
    """One `probe run` for every expectation: the URLs, and the built-in tests they name."""
    expects = scenario.expects
    out = lab.workdir / "check.jsonl"
    out.unlink(missing_ok=True)
    argv = [*_probe_command(), "run", "--yes", "--output", str(out), "--no-progress"]
    argv += checking.repeat_flags(scenario)
    urls = list(dict.fromkeys(e.url for e in expects if e.url))
    tests = list(dict.fromkeys(e.test for e in expects if e.test))
    for url in urls:
        argv += ["--url", url]
    for test in ["web_connectivity"] * bool(urls) + tests:
        argv += ["--test", test]
    status = lab.run(argv)
    if not out.is_file():
        raise LabError(
            _("`probe run` exited with {status} and wrote no results").format(status=status)
        )
    return list(read_results(out))


def _measure_until_repeated(lab: Lab, scenario: scenarios.Scenario) -> list[dict[str, Any]]:
    """The measurements of the scenario, measured again (up to ``MEASUREMENTS`` runs) while an
    ``intermittent`` entry's URL was ok the first time and so not repeated."""
    measurements = _measure(lab, scenario)
    for _attempt in range(1, MEASUREMENTS):
        ok_once = checking.unrepeated(scenario.expects, checking.index(measurements))
        if not ok_once:
            break
        _err.print(_(AGAIN).format(urls=", ".join(ok_once)), highlight=False)
        measurements = _measure(lab, scenario)
    return measurements


@lab_app.command("check")
def check_command(
    scenario: str = typer.Argument(..., help=SCENARIO_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help="Also keep the results here."),
    lists_dir: Path | None = LISTS_DIR,
) -> None:
    """Measure the scenario's \\[\\[expect]] URLs inside the lab and compare the verdicts."""
    try:
        loaded = _load(scenario)
        if not loaded.expects:
            raise LabError(_("{file}: no [[expect]] entries to check").format(file=loaded.source))
        with running(loaded, lists_dir) as lab:
            measurements = _measure_until_repeated(lab, loaded)
    except LabError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if output:
        output.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in measurements))
    rows = checking.compare(loaded.expects, checking.index(measurements))
    table = Table(title=_("probe lab check: {scenario}").format(scenario=loaded.name))
    for column in (_("URL"), _("key"), _("expected"), _("measured"), _("result")):
        table.add_column(column)
    passed, failed = _("[green]pass[/]"), _("[red]FAIL[/]")
    for row in rows:
        table.add_row(row.url, row.key, row.expected, row.measured, passed if row.ok else failed)
    console = Console()
    console.print(table)
    met = sum(r.ok for r in rows)
    said = ngettext(
        "{met} of {count} expectation met", "{met} of {count} expectations met", len(rows)
    )
    console.print(said.format(met=met, count=len(rows)), highlight=False)
    raise typer.Exit(0 if met == len(rows) else 1)


@lab_app.command("down")
def down_command(
    all_labs: bool = typer.Option(False, "--all", help="Remove every lab on this machine."),
) -> None:
    """Remove labs left behind by a crash (namespaces, daemons, files)."""
    if not all_labs:
        _err.print(_("say --all: this removes every lab on the machine, running or not"))
        raise typer.Exit(EXIT_LAB_ERROR)
    try:
        removed = down_all()
    except LabError as exc:
        raise _fail(exc) from None
    said = ngettext("removed {count} lab", "removed {count} labs", len(removed))
    named = f": {', '.join(removed)}" if removed else ""
    typer.echo(said.format(count=len(removed)) + named)


@lab_app.command("scenarios")
def scenarios_command() -> None:
    """List the shipped scenarios."""
    for name, path in sorted(scenarios.shipped().items()):
        try:
            description = scenarios.load(path).description
        except LabError as exc:
            description = _("(invalid: {error})").format(error=exc)
        typer.echo(f"{name:16} {description}")
