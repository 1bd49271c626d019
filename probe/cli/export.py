"""``probe export``: one flat row per target measurement, as CSV or Parquet."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from probe.analysts.extra import missing_extra
from probe.analysts.loading import load_targets
from probe.cli.diff import fail
from probe.report.jsonl import ResultsError


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


def export(
    files: list[Path] = typer.Argument(..., help="Results files or folders of them."),
    fmt: ExportFormat = typer.Option(..., "--format", help="csv or parquet."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
) -> None:
    """Write a flat table (time, network, input, verdict, evidence) for spreadsheets and SQL."""
    try:
        from probe.analysts.export import write_csv, write_parquet
    except ImportError as exc:
        raise fail(missing_extra(exc, "probe export")) from exc
    writer = write_csv if fmt is ExportFormat.CSV else write_parquet
    try:
        count = writer(load_targets(files), output)
    except (ResultsError, OSError) as exc:
        output.unlink(missing_ok=True)
        raise fail(exc) from exc
    Console().print(f"{count} measurements written to {output}", highlight=False)
