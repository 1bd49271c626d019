"""The interface every store offers the collector, and how a ``--store`` value picks one.

A store is named by one string so the collector and the analysts' commands take the same flag:
``duckdb:PATH`` (embedded, the default), ``chdb:PATH`` (ClickHouse's engine in-process) or
``clickhouse://user:password@host:8123/database`` (a server or cluster, via clickhouse-connect).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from probe.store.errors import StoreError
from probe.store.rows import Stored

__all__ = ["Storage", "StoreError", "open_storage"]


class Storage(Protocol):
    table_name: str
    """What a SELECT names to read the measurements (deduplicated)."""

    def add(self, rows: Sequence[Stored]) -> set[str]:
        """Store the rows not stored yet; returns the ``measurement_uid``s that were new."""
        ...

    def open_report(self, report_id: str, header: dict[str, Any]) -> None: ...

    def report_is_open(self, report_id: str) -> bool: ...

    def close_report(self, report_id: str) -> bool:
        """False when no such report is open."""
        ...

    def select(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """Rows of one SELECT, fetched in batches."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def open_storage(spec: str) -> Storage:
    """Open (creating tables if needed) the store that ``spec`` names."""
    kind, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise StoreError(f"{spec}: name a store as duckdb:PATH, chdb:PATH or clickhouse://HOST")
    try:
        if kind == "duckdb":
            from probe.store.duck import DuckStore

            return DuckStore(Path(rest))
        if kind in ("clickhouse", "chdb"):
            from probe.store.clickhouse import ClickHouseStore, connect_chdb, connect_server

            executor = connect_chdb(Path(rest)) if kind == "chdb" else connect_server(spec)
            return ClickHouseStore(executor)
    except ImportError as exc:
        raise StoreError(
            f"{spec}: needs {exc.name or 'a library'} from the collector extra: "
            "pip install 'probe[collector]'"
        ) from exc
    raise StoreError(f"{spec}: unknown store kind {kind!r}; use duckdb:, chdb: or clickhouse://")
