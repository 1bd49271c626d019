"""Streaming aggregates of one or more runs: what `probe report` shows, in HTML or the terminal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from probe.analysis.repeats import Repeats
from probe.analysts.loading import RunIndex, RunInfo, TargetResult, load_targets
from probe.analysts.outcomes import Outcome
from probe.analysts.words import blocked_in, state_word
from probe.i18n import N_, _
from probe.i18n.sentences import sentence
from probe.report.lines import Skipped

NO_CATEGORY = "(none)"
TIMELINE_ROWS = 60
"""Targets shown in a timeline: the most often blocked of those that were blocked or changed."""


@dataclass
class RunSummary:
    runs: list[RunInfo] = field(default_factory=list)
    outcomes: dict[str, Counter[Outcome]] = field(default_factory=lambda: defaultdict(Counter))
    by_category: dict[str, Counter[Outcome]] = field(default_factory=lambda: defaultdict(Counter))
    by_technique: Counter[str] = field(default_factory=Counter)
    # input -> report_id -> outcome, blocked if any measurement of the run was (--repeat);
    # filled for every target, used when there are several runs.
    timeline: dict[str, dict[str, Outcome]] = field(default_factory=lambda: defaultdict(dict))
    blocked: list[TargetResult] = field(default_factory=list)
    # (input, report_id) -> [blocked, measured]: a blocking rate where a run measured it twice.
    tallies: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )

    @property
    def total(self) -> Counter[Outcome]:
        return sum(self.outcomes.values(), Counter())

    def changing_targets(self, limit: int) -> tuple[list[str], int]:
        """Targets worth a timeline row (blocked in some run, or not the same in every run),
        most often blocked first; also how many such targets there are in all."""
        interesting = [
            target
            for target, statuses in self.timeline.items()
            if Outcome.BLOCKED in statuses.values() or len(set(statuses.values())) > 1
        ]

        def blocked_runs(target: str) -> int:
            return sum(s is Outcome.BLOCKED for s in self.timeline[target].values())

        interesting.sort(key=lambda target: (-blocked_runs(target), target))
        return interesting[:limit], len(interesting)

    def run_label(self, report_id: str) -> str:
        run = next(r for r in self.runs if r.report_id == report_id)
        return f"{run.test_start_time[:16]} {run.probe_asn}"

    def runs_table(self) -> tuple[list[str], list[list[object]]]:
        headers = [N_("started (UTC)"), "ASN", N_("country"), N_("network"), N_("list")]
        headers += [N_("software"), N_("targets"), N_("network unusable")]
        rows: list[list[object]] = [
            [
                run.test_start_time,
                run.probe_asn,
                run.probe_cc,
                run.probe_network_name,
                ", ".join(sorted(run.lists)),
                run.software,
                run.measurements,
                _("yes") if run.network_unusable else _("no"),
                run.report_id,
            ]
            for run in self.runs
        ]
        return [*headers, N_("report id")], rows

    def counts_table(self) -> tuple[list[str], list[list[object]]]:
        """Outcome counts per run, plus a total column when there are several runs."""
        several = len(self.runs) > 1
        headers = [N_("outcome"), *(self.run_label(r.report_id) for r in self.runs)]
        headers += [N_("all runs")] if several else []
        rows: list[list[object]] = [
            [
                outcome,
                *(self.outcomes[r.report_id][outcome] for r in self.runs),
                *([self.total[outcome]] if several else []),
            ]
            for outcome in Outcome
        ]
        return headers, rows

    def category_table(self) -> tuple[list[str], list[list[object]]]:
        headers = [N_("category"), *(str(o) for o in Outcome)]
        rows: list[list[object]] = [
            [category, *(self.by_category[category][o] for o in Outcome)]
            for category in sorted(self.by_category)
        ]
        return headers, rows

    def rates(self) -> list[tuple[str, str, Repeats]]:
        """(input, report id, rate) of every target a run measured more than once."""
        return [
            (target, report_id, Repeats(blocked, measured))
            for (target, report_id), (blocked, measured) in sorted(self.tallies.items())
            if measured > 1
        ]

    def rates_table(self) -> tuple[list[str], list[list[object]]]:
        """One row per target measured more than once in a run (``--repeat``)."""
        headers = [N_("input"), N_("run"), N_("blocking rate"), N_("state")]
        rows: list[list[object]] = [
            [target, self.run_label(report_id), blocked_in(rate), state_word(rate.state)]
            for target, report_id, rate in self.rates()
        ]
        return headers, rows

    def blocked_table(self) -> tuple[list[str], list[list[object]]]:
        headers = [N_("time (UTC)"), "ASN", N_("input"), N_("category"), N_("technique")]
        headers += [N_("failing step"), N_("DNS answers"), N_("MITM root"), N_("blockpage")]
        headers += [N_("detail")]
        rows: list[list[object]] = [
            [
                r.measurement_start_time,
                r.probe_asn,
                r.input,
                r.category,
                r.technique or r.blocking,
                r.failing_step,
                " ".join(r.resolved_ips),
                r.mitm_root,
                r.blockpage,
                sentence(r.detail),
            ]
            for r in self.blocked
        ]
        return headers, rows


def summarize_runs(paths: Sequence[Path], skipped: Skipped | None = None) -> RunSummary:
    index = RunIndex()
    return summarize_results(load_targets(paths, index, skipped), index)


def summarize_results(results: Iterable[TargetResult], index: RunIndex) -> RunSummary:
    """The summary of streamed results (files or a store); ``index`` fills while they stream."""
    summary = RunSummary()
    for result in results:
        summary.outcomes[result.report_id][result.outcome] += 1
        summary.by_category[result.category or NO_CATEGORY][result.outcome] += 1
        cells = summary.timeline[result.input]
        if cells.get(result.report_id) is not Outcome.BLOCKED:  # blocked in a run, if ever
            cells[result.report_id] = result.outcome
        if result.input:
            tally = summary.tallies[result.input, result.report_id]
            tally[0] += result.outcome is Outcome.BLOCKED
            tally[1] += 1
        if result.outcome is Outcome.BLOCKED:
            summary.by_technique[result.technique or result.blocking or "?"] += 1
            summary.blocked.append(result)
    summary.runs = index.ordered()
    summary.blocked.sort(key=lambda r: (r.measurement_start_time, r.input))
    return summary
