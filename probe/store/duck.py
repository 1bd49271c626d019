"""The embedded store: one DuckDB file, plus Parquet files partitioned by date, country and ASN.

One small server needs nothing else: DuckDB answers the analysts' SQL, and the Parquet tree
(``PATH.parquet/date=…/probe_cc=…/probe_asn=…/``) is what other tools (and ClickHouse's
``s3``/``file`` table functions) read without DuckDB.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from probe.analysts.store import duckdb_type
from probe.store.errors import StoreError
from probe.store.rows import STORE_SCHEMA, Stored, table

_MEASUREMENTS = (
    "CREATE TABLE IF NOT EXISTS measurements (\n  "
    + ",\n  ".join(
        f"{f.name} {duckdb_type(f.type)}{'' if f.nullable else ' NOT NULL'}" for f in STORE_SCHEMA
    )
    + ",\n  PRIMARY KEY (measurement_uid)\n)"
)
_REPORTS = """CREATE TABLE IF NOT EXISTS reports (
  report_id VARCHAR PRIMARY KEY, opened_at TIMESTAMPTZ NOT NULL, closed BOOLEAN NOT NULL,
  header VARCHAR NOT NULL)"""
_PARQUET_COLUMNS = ", ".join(name for name in STORE_SCHEMA.names if name != "raw")
_EXPORTED = "CREATE TABLE IF NOT EXISTS parquet_exported (next_rowid BIGINT NOT NULL)"
PARQUET_ROWS = 10_000
"""New rows that make one Parquet file per partition: a file per small batch would leave
thousands of tiny files; what is not exported yet is in DuckDB, and goes at close or restart."""


class DuckStore:
    """The DuckDB store; one connection, used by one thread at a time."""

    table_name = "measurements"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parquet = path.with_name(path.name + ".parquet")
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(path))
            self._con.execute("SET TimeZone = 'UTC'")
            self._con.execute(_MEASUREMENTS)
            self._con.execute(_REPORTS)
            self._con.execute(_EXPORTED)
            self._export(0)  # what a killed collector had not exported yet
        except (duckdb.Error, OSError) as exc:
            raise StoreError(f"{path}: cannot open the DuckDB store: {exc}") from exc

    def add(self, rows: Sequence[Stored]) -> set[str]:
        """One transaction into DuckDB; the Parquet tree follows every ``PARQUET_ROWS`` rows."""
        if not rows:
            return set()
        with self._lock:
            con = self._con
            con.register("batch", table(rows))
            try:
                con.execute("BEGIN")
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE fresh AS SELECT DISTINCT ON (measurement_uid) * "
                    "FROM batch WHERE measurement_uid NOT IN (SELECT measurement_uid FROM "
                    "measurements WHERE measurement_uid IN (SELECT measurement_uid FROM batch))"
                )
                con.execute("INSERT INTO measurements SELECT * FROM fresh")
                new = {
                    uid for (uid,) in con.execute("SELECT measurement_uid FROM fresh").fetchall()
                }
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("batch")
            self._export(PARQUET_ROWS)
        return new

    def _export(self, at_least: int) -> None:
        """Append the rows not exported yet to the Parquet tree, once there are ``at_least``."""
        con = self._con
        start = con.execute("SELECT max(next_rowid) FROM parquet_exported").fetchall()[0][0] or 0
        end = con.execute("SELECT coalesce(max(rowid) + 1, 0) FROM measurements").fetchall()[0][0]
        if end - start < max(at_least, 1):
            return
        self.parquet.mkdir(exist_ok=True)
        con.execute(
            f"COPY (SELECT {_PARQUET_COLUMNS}, strftime(measurement_start_time, '%Y-%m-%d') "
            f"AS date FROM measurements WHERE rowid >= {int(start)} AND rowid < {int(end)}) "
            f"TO '{_quoted(self.parquet)}' (FORMAT PARQUET, "
            "PARTITION_BY (date, probe_cc, probe_asn), APPEND)"
        )
        con.execute("DELETE FROM parquet_exported")
        con.execute("INSERT INTO parquet_exported VALUES (?)", [int(end)])

    def open_report(self, report_id: str, header: dict[str, Any]) -> None:
        with self._lock:
            self._con.execute(
                "INSERT INTO reports VALUES (?, ?, false, ?)",
                [report_id, datetime.now(UTC), json.dumps(header)],
            )

    def report_is_open(self, report_id: str) -> bool:
        with self._lock:
            found = self._con.execute(
                "SELECT 1 FROM reports WHERE report_id = ? AND NOT closed", [report_id]
            ).fetchall()
        return bool(found)

    def close_report(self, report_id: str) -> bool:
        with self._lock:
            closed = self._con.execute(
                "UPDATE reports SET closed = true WHERE report_id = ? AND NOT closed "
                "RETURNING report_id",
                [report_id],
            ).fetchall()
        return bool(closed)

    def select(self, sql: str) -> Iterator[tuple[Any, ...]]:
        with self._lock:
            cursor = self._con.cursor()
        cursor.execute("SET TimeZone = 'UTC'")
        cursor.execute(sql)
        while batch := cursor.fetchmany(10_000):
            yield from batch

    def count(self) -> int:
        with self._lock:
            rows = self._con.execute("SELECT count(*) FROM measurements").fetchall()
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            self._export(0)
            self._con.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
