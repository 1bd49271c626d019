"""The ``probe`` command: one typer app with a module per command group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import typer

from probe import __version__
from probe.cli.lazy import Lazy, LazyGroup
from probe.i18n import N_


class _Commands(LazyGroup):
    lazy: ClassVar[Mapping[str, Lazy]] = {
        "run": Lazy(
            "probe.cli.run:run",
            N_("Measure every target with DNS, TCP, TLS and HTTP and save OONI-format JSONL."),
        ),
        "analyze": Lazy(
            "probe.cli.analyze:analyze",
            N_(
                "Recompute every verdict in FILE from its stored raw observations and print a "
                "summary."
            ),
        ),
        "lists": Lazy(
            "probe.cli.lists:lists",
            N_(
                "Show the target lists you can pass to `probe run --list NAME`; a list that cannot "
                "be\nused shows its ``FILE:LINE: reason`` instead of its counts."
            ),
        ),
        "tests": Lazy(
            "probe.cli.tests:tests",
            N_(
                "List the nettests `probe run --test NAME` accepts, and which lists run which "
                "tests."
            ),
        ),
        "certs": Lazy(
            "probe.cli.certs:certs",
            N_("Look for known TLS-interception roots among the certificates this device trusts."),
        ),
        "diff": Lazy(
            "probe.cli.diff:diff",
            N_(
                "Compare verdicts of two runs target by target. Exit 0: no change, 1: changes, 2: "
                "error."
            ),
        ),
        "report": Lazy(
            "probe.cli.report:report",
            N_(
                "Summarise runs: metadata, counts by verdict, categories, techniques, blocked "
                "targets."
            ),
        ),
        "export": Lazy(
            "probe.cli.export:export",
            N_(
                "Write a flat table (time, network, input, verdict, evidence) for spreadsheets and "
                "SQL."
            ),
        ),
        "upload": Lazy(
            "probe.cli.upload:upload",
            N_(
                "Send finished results files to a collector. Exit 0: all sent, 1: some still "
                "queued."
            ),
        ),
        "db": Lazy(
            "probe.cli.db:db", N_("Load runs into a local DuckDB store and query them with SQL.")
        ),
        "helper": Lazy(
            "probe.cli.helper:helper_app",
            N_("Run the control test helper (OONI web_connectivity protocol)."),
        ),
        "collector": Lazy(
            "probe.cli.collector:collector_app",
            N_("Run a collector that stores probes' measurements (OONI collector protocol)."),
        ),
        "lab": Lazy(
            "probe.cli.lab:lab_app",
            N_("Build an emulated censoring ISP in network namespaces (needs root)."),
        ),
    }
    """Each command's module and summary; ``probe --help`` lists them in this order."""


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
