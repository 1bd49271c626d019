"""The ``probe`` command: one typer app with a module per command group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import typer

from probe import __version__
from probe.cli.lazy import LazyGroup


class _Commands(LazyGroup):
    lazy: ClassVar[Mapping[str, str]] = {
        "run": "probe.cli.run:run",
        "analyze": "probe.cli.analyze:analyze",
        "lists": "probe.cli.lists:lists",
        "tests": "probe.cli.tests:tests",
        "certs": "probe.cli.certs:certs",
        "diff": "probe.cli.diff:diff",
        "report": "probe.cli.report:report",
        "export": "probe.cli.export:export",
        "upload": "probe.cli.upload:upload",
        "db": "probe.cli.db:db",
        "helper": "probe.cli.helper:helper_app",
        "collector": "probe.cli.collector:collector_app",
        "lab": "probe.cli.lab:lab_app",
    }


app = typer.Typer(
    name="probe",
    help="Measure network censorship (DNS, TCP, TLS, HTTP) and write OONI-compatible JSONL.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=_Commands,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"probe {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of messages and help: en, ru or kk; any other means English (default: "
        "PROBE_LANG, then the locale). Files and --json output are the same in every language.",
    ),
) -> None:
    """Measure network censorship and analyse the results."""
    del lang  # chosen before parsing, by LocalizedGroup, so that --help follows it too


def main() -> None:
    app()
