"""The ClickHouse store: OONI's scale, behind the same interface as the embedded one.

The SQL here is all the store says to ClickHouse; an :class:`Executor` carries it, either to a
server through clickhouse-connect or into chdb, ClickHouse's engine in-process, which is how
the tests run this very SQL. The table is close to OONI's ``fastpath``: a ReplacingMergeTree
ordered by time, ASN and measurement, so a resent measurement collapses on merge, with
``anomaly``/``confirmed`` computed from our verdicts. docs/analysis-store.md shows the
Distributed table for a cluster.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import unquote, urlsplit

import pyarrow as pa

from probe.store.errors import StoreError
from probe.store.rows import STORE_SCHEMA, Stored, table

DATABASE: Final = "probe"
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


def column_type(field: pa.Field[Any]) -> str:
    if pa.types.is_timestamp(field.type):
        kind = "DateTime('UTC')"
    elif pa.types.is_boolean(field.type):
        kind = "Bool"
    elif pa.types.is_list(field.type):
        return "Array(String)"
    elif field.name in ("probe_asn", "probe_cc", "test_name", "outcome", "technique"):
        return (
            "LowCardinality(String)" if not field.nullable else "LowCardinality(Nullable(String))"
        )
    else:
        kind = "String"
    return f"Nullable({kind})" if field.nullable else kind


def measurements_ddl(database: str = DATABASE, name: str = "measurements") -> str:
    columns = [f"{field.name} {column_type(field)}" for field in STORE_SCHEMA]
    columns += [
        "anomaly UInt8 MATERIALIZED outcome IN ('blocked', 'undetermined')",
        "confirmed UInt8 MATERIALIZED mitm_root IS NOT NULL OR blockpage IS NOT NULL",
        "INDEX uid_index measurement_uid TYPE bloom_filter GRANULARITY 4",
    ]
    return (
        f"CREATE TABLE IF NOT EXISTS {database}.{name} (\n  " + ",\n  ".join(columns) + "\n)\n"
        "ENGINE = ReplacingMergeTree\n"
        "PARTITION BY toYYYYMM(measurement_start_time)\n"
        "ORDER BY (measurement_start_time, probe_asn, measurement_uid)"
    )


def reports_ddl(database: str = DATABASE) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {database}.reports (\n"
        "  report_id String, opened_at DateTime('UTC'), closed Bool, header String,\n"
        "  version UInt64\n) ENGINE = ReplacingMergeTree(version) ORDER BY report_id"
    )


def literal(value: str) -> str:
    """A ClickHouse string literal (backslash and quote escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def json_rows(arrow: pa.Table) -> bytes:
    """JSONEachRow lines of ``arrow``; times in the text form ClickHouse parses."""
    lines = []
    for row in arrow.to_pylist():
        row["measurement_start_time"] = row["measurement_start_time"].strftime(TIME_FORMAT)
        lines.append(json.dumps(row, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


class Executor(Protocol):
    database: str

    def command(self, sql: str) -> None: ...

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]: ...

    def insert_json(self, table_name: str, data: bytes) -> None: ...


class ChdbExecutor:
    """ClickHouse's engine in this process, with its data in a folder (chdb)."""

    database = DATABASE

    def __init__(self, path: Path) -> None:
        from chdb import session

        path.mkdir(parents=True, exist_ok=True)
        self._session = session.Session(str(path))  # type: ignore[no-untyped-call]
        self._lock = threading.Lock()

    def command(self, sql: str) -> None:
        with self._lock:
            self._session.query(sql)  # type: ignore[no-untyped-call]

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        with self._lock:
            result = self._session.query(sql, "JSONCompactEachRow").bytes()  # type: ignore[no-untyped-call]
        for line in result.splitlines():
            yield tuple(json.loads(line))

    def insert_json(self, table_name: str, data: bytes) -> None:
        self.command(
            f"INSERT INTO {self.database}.{table_name} FORMAT JSONEachRow\n" + data.decode()
        )


class ServerExecutor:
    """A ClickHouse server or cluster over HTTP(S), through clickhouse-connect."""

    def __init__(self, client: Any, database: str) -> None:
        self._client = client
        self.database = database

    def command(self, sql: str) -> None:
        self._client.command(sql)

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        with self._client.query_rows_stream(sql) as stream:
            yield from (tuple(row) for row in stream)

    def insert_json(self, table_name: str, data: bytes) -> None:
        self._client.raw_insert(table_name, insert_block=data, fmt="JSONEachRow")


def connect_chdb(path: Path) -> ChdbExecutor:
    return ChdbExecutor(path)


def connect_server(url: str) -> ServerExecutor:
    """``clickhouse://[user[:password]@]host[:port][/database]``; ``clickhouses://`` for TLS."""
    import clickhouse_connect

    parts = urlsplit(url)
    database = parts.path.strip("/") or DATABASE
    if not _IDENTIFIER.fullmatch(database) or not parts.hostname:
        raise StoreError(f"{parts.hostname}: a ClickHouse URL is clickhouse://HOST[:PORT]/DATABASE")
    secure = parts.scheme == "clickhouses"
    try:
        client = clickhouse_connect.get_client(
            host=parts.hostname,
            port=parts.port or (8443 if secure else 8123),
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            secure=secure,
        )
    except Exception as exc:  # clickhouse-connect raises its own and OS errors alike
        raise StoreError(f"{parts.hostname}: cannot reach ClickHouse: {exc}") from exc
    return ServerExecutor(client, database)


class ClickHouseStore:
    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        db = executor.database
        self.table_name = f"{db}.measurements FINAL"
        executor.command(f"CREATE DATABASE IF NOT EXISTS {db}")
        executor.command(measurements_ddl(db))
        executor.command(reports_ddl(db))

    def add(self, rows: Sequence[Stored]) -> set[str]:
        """Insert the rows whose uid is not stored yet; the ReplacingMergeTree collapses any
        race between two collectors on merge."""
        unique = {row.measurement_uid: row for row in rows}
        if not unique:
            return set()
        wanted = ", ".join(map(literal, unique))
        known = {
            uid
            for (uid,) in self.executor.rows(
                f"SELECT measurement_uid FROM {self.executor.database}.measurements "
                f"WHERE measurement_uid IN ({wanted})"
            )
        }
        fresh = [row for uid, row in unique.items() if uid not in known]
        if fresh:
            self.executor.insert_json("measurements", json_rows(table(fresh)))
        return {row.measurement_uid for row in fresh}

    def _report(self, report_id: str, closed: bool, header: str) -> None:
        row = {
            "report_id": report_id,
            "opened_at": datetime.now(UTC).strftime(TIME_FORMAT),
            "closed": closed,
            "header": header,
            "version": int(datetime.now(UTC).timestamp() * 1e6),
        }
        self.executor.insert_json("reports", (json.dumps(row) + "\n").encode())

    def open_report(self, report_id: str, header: dict[str, Any]) -> None:
        self._report(report_id, False, json.dumps(header))

    def report_is_open(self, report_id: str) -> bool:
        found = list(
            self.executor.rows(
                f"SELECT closed FROM {self.executor.database}.reports FINAL "
                f"WHERE report_id = {literal(report_id)}"
            )
        )
        return bool(found) and not found[0][0]

    def close_report(self, report_id: str) -> bool:
        if not self.report_is_open(report_id):
            return False
        self._report(report_id, True, "")
        return True

    def select(self, sql: str) -> Iterator[tuple[Any, ...]]:
        return self.executor.rows(sql)

    def count(self) -> int:
        rows = list(
            self.executor.rows(f"SELECT count() FROM {self.executor.database}.measurements FINAL")
        )
        return int(rows[0][0])

    def close(self) -> None:
        """Nothing to release: every statement is its own request."""
