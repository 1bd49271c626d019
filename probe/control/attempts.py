"""Which controls a measurement tried, and the run's memory of the ones that were unreachable.

A file must show "tried these, they failed", or a reader cannot tell a run without controls from
a run whose controls were blocked. And a control that cannot be reached is skipped for the rest
of the run: on a network that blocks it, paying its timeout for every target would turn a one-hour
run into a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypedDict
from urllib.parse import urlsplit

HELPER: Final = "helper"
DOH: Final = "doh"


class AttemptRecord(TypedDict):
    """One entry of ``x_controls`` (docs/data-format.md, "Controls tried")."""

    kind: str
    address: str
    failure: str | None
    skipped: bool


@dataclass(frozen=True)
class Attempt:
    """One control asked (or skipped) for one measurement."""

    kind: str
    """``helper`` (a web_connectivity test helper) or ``doh`` (a DNS-over-HTTPS resolver)."""
    address: str
    """The control's URL."""
    failure: str | None
    skipped: bool = False
    """Not contacted for this measurement: it was unreachable earlier in the run (``failure``)."""

    def as_json(self) -> AttemptRecord:
        return AttemptRecord(
            kind=self.kind, address=self.address, failure=self.failure, skipped=self.skipped
        )


def merged(attempts: Iterable[Attempt]) -> list[Attempt]:
    """One attempt per control, for a test that asked the same helpers several times: a control
    that answered once counts as answering; otherwise its first failure is kept."""
    by_address: dict[tuple[str, str], Attempt] = {}
    for attempt in attempts:
        key = (attempt.kind, attempt.address)
        kept = by_address.get(key)
        if kept is None or (kept.failure is not None and attempt.failure is None):
            by_address[key] = attempt
    return list(by_address.values())


def never_answered(measurements: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The controls that failed for every measurement that tried them, each with its first
    failure: what a volunteer must be told, since every verdict that needed them is undetermined."""
    failed: dict[str, str] = {}
    answered: set[str] = set()
    for measurement in measurements:
        keys = measurement.get("test_keys")
        for entry in (keys.get("x_controls") if isinstance(keys, Mapping) else None) or []:
            address = entry.get("address") if isinstance(entry, Mapping) else None
            if not isinstance(address, str):
                continue
            failure = entry.get("failure")
            if failure is None:
                answered.add(address)
            elif isinstance(failure, str):
                failed.setdefault(address, failure)
    return {a: f for a, f in failed.items() if a not in answered}


class Health:
    """The controls found unreachable so far in this run, with the failure that showed it.

    A control that never answered is down at its first failure. One that has answered in this run
    is down only after failing twice in a row: a kept-alive connection can break once without the
    control being gone, and one lost answer must not cost every later target its control.
    """

    STRIKES: Final = 2

    def __init__(self) -> None:
        self._down: dict[str, str] = {}
        self._answered: set[str] = set()
        self._strikes: dict[str, int] = {}

    def down(self, address: str) -> str | None:
        return self._down.get(address)

    def reached(self, address: str) -> None:
        self._answered.add(address)
        self._strikes.pop(address, None)

    def unreachable(self, address: str, failure: str) -> None:
        strikes = self._strikes[address] = self._strikes.get(address, 0) + 1
        if address not in self._answered or strikes >= self.STRIKES:
            self._down.setdefault(address, failure)


def envelope_test_helpers(attempts: Iterable[Any]) -> dict[str, Any]:
    """OONI's envelope key ``test_helpers``: ``{"backend": {"address", "type"}}``.

    The backend is the helper contacted last, which is the one whose answer ``control`` holds
    when any answered; when every helper was skipped, the first. ``{}`` when none was asked.
    ``attempts`` are stored ``x_controls`` entries, so this works on a file as on a run.
    """
    helpers = [a for a in attempts if isinstance(a, dict) and a.get("kind") == HELPER]
    contacted = [a for a in helpers if not a.get("skipped")]
    chosen = contacted[-1:] or helpers[:1]
    if not chosen or not isinstance(address := chosen[0].get("address"), str):
        return {}
    return {"backend": {"address": address, "type": urlsplit(address).scheme or "https"}}
