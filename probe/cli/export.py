"""``probe export``: one flat row per target measurement, as CSV or Parquet."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from probe.analysts.extra import missing_extra
from probe.analysts.loading import load_targets
from probe.cli.diff import fail, warn_skipped
from probe.cli.report import CATEGORY
from probe.cli.store_options import ASN, CC, SINCE, STORE, UNTIL, filters, reading, without_store
from probe.i18n import _, ngettext
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped
from probe.store.errors import StoreError


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


def export(
    files: list[Path] = typer.Argument(
        None, help="Results files or folders of them (or give --store)."
    ),
    fmt: ExportFormat = typer.Option(..., "--format", help="csv or parquet."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    store: str | None = STORE,
    asn: list[str] = ASN,
    cc: list[str] = CC,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    category: list[str] = CATEGORY,
) -> None:
    """Write a flat table (time, network, input, verdict, evidence) for spreadsheets and SQL."""
    try:
        from probe.analysts.export import write_csv, write_parquet
    except ImportError as exc:
        raise fail(missing_extra(exc, "probe export")) from exc
    writer = write_csv if fmt is ExportFormat.CSV else write_parquet
    skipped = Skipped()
    try:
        if without_store(store, asn, cc, since, until, *category):
            if not files:
                raise fail(_("give results files or folders, or --store"))
            count = writer(load_targets(files, skipped=skipped), output)
        else:
            assert store is not None
            from probe.store.query import load_stored

            chosen = filters(asn, cc, since, until, categories=tuple(category))
            with reading(store) as storage:
                count = writer(load_stored(storage, chosen), output)
    except (ResultsError, StoreError, OSError) as exc:
        output.unlink(missing_ok=True)
        warn_skipped(skipped)
        raise fail(exc) from exc
    warn_skipped(skipped)
    written = ngettext(
        "{count} measurement written to {path}", "{count} measurements written to {path}", count
    )
    Console().print(written.format(count=count, path=output), highlight=False)
