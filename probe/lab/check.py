"""Comparing measurements with a scenario's ``[[expect]]`` entries (pure; no I/O).

Only keys an entry gives are compared. A key the measurement lacks is a mismatch reported as
"not computed", so ``probe lab check`` cannot pass before the verdict fields exist. With
``--repeat`` a URL has several measurements: the keys are compared on its first (the one a run
without repeats makes), ``intermittent`` on the blocking rate of them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from probe.analysis.per_test import stored_verdict
from probe.analysis.repeats import INTERMITTENT
from probe.analysis.vocabulary import Category, category_of
from probe.inputs.urls import check_url
from probe.lab.scenario import Expect, Scenario

NOT_COMPUTED = "not computed"
MISSING = "no measurement"
ACCESSIBLE: dict[Category, bool | None] = {
    Category.OK: True,
    Category.DOWN: False,
    Category.UNDETERMINED: None,
    Category.BLOCKED: False,
}
"""The ``accessible`` value that goes with each category's ``blocking``."""


@dataclass(frozen=True)
class Row:
    url: str
    key: str
    expected: str
    measured: str
    ok: bool


def url_key(url: str) -> str:
    try:
        return check_url(url).key
    except ValueError:
        return url


def index(measurements: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """First measurements by normalised input URL, or by test name for tests with built-in
    targets (a repeat, ``x_repeat``, is never a first)."""
    found: dict[str, Mapping[str, Any]] = {}
    for m in measurements:
        if "x_repeat" not in (m.get("test_keys") or {}):
            found.setdefault(_measured_key(m), m)
    return found


def repeat_flags(scenario: Scenario) -> list[str]:
    """``--repeat`` for the check: the largest ``repeat`` of its entries, spaced just past the
    longest ``residual`` of its rules (1 s without one), so that no repeat meets a residual block
    left by the one before, and a check takes seconds, not the run default's minutes."""
    times = max((e.repeat for e in scenario.expects if e.repeat), default=0)
    if not times:
        return []
    gap = max((r.residual for r in scenario.rules if r.residual), default=0) + 1
    return ["--repeat", str(times), "--repeat-gap", str(gap)]


def unrepeated(
    expects: Iterable[Expect], measurements: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The ``intermittent`` entries whose URL was ok the first time, so not repeated (the probe
    repeats only what was not ok): a fair coin does that every other run."""
    return [
        e.label
        for e in expects
        if e.verdict == INTERMITTENT
        and (found := measurements.get(expected_key(e))) is not None
        and "x_blocking_rate" not in (keys := found.get("test_keys") or {})
        and verdict_of(keys) == Category.OK
    ]


def _rate(test_keys: Mapping[str, Any]) -> str:
    rate = test_keys.get("x_blocking_rate")
    if not isinstance(rate, Mapping):
        return f"measured once: {verdict_of(test_keys)}"
    return f"{rate.get('state')} (blocked in {rate.get('blocked')} of {rate.get('of')})"


def _measured_key(measurement: Mapping[str, Any]) -> str:
    url = str(measurement.get("input") or "")
    return url_key(url) if url else f"test:{measurement.get('test_name')}"


def expected_key(expect: Expect) -> str:
    return f"test:{expect.test}" if expect.test else url_key(expect.url)


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def verdict_of(test_keys: Mapping[str, Any]) -> str:
    """The scenario verdict that a measurement's (blocking, accessible) pair stands for."""
    stored = stored_verdict(test_keys)
    if stored is None:
        return NOT_COMPUTED
    blocking, accessible = stored
    category = category_of(blocking, accessible)
    well_formed = isinstance(blocking, str) or blocking is False or blocking is None
    if well_formed and accessible is ACCESSIBLE[category]:
        return category
    return f"blocking={_show(blocking)}, accessible={_show(accessible)}"


def _key(test_keys: Mapping[str, Any], name: str) -> str:
    return _show(test_keys[name]) if name in test_keys else NOT_COMPUTED


def compare(expects: Iterable[Expect], measurements: Mapping[str, Mapping[str, Any]]) -> list[Row]:
    rows: list[Row] = []
    for expect in expects:
        found = measurements.get(expected_key(expect))
        label = expect.label
        if found is None:
            rows.append(Row(label, "measurement", "present", MISSING, False))
            continue
        test_keys: Mapping[str, Any] = found.get("test_keys") or {}
        if expect.verdict == INTERMITTENT:
            measured = _rate(test_keys)
            rows.append(Row(label, "verdict", expect.verdict, measured,
                            measured.startswith(f"{INTERMITTENT} ")))  # fmt: skip
        elif expect.verdict is not None:
            measured = verdict_of(test_keys)
            rows.append(Row(label, "verdict", expect.verdict, measured,
                            measured == expect.verdict))  # fmt: skip
        if expect.blocking is not None:
            want = _show(expect.blocking)
            stored = stored_verdict(test_keys)
            measured = NOT_COMPUTED if stored is None else _show(stored[0])
            rows.append(Row(label, "blocking", want, measured, measured == want))
        if expect.technique is not None:
            measured = _key(test_keys, "x_technique")
            rows.append(Row(label, "technique", expect.technique, measured,
                            measured == expect.technique))  # fmt: skip
        if expect.network_unusable is not None:
            want = _show(expect.network_unusable)
            measured = _key(test_keys, "x_network_unusable")
            rows.append(Row(label, "network_unusable", want, measured, measured == want))
    return rows
