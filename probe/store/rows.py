"""The collector's table: the export's flat columns, the run's metadata and the raw measurement.

The flat columns are what analysts filter and diff on; the raw JSON is kept beside them so the
store loses nothing a re-analysis needs. A measurement submitted without our verdict keys (an
OONI probe's) is analysed here for its flat columns only; its raw JSON stays as submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from probe.analysis.per_test import stored_verdict
from probe.analysis.run import analyze_measurement, merge
from probe.analysts.export import SCHEMA, record_batches
from probe.analysts.loading import summarize

EXTRA_FIELDS: Final[list[pa.Field[Any]]] = [
    pa.field("measurement_uid", pa.string(), nullable=False),
    pa.field("test_start_time", pa.string(), nullable=False),
    pa.field("software_name", pa.string(), nullable=False),
    pa.field("software_version", pa.string(), nullable=False),
    pa.field("network_unusable", pa.bool_(), nullable=False),
    pa.field("raw", pa.string(), nullable=False),
]
STORE_SCHEMA: Final = pa.schema([*SCHEMA, *EXTRA_FIELDS])
STORE_COLUMNS: Final = STORE_SCHEMA.names
_SOURCE: Final = Path("<submission>")


@dataclass(frozen=True)
class Stored:
    """One accepted measurement, ready for a store."""

    measurement_uid: str
    record: dict[str, Any]
    raw: str


def with_verdicts(record: dict[str, Any]) -> dict[str, Any]:
    keys = record.get("test_keys")
    if isinstance(keys, dict) and stored_verdict(keys) is not None:
        return record
    return merge(record, analyze_measurement(record))


def table(rows: Sequence[Stored]) -> pa.Table:
    """The Arrow table of ``rows`` in ``STORE_SCHEMA`` order."""
    analysed = [with_verdicts(row.record) for row in rows]
    flat = pa.concat_tables(list(record_batches(summarize(record, _SOURCE) for record in analysed)))
    extra: list[list[Any]] = [
        [row.measurement_uid for row in rows],
        [str(record.get("test_start_time", "")) for record in analysed],
        [str(record.get("software_name", "")) for record in analysed],
        [str(record.get("software_version", "")) for record in analysed],
        [record["test_keys"].get("x_network_unusable") is True for record in analysed],
        [row.raw for row in rows],
    ]
    for field, values in zip(EXTRA_FIELDS, extra, strict=True):
        flat = flat.append_column(field, pa.array(values, field.type))
    return flat
