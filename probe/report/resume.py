"""Picking up an interrupted run: what the file already holds, and repairing a torn tail.

A ``kill -9`` or power loss can leave half a line at the end of a results file: bytes after the
last newline, since each measurement is written with its newline in one call. Only those are
reported and cut off. A complete line that is not a measurement, even the last one, is an error
that changes nothing, because cutting or skipping it would lose or duplicate a measurement. A
trailer ending the file is cut off too: the resumed run appends its own when it finishes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from probe.report.jsonl import ResultsError, is_trailer
from probe.report.lines import TIME_FORMAT, LineError, check_measurement, parse


@dataclass(frozen=True)
class Recovered:
    done: set[tuple[str, str]] = field(default_factory=set)
    """(test_name, input) pairs already measured."""
    report_ids: dict[str, str] = field(default_factory=dict)
    """test_name -> the report id the interrupted run used for it."""
    test_start_time: datetime | None = None
    torn_bytes: int = 0
    torn_line: int = 0


def recover(path: Path) -> Recovered:
    """Read what an earlier run wrote, truncating a torn last line in place."""
    if not path.exists():
        return Recovered()
    data = path.read_bytes()
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: empty for an intact file
    done: set[tuple[str, str]] = set()
    report_ids: dict[str, str] = {}
    started: datetime | None = None
    torn_bytes = len(tail)
    torn_line = len(lines) + 1 if tail else 0
    trailer = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = parse(raw.decode("utf-8", errors="replace"))
            if is_trailer(record):
                # The run goes on, so its run-level result no longer holds; the next one is new.
                trailer = len(raw) + 1 if number == len(lines) and not tail else 0
                continue
            check_measurement(record, ("test_name",))
        except LineError as exc:
            raise ResultsError(f"{path}:{number}: {exc}; cannot resume, nothing changed") from exc
        name = record["test_name"]
        # A test whose targets are built in has input null (df-000); its job's input is "".
        done.add((name, str(record.get("input") or "")))
        report_ids.setdefault(name, str(record.get("report_id", "")))
        if started is None and record.get("test_start_time"):
            started = datetime.strptime(record["test_start_time"], TIME_FORMAT)
            started = started.replace(tzinfo=UTC)
    if torn_bytes or trailer:
        with path.open("r+b") as handle:
            handle.truncate(len(data) - torn_bytes - trailer)
            handle.flush()
            os.fsync(handle.fileno())
    return Recovered(done, report_ids, started, torn_bytes, torn_line)
