"""The ``probe`` command: one typer app with a module per command group."""

from __future__ import annotations

import typer

from probe import __version__
from probe.cli.analyze import analyze
from probe.cli.certs import certs
from probe.cli.collector import collector_app
from probe.cli.db import db
from probe.cli.diff import diff
from probe.cli.export import export
from probe.cli.helper import helper_app
from probe.cli.lab import lab_app
from probe.cli.lists import lists
from probe.cli.localized import LocalizedGroup
from probe.cli.report import report
from probe.cli.run import run
from probe.cli.tests import tests
from probe.cli.upload import upload

app = typer.Typer(
    name="probe",
    help="Measure network censorship (DNS, TCP, TLS, HTTP) and write OONI-compatible JSONL.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=LocalizedGroup,
)
app.command()(run)
app.command()(analyze)
app.command()(lists)
app.command()(tests)
app.command()(certs)
app.command()(diff)
app.command()(report)
app.command()(export)
app.command()(upload)
app.add_typer(db, name="db")
app.add_typer(helper_app, name="helper")
app.add_typer(collector_app, name="collector")
app.add_typer(lab_app, name="lab")


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
