"""``probe run``: measure a target list and save one JSON line per target.

This module parses the flags (declared once in :mod:`probe.options`), builds the run's options,
asks for consent and renders what the pipeline (:mod:`probe.pipeline.run`) reports.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from probe.cli.consent import ensure_consent
from probe.cli.logs import start_logging
from probe.cli.options import declared
from probe.control.attempts import never_answered
from probe.i18n import _, ngettext
from probe.options import RUN_OPTIONS
from probe.pipeline.options import run_options
from probe.pipeline.run import RunFailed, UsageError, execute, select

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Shown:
    """The pipeline's events as a progress bar and notes; keeps slim records for the summary."""

    def __init__(self, err: Console, progress: Progress) -> None:
        self.err = err
        self.progress = progress
        self.task = progress.add_task(_("measuring"), total=None, last="")
        self.records: list[dict[str, Any]] = []

    def note(self, text: str) -> None:
        self.err.print(_("[yellow]note:[/] {text}").format(text=text), highlight=False)

    def planned(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def measured(self, record: dict[str, Any]) -> None:
        from probe.cli.run_summary import slim  # the summary's modules: once one has finished

        self.records.append(slim(record))
        self.progress.update(self.task, advance=1, last=record["input"] or record["test_name"])


def _progress(err: Console, shown: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=err,
        disable=not shown,
        transient=True,
    )


def _fail(err: Console, exc: Exception, code: int) -> typer.Exit:
    err.print(_("[red]error:[/] {error}").format(error=escape(str(exc))), highlight=False)
    return typer.Exit(code)


@declared(RUN_OPTIONS)
def run(**values: Any) -> None:
    """Measure every target with DNS, TCP, TLS and HTTP and save OONI-format JSONL.

    Each measurement is written and flushed as soon as its target finishes, so an interrupted run
    keeps everything it measured.
    """
    err = Console(stderr=True)
    try:
        start_logging(values["log_level"], values["verbose"], values["log_file"])
        options = run_options(values)
        selection = select(options)
        if values["upload"] or values["upload_proxy"]:  # what check_upload looks at
            from probe.cli.upload import check_upload

            check_upload(values["upload"], values["collector"], values["upload_proxy"])
    except (ValueError, UsageError) as exc:  # CertificateFileError, DataFileError among them
        raise _fail(err, exc, EXIT_USAGE) from exc
    ensure_consent(values["yes"], sys.stdin.isatty(), err)
    progress = _progress(err, not values["no_progress"] and sys.stderr.isatty())
    shown = _Shown(err, progress)
    try:
        with progress:
            outcome = execute(options, selection, shown)
    except UsageError as exc:
        raise _fail(err, exc, EXIT_USAGE) from exc
    except RunFailed as exc:
        raise _fail(err, exc, 1) from exc
    from probe.cli.run_summary import print_run

    print_run(shown.records, outcome.summary, outcome.path, outcome.total, outcome.took)
    if missing := never_answered(shown.records):
        listed = ", ".join(f"{address} ({failure})" for address, failure in missing.items())
        shown.note(
            _(
                "no usable answer from {controls}: verdicts that needed them stay undetermined "
                "(see docs/helper.md)"
            ).format(controls=listed)
        )
    if values["upload"] and values["collector"]:
        from probe.cli.upload import upload_run

        upload_run(
            outcome.path,
            values["collector"],
            values["upload_proxy"],
            values["ca_bundle"],
            err,
            send=not outcome.interrupted,
        )
    if outcome.interrupted:
        kept = ngettext(
            "[yellow]interrupted:[/] {count} measurement kept in {path}",
            "[yellow]interrupted:[/] {count} measurements kept in {path}",
            outcome.kept,
        )
        err.print(kept.format(count=outcome.kept, path=outcome.path), highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED)
