"""``probe analyze``: recompute every verdict of a results file from its raw observations.

Two streaming passes keep memory flat for any file size: the first collects what the run-level
verdict needs, for each part of the file that a trailer closes (one sitting of ``probe run``, see
:mod:`probe.analysis.results`), the second re-analyses each measurement (and writes it with
``--output``).
Without ``--output`` nothing is written and only the summary is printed. The options a run
stored in its measurements are used unless a flag overrides them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from probe.analysis import (
    OptionsSource,
    RunSummary,
    analyze_measurement,
    combined,
    mark_network,
    merge,
    stored_verdict,
)
from probe.analysis.results import summarise_parts
from probe.analysts.outcomes import Outcome
from probe.analysts.words import blocked_in, outcome_word
from probe.cli.options import BOGON_EXEMPT, INTERCEPTION_ROOTS
from probe.i18n import _, ngettext
from probe.i18n.sentences import sentence
from probe.interception import CertificateFileError
from probe.pipeline.options import option_flags
from probe.report.jsonl import (
    TRAILER_KEY,
    ResultsError,
    dump_line,
    is_trailer,
    numbered_lines,
    write_atomically,
)

EXIT_USAGE = 2
BlockedRow = tuple[str, str, str]


def analysed_lines(
    path: Path,
    options: OptionsSource,
    parts: list[RunSummary],
    blocked: list[BlockedRow] | None = None,
) -> Iterator[str]:
    """Second pass: each measurement re-analysed and marked with its part's run-level verdict
    (``parts`` from :func:`summarise_parts`); each part followed by another keeps its trailer,
    and the last gets one when its verdict marks anything. The targets still blocked after that
    are appended to ``blocked``."""
    part = 0
    pending: RunSummary | None = None  # a trailer kept only if a measurement follows, or marked
    for _number, measurement in numbered_lines(path, with_trailers=True):
        if pending is not None:
            yield dump_line({TRAILER_KEY: pending.as_dict()})
            pending = None
        if is_trailer(measurement):
            pending, part = parts[part], part + 1
            continue
        analysed = mark_network(
            merge(measurement, analyze_measurement(measurement, options)), parts[part]
        )
        keys = analysed["test_keys"]
        if blocked is not None and isinstance((stored_verdict(keys) or (None,))[0], str):
            blocked.append(
                (str(analysed.get("input")), keys["x_technique"], sentence(keys["x_detail"]))
            )
        yield dump_line(analysed)
    last = pending if pending is not None else parts[part]
    if last.marks:
        yield dump_line({TRAILER_KEY: last.as_dict()})


def write_analysed(
    path: Path,
    output: Path,
    options: OptionsSource,
    parts: list[RunSummary],
    blocked: list[BlockedRow] | None = None,
) -> None:
    """Write atomically, so ``--output`` may name the input file itself."""
    write_atomically(output, analysed_lines(path, options, parts, blocked))


def analyze(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A results file (JSONL) written by probe run."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the re-analysed file here (may be FILE itself) (default: write nothing).",
    ),
    bogon_exempt: str | None = BOGON_EXEMPT,
    interception_roots: str | None = INTERCEPTION_ROOTS,
) -> None:
    """Recompute every verdict in FILE from its stored raw observations and print a summary.

    Analysing an analysed file changes nothing, so old runs can be re-read with newer analysis.
    """
    err = Console(stderr=True)
    try:
        options = option_flags(bogon_exempt, interception_roots)
        parts = summarise_parts(file, options)
        blocked: list[BlockedRow] = []
        if output is not None:
            write_analysed(file, output, options, parts, blocked)
        else:
            deque(analysed_lines(file, options, parts, blocked), maxlen=0)
    except (ValueError, CertificateFileError, ResultsError) as exc:
        err.print(_("[red]error:[/] {error}").format(error=escape(str(exc))), highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    except OSError as exc:
        reason = f"{exc.filename or file}: {exc.strerror or exc}"
        err.print(_("[red]error:[/] {error}").format(error=escape(reason)), highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    summary = combined(parts)
    print_summary(Console(), summary, blocked)
    for note in summary.notes:
        warning = _("[yellow]warning:[/] {file}: {note}")
        err.print(warning.format(file=file, note=sentence(note)), highlight=False)
    if output is not None:
        Console().print(_("Analysed: [bold]{path}[/]").format(path=output), highlight=False)


def print_summary(
    console: Console, summary: RunSummary, blocked: list[BlockedRow], *, headline: bool = True
) -> None:
    """The run-level reason first (unless the caller has shown it), then the verdicts grouped as
    blocked (by technique), ok, down and undetermined. ``blocked`` must already carry the
    run-level marks."""
    if headline and summary.network_unusable:
        console.print(f"[bold red]{sentence(summary.reason)}[/]", highlight=False)
    title = ngettext(
        "{count} target (analysis {version})", "{count} targets (analysis {version})", summary.total
    )
    table = Table(title=title.format(count=summary.total, version=summary.analysis_version))
    table.add_column(_("verdict"))
    table.add_column(_("targets"), justify="right")
    table.add_row(f"[red]{outcome_word(Outcome.BLOCKED)}[/]", str(summary.blocked_total))
    for technique, count in sorted(summary.blocked.items()):
        table.add_row(f"  {technique}", str(count))
    table.add_row(f"[green]{outcome_word(Outcome.OK)}[/]", str(summary.ok))
    table.add_row(outcome_word(Outcome.DOWN), str(summary.down))
    table.add_row(f"[yellow]{outcome_word(Outcome.UNDETERMINED)}[/]", str(summary.undetermined))
    console.print(table)
    for line in summary.apps:
        console.print(f"  {sentence(line)}", highlight=False)
    for (target, _report), repeats in summary.repeats.items():
        console.print(f"  {target}: {blocked_in(repeats)}", highlight=False)
    for test, count in sorted(summary.unanalysed.items()):
        line = ngettext(
            "{test}: {count} measured, undetermined (no analysis for {test})",
            "{test}: {count} measured, undetermined (no analysis for {test})",
            count,
        )
        console.print("  " + line.format(test=test, count=count), highlight=False)
    if blocked:
        detail = Table(title=_("Blocked targets"))
        for column in (_("target"), _("technique"), _("evidence")):
            detail.add_column(column, overflow="fold")
        for row in sorted(set(blocked)):  # a target measured again repeats its evidence
            detail.add_row(*row)
        console.print(detail)
