"""Picking up an interrupted run: what the file already holds, and repairing a torn tail.

A ``kill -9`` or power loss can leave half a line at the end of a results file. That line is
reported and cut off, never kept; a corrupt line anywhere else is an error, because silently
skipping it would lose or duplicate a measurement. A trailer ending the file is cut off too: the
resumed run appends its own when it finishes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from probe.report.jsonl import ResultsError, is_trailer


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
            record = json.loads(raw)
            if isinstance(record, dict) and is_trailer(record):
                # The run goes on, so its run-level result no longer holds; the next one is new.
                trailer = len(raw) + 1 if number == len(lines) and not tail else 0
                continue
            name, url = record["test_name"], record["input"] or ""
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines) and not tail:
                torn_bytes, torn_line = len(raw) + 1, number  # written but never completed
                break
            raise ResultsError(f"{path}:{number}: not a measurement; cannot resume") from exc
        done.add((str(name), str(url)))
        report_ids.setdefault(str(name), str(record.get("report_id", "")))
        if started is None and record.get("test_start_time"):
            started = datetime.strptime(record["test_start_time"], "%Y-%m-%d %H:%M:%S")
            started = started.replace(tzinfo=UTC)
    if torn_bytes or trailer:
        with path.open("r+b") as handle:
            handle.truncate(len(data) - torn_bytes - trailer)
            handle.flush()
            os.fsync(handle.fileno())
    return Recovered(done, report_ids, started, torn_bytes, torn_line)
