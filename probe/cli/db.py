"""``probe db``: load runs into the embedded DuckDB store and query it with SQL."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import platformdirs
import typer
from rich.console import Console
from rich.table import Table

from probe.analysts.extra import missing_extra
from probe.cli.diff import fail, warn_skipped
from probe.i18n import _, ngettext
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped

db = typer.Typer(
    name="db",
    help="Load runs into a local DuckDB store and query them with SQL.",
    no_args_is_help=True,
)

DB_OPTION = typer.Option(
    None, "--db", help="Database file (default: the user data folder's analysis.duckdb)."
)


def default_db_path() -> Path:
    return platformdirs.user_data_path("probe") / "analysis.duckdb"


@db.command()
def load(
    files: list[Path] = typer.Argument(..., help="Results files or folders of them."),
    db_path: Path | None = DB_OPTION,
) -> None:
    """Load results files; loading a file again replaces its rows."""
    path = db_path or default_db_path()
    console = Console()
    try:
        import duckdb

        from probe.analysts.store import load_paths, open_store
    except ImportError as exc:
        raise fail(missing_extra(exc, "probe db")) from exc
    skipped = Skipped()
    try:
        with open_store(path) as con:
            total = 0
            for loaded in load_paths(con, files, skipped):
                total += loaded.rows
                rows = ngettext(
                    "{path}: {count} measurement", "{path}: {count} measurements", loaded.rows
                )
                console.print(rows.format(path=loaded.path, count=loaded.rows), highlight=False)
    except (ResultsError, duckdb.Error, OSError) as exc:
        warn_skipped(skipped)
        raise fail(exc) from exc
    warn_skipped(skipped)
    loaded_line = ngettext(
        "{count} measurement loaded into {path}", "{count} measurements loaded into {path}", total
    )
    console.print(loaded_line.format(count=total, path=path), highlight=False)


@db.command()
def query(
    sql: str = typer.Argument(
        ..., help='SQL, e.g. "SELECT outcome, count(*) FROM measurements GROUP BY outcome".'
    ),
    db_path: Path | None = DB_OPTION,
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    max_rows: int = typer.Option(1000, "--max-rows", min=1, help="Rows shown in the table."),
) -> None:
    """Run SQL against the store (tables: measurements; views: runs)."""
    path = db_path or default_db_path()
    if not path.exists():
        raise fail(_("{path}: no store yet; run `probe db load FILE…` first").format(path=path))
    try:
        import duckdb

        from probe.analysts.store import open_store, run_query
    except ImportError as exc:
        raise fail(missing_extra(exc, "probe db")) from exc
    try:
        with open_store(path) as con:
            columns, rows = run_query(con, sql)
            if as_csv:
                writer = csv.writer(sys.stdout)
                writer.writerow(columns)
                writer.writerows(rows)
            else:
                _print_table(columns, rows, max_rows)
    except duckdb.Error as exc:
        raise fail(exc) from exc


def _print_table(columns: list[str], rows: Iterator[tuple[Any, ...]], max_rows: int) -> None:
    table = Table(*columns)
    for row in islice(rows, max_rows):
        table.add_row(*("" if value is None else str(value) for value in row))
    console = Console()
    console.print(table)
    if next(rows, None) is not None:
        more = _("more than {count} rows: add LIMIT, raise --max-rows or use --csv")
        console.print(more.format(count=max_rows), highlight=False)
