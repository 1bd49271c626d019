"""The embedded query store: a DuckDB table with the export schema, loaded in batches.

DuckDB keeps one analyst's runs in a single file and answers SQL without a server; sharing the
Parquet export's columns keeps the way to ClickHouse open (docs/analysis-store.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from probe.analysts.export import SCHEMA, record_batches
from probe.analysts.loading import load_targets, measurement_files
from probe.report.lines import Skipped

SOURCE_COLUMN = "source_file"


def duckdb_type(arrow: pa.DataType) -> str:
    """The DuckDB column type of an export column (the collector's store shares it)."""
    if pa.types.is_timestamp(arrow):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(arrow):
        return "BOOLEAN"
    if pa.types.is_list(arrow):
        return "VARCHAR[]"
    return "VARCHAR"


def _table_ddl() -> str:
    columns = [
        f"{field.name} {duckdb_type(field.type)}{'' if field.nullable else ' NOT NULL'}"
        for field in SCHEMA
    ]
    columns.append(f"{SOURCE_COLUMN} VARCHAR NOT NULL")
    return "CREATE TABLE IF NOT EXISTS measurements (\n  " + ",\n  ".join(columns) + "\n)"


RUNS_VIEW = """CREATE OR REPLACE VIEW runs AS
SELECT report_id, min(measurement_start_time) AS started, any_value(probe_asn) AS probe_asn,
       any_value(probe_cc) AS probe_cc, any_value(probe_network_name) AS probe_network_name,
       any_value(list_name) AS list_name, count(*) AS measurements,
       count(*) FILTER (WHERE outcome = 'blocked') AS blocked
FROM measurements GROUP BY report_id"""


def open_store(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store; times are shown in UTC, as OONI writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(_table_ddl())
    con.execute(RUNS_VIEW)
    return con


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    rows: int


def load_file(
    con: duckdb.DuckDBPyConnection, path: Path, skipped: Skipped | None = None
) -> LoadedFile:
    """Replace the rows of one results file, committing batch by batch.

    One transaction for a whole file would keep every uncommitted row in memory; per-batch
    commits keep memory flat. A file that fails part-way is removed again, so the store never
    holds half a file (nor, after a failed reload, its older copy). Lines that are not
    well-formed measurements are left out and recorded in ``skipped`` (or are an error).
    """
    source = str(path.resolve())
    rows = 0
    con.execute(f"DELETE FROM measurements WHERE {SOURCE_COLUMN} = ?", [source])
    try:
        for table in record_batches(load_targets([path], skipped=skipped)):
            batch = table.append_column(SOURCE_COLUMN, pa.array([source] * table.num_rows))
            con.register("batch", batch)
            con.execute("INSERT INTO measurements SELECT * FROM batch")
            con.unregister("batch")
            rows += table.num_rows
    except BaseException:
        con.execute(f"DELETE FROM measurements WHERE {SOURCE_COLUMN} = ?", [source])
        raise
    return LoadedFile(path, rows)


def load_paths(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], skipped: Skipped | None = None
) -> Iterator[LoadedFile]:
    for path in measurement_files(paths):
        yield load_file(con, path, skipped)


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, batch: int = 10_000
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Run one SQL statement; rows are fetched lazily, in batches, while the caller reads."""
    cursor = con.execute(sql)
    columns = [column[0] for column in cursor.description or []]

    def rows() -> Iterator[tuple[Any, ...]]:
        while fetched := cursor.fetchmany(batch) if columns else []:
            yield from fetched

    return columns, rows()
