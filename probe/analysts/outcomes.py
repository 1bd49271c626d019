"""The four outcome classes that every analyst tool groups verdicts into."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    DOWN = "down"
    UNDETERMINED = "undetermined"
    BLOCKED = "blocked"


def outcome_of(blocking: object, accessible: object) -> Outcome:
    """Map the OONI pair (blocking, accessible) to one class; a string blocking wins."""
    if isinstance(blocking, str):
        return Outcome.BLOCKED
    if blocking is None:
        return Outcome.UNDETERMINED
    return Outcome.OK if accessible is True else Outcome.DOWN
