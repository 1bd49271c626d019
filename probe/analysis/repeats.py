"""Repeated measurements of one target (``--repeat``): how often it was blocked.

A one-shot measurement of a target blocked 60% of the time is right or wrong by chance, so the
repeats of an input within one report are tallied as a whole. Each measurement keeps its own
verdict; the rate is a fact of the group, computed from the stored verdicts alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from probe.analysis.vocabulary import Category

INTERMITTENT = "intermittent"
BLOCKED = "blocked"
NOT_BLOCKED = "not blocked"


@dataclass(frozen=True)
class Repeats:
    blocked: int
    total: int

    @property
    def rate(self) -> float:
        return self.blocked / self.total

    @property
    def state(self) -> str:
        """``blocked`` every time, ``not blocked`` never, else ``intermittent``."""
        if self.blocked == self.total:
            return BLOCKED
        return INTERMITTENT if self.blocked else NOT_BLOCKED

    def as_record(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "of": self.total,
            "rate": round(self.rate, 4),
            "state": self.state,
        }


class RepeatTally:
    """Verdict categories per (input, report id); only inputs measured more than once count."""

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, str]] = Counter()
        self._blocked: Counter[tuple[str, str]] = Counter()

    def add(self, measurement_input: object, report_id: object, category: Category) -> None:
        if not isinstance(measurement_input, str) or not measurement_input:
            return
        key = repeat_key(measurement_input, report_id)
        self._seen[key] += 1
        self._blocked[key] += category is Category.BLOCKED

    @property
    def targets(self) -> int:
        """Distinct (input, report id): a target measured seven times is still one target."""
        return len(self._seen)

    def result(self) -> dict[tuple[str, str], Repeats]:
        """Per (input, report id) measured more than once."""
        return {
            key: Repeats(self._blocked[key], n) for key, n in sorted(self._seen.items()) if n > 1
        }


def repeat_key(measurement_input: object, report_id: object) -> tuple[str, str]:
    return (str(measurement_input or ""), str(report_id or ""))


def repeats_from_rows(rows: object) -> dict[tuple[str, str], Repeats]:
    """The ``repeats`` of a stored summary (a trailer), ignoring malformed rows."""
    found: dict[tuple[str, str], Repeats] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        blocked, total = row.get("blocked"), row.get("of")
        if isinstance(blocked, int) and isinstance(total, int) and 0 <= blocked <= total > 1:
            found[repeat_key(row.get("input"), row.get("report_id"))] = Repeats(blocked, total)
    return found
