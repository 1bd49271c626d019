"""``probe analyze``: recompute every verdict of a results file from its raw observations.

Two streaming passes keep memory flat for any file size: the first collects what the run-level
verdict needs, the second writes each re-analysed measurement. Without ``--output`` nothing is
written and only the summary is printed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from probe.analysis import (
    AnalysisOptions,
    RunAnalysis,
    RunSummary,
    analyze_measurement,
    mark_network,
    merge,
)
from probe.cli.options import BOGON_EXEMPT, INTERCEPTION_ROOTS
from probe.interception import CertificateFileError, load_registry
from probe.net.bogons import parse_exemptions
from probe.report.jsonl import ResultsError, dump_line, read_jsonl, write_atomically

EXIT_USAGE = 2
BlockedRow = tuple[str, str, str]


def analysis_options(bogon_exempt: str | None, interception_roots: str | None) -> AnalysisOptions:
    """Options from the flag values; ValueError or CertificateFileError name what is wrong."""
    exempt = parse_exemptions(c for c in (bogon_exempt or "").split(",") if c.strip())
    paths = [Path(p) for p in (interception_roots or "").split(os.pathsep) if p.strip()]
    return AnalysisOptions(exempt, load_registry(paths) if paths else None)


def summarise_file(path: Path, options: AnalysisOptions) -> tuple[RunSummary, list[BlockedRow]]:
    """First pass: the run summary and the blocked targets; raises ResultsError naming file:line."""
    run = RunAnalysis(options)
    blocked: list[BlockedRow] = []
    for measurement in read_jsonl(path):
        keys = run.add(measurement)["test_keys"]
        if isinstance(keys.get("blocking"), str):
            blocked.append((str(measurement.get("input")), keys["x_technique"], keys["x_detail"]))
    return run.finish(), blocked


def analysed_lines(path: Path, options: AnalysisOptions, summary: RunSummary) -> Iterator[str]:
    """Second pass: each measurement re-analysed and marked with the run-level verdict."""
    for measurement in read_jsonl(path):
        analysed = mark_network(
            merge(measurement, analyze_measurement(measurement, options)), summary
        )
        yield dump_line(analysed)


def write_analysed(path: Path, output: Path, options: AnalysisOptions, summary: RunSummary) -> None:
    """Write atomically, so ``--output`` may name the input file itself."""
    write_atomically(output, analysed_lines(path, options, summary))


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
        options = analysis_options(bogon_exempt, interception_roots)
        summary, blocked = summarise_file(file, options)
        if output is not None:
            write_analysed(file, output, options, summary)
    except (ValueError, CertificateFileError, ResultsError) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    except OSError as exc:
        err.print(f"[red]error:[/] {exc.filename or file}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    print_summary(Console(), summary, blocked)
    if output is not None:
        Console().print(f"Analysed: [bold]{output}[/]", highlight=False)


def print_summary(console: Console, summary: RunSummary, blocked: list[BlockedRow]) -> None:
    """The run's verdicts grouped as blocked (by technique), ok, down and undetermined."""
    if summary.network_unusable:
        console.print(f"[bold red]{summary.reason}[/]", highlight=False)
    table = Table(title=f"{summary.total} targets (analysis {summary.analysis_version})")
    table.add_column("verdict")
    table.add_column("targets", justify="right")
    table.add_row("[red]blocked[/]", str(summary.blocked_total))
    for technique, count in sorted(summary.blocked.items()):
        table.add_row(f"  {technique}", str(count))
    table.add_row("[green]ok[/]", str(summary.ok))
    table.add_row("down", str(summary.down))
    table.add_row("[yellow]undetermined[/]", str(summary.undetermined))
    console.print(table)
    for line in summary.apps:
        console.print(f"  {line}", highlight=False)
    if blocked and not summary.network_unusable:
        detail = Table(title="Blocked targets")
        for column in ("target", "technique", "evidence"):
            detail.add_column(column, overflow="fold")
        for row in sorted(blocked):
            detail.add_row(*row)
        console.print(detail)
