"""Compare the verdicts of two sets of runs target by target.

Targets are matched by (input, test_name). When one side measured a target in several runs (a
folder of them), its latest run stands for it. A run that measured it more than once
(``--repeat``) gives it a blocking rate, and one blocked in some but not all of those
measurements is ``intermittent``: a state of its own, so a change between always and
sometimes blocked shows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from probe.analysis.repeats import INTERMITTENT, Repeats
from probe.analysts.loading import RunIndex, RunInfo, TargetResult, load_targets
from probe.analysts.outcomes import Outcome
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped


class DiffError(ResultsError):
    """Two sides that cannot be compared (different lists, nothing in common)."""


class Change(StrEnum):
    """Diff classes, in display order: changes first."""

    NEWLY_BLOCKED = "newly blocked"
    NEWLY_INTERMITTENT = "newly intermittent"
    UNBLOCKED = "unblocked"
    TECHNIQUE_CHANGED = "technique changed"
    NEWLY_DOWN_OR_UNDETERMINED = "newly down or undetermined"
    RECOVERED = "recovered"
    ONLY_IN_OLD = "only in OLD"
    ONLY_IN_NEW = "only in NEW"
    STILL_BLOCKED = "still blocked"
    STILL_INTERMITTENT = "still intermittent"
    STILL_DOWN_OR_UNDETERMINED = "still down or undetermined"
    STILL_OK = "still ok"

    @property
    def is_change(self) -> bool:
        return self not in _UNCHANGED


_UNCHANGED = {
    Change.STILL_BLOCKED,
    Change.STILL_INTERMITTENT,
    Change.STILL_DOWN_OR_UNDETERMINED,
    Change.STILL_OK,
}
_ORDER = {change: index for index, change in enumerate(Change)}


def _technique(result: TargetResult) -> str | None:
    return result.technique or result.blocking


def intermittent(rate: Repeats | None) -> bool:
    return rate is not None and rate.state == INTERMITTENT


def classify(
    old: TargetResult | None,
    new: TargetResult | None,
    old_rate: Repeats | None = None,
    new_rate: Repeats | None = None,
) -> Change:
    """The diff class of one target; ``None`` stands for a side that did not measure it. A
    side's rate (several measurements in its run) makes it intermittent when it is neither
    always nor never blocked."""
    if old is None:
        return Change.ONLY_IN_NEW
    if new is None:
        return Change.ONLY_IN_OLD
    before, after = old.outcome, new.outcome
    if intermittent(new_rate):
        return Change.STILL_INTERMITTENT if intermittent(old_rate) else Change.NEWLY_INTERMITTENT
    if intermittent(old_rate):
        if after is Outcome.BLOCKED:
            return Change.NEWLY_BLOCKED  # now blocked every time
        return Change.UNBLOCKED if after is Outcome.OK else Change.NEWLY_DOWN_OR_UNDETERMINED
    if after is Outcome.BLOCKED:
        if before is not Outcome.BLOCKED:
            return Change.NEWLY_BLOCKED
        same = _technique(old) == _technique(new)
        return Change.STILL_BLOCKED if same else Change.TECHNIQUE_CHANGED
    if after is Outcome.OK:
        if before is Outcome.OK:
            return Change.STILL_OK
        return Change.UNBLOCKED if before is Outcome.BLOCKED else Change.RECOVERED
    if before is after:
        return Change.STILL_DOWN_OR_UNDETERMINED
    return Change.NEWLY_DOWN_OR_UNDETERMINED


@dataclass(frozen=True, slots=True)
class DiffRow:
    input: str
    test_name: str
    change: Change
    old: TargetResult | None
    new: TargetResult | None
    old_rate: Repeats | None = None
    """The blocking rate on that side, when its run measured the target more than once."""
    new_rate: Repeats | None = None

    @property
    def category(self) -> str | None:
        side = self.new or self.old
        return side.category if side else None


@dataclass(frozen=True)
class Side:
    """What one side of the comparison covered."""

    files: list[Path]
    runs: list[RunInfo]
    targets: dict[tuple[str, str], TargetResult]
    rates: dict[tuple[str, str], Repeats] = field(default_factory=dict)
    """Targets that the standing run measured more than once: how often they were blocked."""

    @property
    def networks(self) -> list[str]:
        return sorted({run.probe_asn for run in self.runs})

    @property
    def lists(self) -> set[str]:
        return {name for run in self.runs for name in run.lists}


@dataclass(frozen=True)
class DiffResult:
    old: Side
    new: Side
    rows: list[DiffRow]

    @property
    def across_networks(self) -> bool:
        """True when the sides come from different networks: ISP against ISP."""
        return self.old.networks != self.new.networks

    @property
    def changed(self) -> bool:
        return any(row.change.is_change for row in self.rows)

    def counts(self) -> Counter[Change]:
        return Counter(row.change for row in self.rows)


def read_side(paths: Sequence[Path], skipped: Skipped | None = None) -> Side:
    runs = RunIndex()
    files = list(paths)
    results = load_targets(files, runs, skipped)
    return side_of(results, runs, files, ", ".join(map(str, files)))


def side_of(results: Iterable[TargetResult], runs: RunIndex, files: list[Path], name: str) -> Side:
    """One side from streamed results (files or a store); ``runs`` fills while they stream.

    An intermittent target shows the evidence of its blocking (see ``_stands_over``)."""
    targets: dict[tuple[str, str], TargetResult] = {}
    seen: Counter[tuple[tuple[str, str], str]] = Counter()
    blocked: defaultdict[tuple[tuple[str, str], str], int] = defaultdict(int)
    for result in results:
        seen[result.key, result.report_id] += 1
        blocked[result.key, result.report_id] += result.outcome is Outcome.BLOCKED
        kept = targets.get(result.key)
        if kept is None or _stands_over(result, kept):
            targets[result.key] = result
    if not targets:
        raise DiffError(f"{name}: no measurements")
    rates = {
        key: Repeats(blocked[key, kept.report_id], seen[key, kept.report_id])
        for key, kept in targets.items()
        if seen[key, kept.report_id] > 1
    }
    return Side(files, runs.ordered(), targets, rates)


def _stands_over(result: TargetResult, kept: TargetResult) -> bool:
    """The later measurement stands, except that in one run a blocked one is not replaced by
    one that was not."""
    was, now = kept.outcome is Outcome.BLOCKED, result.outcome is Outcome.BLOCKED
    if result.report_id == kept.report_id and was != now:
        return now
    return result.measurement_start_time >= kept.measurement_start_time


def _check_comparable(old: Side, new: Side) -> None:
    if old.lists and new.lists and old.lists != new.lists:
        raise DiffError(
            f"OLD measured list {', '.join(sorted(old.lists))} and NEW measured list "
            f"{', '.join(sorted(new.lists))}: compare runs of the same list"
        )
    if not old.targets.keys() & new.targets.keys():
        raise DiffError("OLD and NEW have no target (input and test_name) in common")


def compare(old: Side, new: Side) -> DiffResult:
    _check_comparable(old, new)
    keys = old.targets.keys() | new.targets.keys()
    rows = []
    for key in keys:
        before, after = old.targets.get(key), new.targets.get(key)
        rates = old.rates.get(key), new.rates.get(key)
        change = classify(before, after, *rates)
        rows.append(DiffRow(key[0], key[1], change, before, after, *rates))
    rows.sort(key=lambda row: (_ORDER[row.change], row.input, row.test_name))
    return DiffResult(old, new, rows)


def diff_paths(
    old: Sequence[Path], new: Sequence[Path], skipped: Skipped | None = None
) -> DiffResult:
    return compare(read_side(old, skipped), read_side(new, skipped))


def _side_json(result: TargetResult | None, rate: Repeats | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "status": INTERMITTENT if intermittent(rate) else result.status,
        "repeats": rate.as_record() if rate else None,
        "outcome": str(result.outcome),
        "blocking": result.blocking,
        "accessible": result.accessible,
        "technique": result.technique,
        "failing_step": result.failing_step,
        "resolved_ips": list(result.resolved_ips),
        "mitm_root": result.mitm_root,
        "blockpage": result.blockpage,
        "detail": result.detail,
        "measurement_start_time": result.measurement_start_time,
        "report_id": result.report_id,
    }


def _runs_json(side: Side) -> dict[str, Any]:
    return {
        "files": [str(path) for path in side.files],
        "networks": side.networks,
        "lists": sorted(side.lists),
        "runs": [
            {
                "report_id": run.report_id,
                "test_start_time": run.test_start_time,
                "probe_asn": run.probe_asn,
                "probe_cc": run.probe_cc,
                "probe_network_name": run.probe_network_name,
                "measurements": run.measurements,
                "network_unusable": run.network_unusable,
            }
            for run in side.runs
        ],
    }


def diff_header_json(result: DiffResult) -> dict[str, Any]:
    """Machine output apart from the rows: both sides' runs and the counts per class."""
    return {
        "old": _runs_json(result.old),
        "new": _runs_json(result.new),
        "across_networks": result.across_networks,
        "changed": result.changed,
        "counts": {str(change): n for change, n in result.counts().items()},
    }


def row_json(row: DiffRow) -> dict[str, Any]:
    return {
        "input": row.input,
        "test_name": row.test_name,
        "category": row.category,
        "change": str(row.change),
        "old": _side_json(row.old, row.old_rate),
        "new": _side_json(row.new, row.new_rate),
    }
