"""Read a store back as the analysts' records, with filters, for diff, report and export.

The rows become the same :class:`TargetResult` and :class:`RunIndex` that reading the files
gives, so every analyst tool computes the same result from a store as from the equivalent files.
Filter values are checked against strict patterns before they reach the SQL, which is why the
one SQL text can carry them as literals on DuckDB and ClickHouse alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from probe.analysts.loading import RunIndex, TargetResult
from probe.analysts.outcomes import Outcome
from probe.store.backend import Storage
from probe.store.errors import StoreError

_ASN: Final = re.compile(r"AS[0-9]{1,10}")
_CC: Final = re.compile(r"[A-Z]{2}")
_CATEGORY: Final = re.compile(r"[A-Z0-9_]{1,32}")
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
_COLUMNS: Final = (
    "measurement_start_time, report_id, probe_asn, probe_cc, probe_network_name, list_name, "
    "test_name, input, category_code, outcome, blocking, accessible, technique, failing_step, "
    "resolved_ips, mitm_root, blockpage, detail, test_start_time, software_name, "
    "software_version, network_unusable"
)


@dataclass(frozen=True)
class Filters:
    """Which stored measurements to read; empty tuples and None mean no restriction."""

    asns: tuple[str, ...] = ()
    ccs: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive."""
    categories: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for values, pattern, what in (
            (self.asns, _ASN, "an ASN such as AS9198"),
            (self.ccs, _CC, "a country code such as KZ"),
            (self.categories, _CATEGORY, "a category code such as NEWS"),
        ):
            for value in values:
                if not pattern.fullmatch(value):
                    raise StoreError(f"{value!r}: not {what}")

    def where(self) -> str:
        clauses = []
        for column, values in (
            ("probe_asn", self.asns),
            ("probe_cc", self.ccs),
            ("category_code", self.categories),
        ):
            if values:
                clauses.append(f"{column} IN ({', '.join(repr(v) for v in values)})")
        if self.since is not None:
            clauses.append(f"measurement_start_time >= '{self.since:{TIME_FORMAT}}'")
        if self.until is not None:
            clauses.append(f"measurement_start_time < '{self.until:{TIME_FORMAT}}'")
        return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def parse_asn(value: str) -> str:
    """``9198`` or ``AS9198`` as ``AS9198``."""
    text = value.strip().upper()
    return text if text.startswith("AS") else f"AS{text}"


def parse_day(value: str, end: bool = False) -> datetime:
    """A UTC day or time; ``end`` makes a bare day inclusive (its next midnight)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise StoreError(f"{value!r}: not a date (YYYY-MM-DD) or time") from exc
    bare_day = len(value.strip()) == 10
    if end and bare_day:
        moment += timedelta(days=1)
    return moment.replace(tzinfo=None)


def side_filters(selector: str, common: Filters) -> Filters:
    """One side of a store diff: an ASN (``AS9198``), a day or a range ``DAY..DAY``, narrowed
    by the common filters."""
    text = selector.strip()
    if re.fullmatch(r"(?i)(AS)?[0-9]{1,10}", text):
        return replace(common, asns=(parse_asn(text),))
    first, sep, last = text.partition("..")
    since = parse_day(first) if first else common.since
    until = parse_day(last if sep else first, end=True) if (last or not sep) else common.until
    return replace(common, since=since, until=until)


def _time(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime(TIME_FORMAT)
    return str(value)


def _result(row: tuple[Any, ...]) -> TargetResult:
    outcome = Outcome(row[9])
    return TargetResult(
        input=row[7],
        test_name=row[6],
        report_id=row[1],
        measurement_start_time=_time(row[0]),
        probe_asn=row[2],
        probe_cc=row[3],
        probe_network_name=row[4],
        list_name=row[5],
        category=row[8],
        outcome=outcome,
        blocking=row[10] if outcome is Outcome.BLOCKED else None,
        accessible=row[11],
        technique=row[12],
        detail=row[17],
        blockpage=row[16],
        failing_step=row[13],
        resolved_ips=tuple(row[14] or ()),
        mitm_root=row[15],
    )


def load_stored(
    storage: Storage, filters: Filters, runs: RunIndex | None = None
) -> Iterator[TargetResult]:
    """Stream the matching measurements, oldest first, as the file reader would."""
    sql = (
        f"SELECT {_COLUMNS} FROM {storage.table_name}{filters.where()} "
        "ORDER BY measurement_start_time, report_id, input, test_name"
    )
    for row in storage.select(sql):
        result = _result(row)
        if runs is not None:
            record = {
                "test_start_time": row[18],
                "software_name": row[19],
                "software_version": row[20],
                "test_keys": {"x_network_unusable": bool(row[21])},
            }
            runs.add(record, result)
        yield result
