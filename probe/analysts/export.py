"""The flat table of target measurements, as CSV or Parquet, written in bounded batches.

One schema serves the CSV and Parquet exports and the DuckDB store (docs/analysis-store.md), so a
Parquet file made here loads unchanged into DuckDB or ClickHouse.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from probe.analysts.loading import TargetResult
from probe.analysts.outcomes import Outcome

BATCH_ROWS = 10_000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_FIELDS: list[pa.Field[Any]] = [
    pa.field("measurement_start_time", pa.timestamp("s", tz="UTC"), nullable=False),
    pa.field("report_id", pa.string(), nullable=False),
    pa.field("probe_asn", pa.string(), nullable=False),
    pa.field("probe_cc", pa.string(), nullable=False),
    pa.field("probe_network_name", pa.string(), nullable=False),
    pa.field("list_name", pa.string()),
    pa.field("test_name", pa.string(), nullable=False),
    pa.field("input", pa.string(), nullable=False),
    pa.field("category_code", pa.string()),
    pa.field("outcome", pa.string(), nullable=False),
    pa.field("blocking", pa.string()),
    pa.field("accessible", pa.bool_()),
    pa.field("technique", pa.string()),
    pa.field("failing_step", pa.string()),
    pa.field(
        "resolved_ips", pa.list_(pa.field("item", pa.string(), nullable=False)), nullable=False
    ),
    pa.field("mitm_root", pa.string()),
    pa.field("blockpage", pa.string()),
    pa.field("detail", pa.string()),
]
SCHEMA = pa.schema(_FIELDS)
COLUMNS = SCHEMA.names


def blocking_text(result: TargetResult) -> str | None:
    """OONI's ``blocking`` as text: ``"false"``, the blocking type, or null when undetermined."""
    if result.outcome is Outcome.UNDETERMINED:
        return None
    return result.blocking if result.outcome is Outcome.BLOCKED else "false"


def row(result: TargetResult) -> tuple[Any, ...]:
    """The export row, in ``COLUMNS`` order; the time is still OONI's text form."""
    return (
        result.measurement_start_time,
        result.report_id,
        result.probe_asn,
        result.probe_cc,
        result.probe_network_name,
        result.list_name,
        result.test_name,
        result.input,
        result.category,
        str(result.outcome),
        blocking_text(result),
        result.accessible,
        result.technique,
        result.failing_step,
        list(result.resolved_ips),
        result.mitm_root,
        result.blockpage,
        result.detail,
    )


def record_batches(results: Iterable[TargetResult], size: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """Arrow tables of at most ``size`` rows, so memory stays flat however long the input."""
    iterator = iter(results)
    while chunk := [row(result) for result in islice(iterator, size)]:
        columns: list[Any] = [list(values) for values in zip(*chunk, strict=True)]
        times = pc.strptime(pa.array(columns[0], pa.string()), format=TIME_FORMAT, unit="s")
        columns[0] = pc.assume_timezone(times, "UTC")
        yield pa.Table.from_arrays(
            [pa.array(values, field.type) for values, field in zip(columns, SCHEMA, strict=True)],
            schema=SCHEMA,
        )


def write_parquet(results: Iterable[TargetResult], path: Path) -> int:
    count = 0
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        for table in record_batches(results):
            writer.write_table(table)
            count += table.num_rows
    return count


def write_csv(results: Iterable[TargetResult], path: Path) -> int:
    """CSV with a header; booleans as true/false, resolved IPs space-separated, null as empty."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for values in map(row, results):
            writer.writerow(_csv_cell(value) for value in values)
            count += 1
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return str(value)
