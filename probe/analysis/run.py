"""Run-level analysis: is the network itself unusable, and how did the targets fare?

It needs one small record per measurement, never the measurements themselves, so ``probe run``
and ``probe analyze`` stay flat in memory: feed each measurement to :meth:`RunAnalysis.add`, then
apply :meth:`RunAnalysis.finish`'s summary to each one with :func:`mark_network`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from probe.analysis.network import MIN_TARGETS, NetworkTally, Step, stopped_at
from probe.analysis.observations import Record, mapping
from probe.analysis.options import OPTIONS_KEY, OptionsSource, resolve
from probe.analysis.per_test import WEB, analyse_test, name_of, verdict_key_names
from probe.analysis.repeats import Repeats, RepeatTally, repeat_key
from probe.analysis.verdict import ANALYSIS_VERSION
from probe.analysis.vocabulary import Category
from probe.i18n import N_

ANALYSIS_KEYS = (
    "dns_experiment_failure",
    "dns_consistency",
    "http_experiment_failure",
    "body_length_match",
    "body_proportion",
    "status_code_match",
    "headers_match",
    "title_match",
    "blocking",
    "accessible",
    "x_blocking",
    "x_accessible",
    "x_technique",
    "x_detail",
    "x_blockpage",
    "x_mitm",
    "x_censor_location",
    "x_rst_judgements",
    "x_network_unusable",
    "x_blocking_rate",
    OPTIONS_KEY,
    "x_analysis_version",
)
"""Every key the analysis owns; re-analysis replaces all of them, so it is idempotent."""
UNKNOWN_OPTIONS_NOTE = (
    "{count} measurements do not record the analysis options of their run (written by an older "
    "probe); they were analysed with the defaults: give --bogon-exempt and --interception-roots "
    "as for the run (an empty value for one the run did not use)"
)


def analyze_measurement(
    measurement: Record, options: OptionsSource | None = None
) -> dict[str, Any]:
    """The analysis keys for one measurement (without the run-level ``x_network_unusable``).

    ``options``: the run's own (``AnalysisOptions``), or analyze's flags over the options the
    measurement stored (``OptionFlags``; None is no flags)."""
    resolved, known = resolve(options, measurement)
    return analyse_test(measurement, resolved, known).keys


def merge(measurement: Record, analysis_keys: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``measurement`` whose ``test_keys`` carry exactly these analysis keys; any
    other key given (an app's OONI summary keys) is added where the measurement lacks it."""
    raw = {k: v for k, v in mapping(measurement.get("test_keys")).items() if k not in ANALYSIS_KEYS}
    ordered = {k: analysis_keys[k] for k in ANALYSIS_KEYS if k in analysis_keys}
    derived = {k: v for k, v in analysis_keys.items() if k not in ANALYSIS_KEYS and k not in raw}
    return {**measurement, "test_keys": raw | derived | ordered}


@dataclass
class RunSummary:
    total: int = 0
    """Web targets (web_connectivity measurements)."""
    ok: int = 0
    down: int = 0
    undetermined: int = 0
    blocked: dict[str, int] = field(default_factory=dict)
    """Blocked targets per ``x_technique``."""
    network_unusable: bool = False
    reason: str | None = None
    analysis_version: str = ANALYSIS_VERSION
    apps: list[str] = field(default_factory=list)
    """One line per app or tool test: reachable, blocked (how), or undetermined."""
    unusable_step: Step | None = None
    """When only one step is blocked network-wide (``tls``, ``tcp``): only the measurements that
    stopped there are marked. None with ``network_unusable``: every measurement is."""
    unanalysed: dict[str, int] = field(default_factory=dict)
    """Measurements of tests that have no analysis, per test."""
    notes: list[str] = field(default_factory=list)
    """Warnings about the analysis itself (options the file does not record)."""
    repeats: dict[tuple[str, str], Repeats] = field(default_factory=dict)
    """(input, report id) measured more than once (``--repeat``): how often it was blocked."""

    @property
    def marks(self) -> bool:
        """The run-level pass has something to write on the lines (a trailer is due)."""
        return self.network_unusable or bool(self.repeats)

    @property
    def blocked_total(self) -> int:
        return sum(self.blocked.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "ok": self.ok,
            "down": self.down,
            "undetermined": self.undetermined,
            "blocked": dict(sorted(self.blocked.items())),
            "network_unusable": self.network_unusable,
            "reason": self.reason,
            "unusable_step": self.unusable_step,
            "analysis_version": self.analysis_version,
            "apps": list(self.apps),
            "unanalysed": dict(sorted(self.unanalysed.items())),
            "notes": list(self.notes),
        } | self._repeat_records()

    def _repeat_records(self) -> dict[str, Any]:
        """``repeats``, only when some target was measured more than once."""
        if not self.repeats:
            return {}
        rows = [{"input": i, "report_id": r, **v.as_record()} for (i, r), v in self.repeats.items()]
        return {"repeats": rows}


_Tallied = tuple[Category, str | None, bool, bool]
"""A web verdict's category, technique, and whether its TLS, and its TCP, all failed."""


class RunAnalysis:
    """Analyse measurements one by one while keeping what the run-level verdict needs."""

    def __init__(self, options: OptionsSource | None = None) -> None:
        self.options = options
        self._verdicts: Counter[_Tallied] = Counter()
        self._signatures: set[str | None] = set()
        self._control_reachable = False
        self._network = NetworkTally()
        self._apps: list[str] = []
        self._unanalysed: Counter[str] = Counter()
        self._unknown_options = 0
        self._repeats = RepeatTally()

    def add(self, measurement: Record) -> dict[str, Any]:
        """The measurement with its analysis keys merged in; its facts are kept for the run."""
        options, known = resolve(self.options, measurement)
        result = analyse_test(measurement, options, known)
        if result.line is not None:
            self._apps.append(result.line)
        elif result.web is None:
            self._unanalysed[name_of(measurement)] += 1
        else:
            self._unknown_options += not known
            verdict = result.web.verdict
            tls_failed, tcp_failed = self._network.add(mapping(measurement.get("test_keys")))
            technique = verdict.technique if verdict.category is Category.BLOCKED else None
            self._verdicts[(verdict.category, technique, tls_failed, tcp_failed)] += 1
            self._signatures.add(result.web.signature)
            self._control_reachable |= result.web.control_reachable
            self._repeats.add(
                measurement.get("input"), measurement.get("report_id"), verdict.category
            )
        return merge(measurement, result.keys)

    def finish(self) -> RunSummary:
        total = sum(self._verdicts.values())
        undetermined = sum(n for (c, *_), n in self._verdicts.items() if c is Category.UNDETERMINED)
        extra: dict[str, Any] = {
            "apps": sorted(self._apps),
            "unanalysed": dict(self._unanalysed),
            "notes": (
                [UNKNOWN_OPTIONS_NOTE.format(count=self._unknown_options)]
                if self._unknown_options
                else []
            ),
            "repeats": self._repeats.result(),
        }
        unusable = (
            self._repeats.targets >= MIN_TARGETS
            and not self._control_reachable
            and undetermined == total
            and len(self._signatures) == 1
            and None not in self._signatures
        )
        if unusable:
            (signature,) = self._signatures
            stage, _, failure = str(signature).partition(":")
            why = N_(
                "network unusable: all {count} targets failed at the {step} step "
                "({failure}) and no control was reachable"
            ).format(count=self._repeats.targets, step=stage, failure=failure)
            return RunSummary(total, 0, 0, total, {}, True, why, **extra)
        step: Step | None = None
        reason: str | None = None
        if (found := self._network.blocked_step()) is not None:
            step, reason = found
        counts: Counter[Category] = Counter()
        techniques: Counter[str] = Counter()
        for (category, technique, tls_failed, tcp_failed), n in self._verdicts.items():
            marked = (step == "tls" and tls_failed) or (step == "tcp" and tcp_failed)
            counts[Category.UNDETERMINED if marked else category] += n
            if technique is not None and not marked:
                techniques[technique] += n
        return RunSummary(
            total,
            counts[Category.OK],
            counts[Category.DOWN],
            counts[Category.UNDETERMINED],
            dict(techniques),
            step is not None,
            reason,
            unusable_step=step,
            **extra,
        )


def mark_network(measurement: Record, summary: RunSummary) -> dict[str, Any]:
    """Apply the run-level verdict: on an unusable network nothing is blocked or accessible."""
    keys = dict(mapping(measurement.get("test_keys")))
    step = summary.unusable_step
    marked = summary.network_unusable and (
        step is None or (name_of(measurement) == WEB and stopped_at(keys, step))
    )
    keys["x_network_unusable"] = marked
    repeats = summary.repeats.get(
        repeat_key(measurement.get("input"), measurement.get("report_id"))
    )
    if repeats is not None and name_of(measurement) == WEB:
        keys["x_blocking_rate"] = repeats.as_record()
    if marked:
        keys |= dict.fromkeys(verdict_key_names(name_of(measurement))) | {
            "x_technique": None,
            "x_detail": summary.reason,
        }
    analysis = {k: keys[k] for k in ANALYSIS_KEYS if k in keys}
    return merge(measurement, analysis)


def combined(parts: list[RunSummary]) -> RunSummary:
    """One summary of a file's parts (:mod:`probe.analysis.results`) for showing: the counts
    added up, and each part's run-level reason, numbered when there are several."""
    judged = [p for p in parts if p.total or p.apps or p.unanalysed] or parts[-1:]
    if len(judged) == 1:
        return judged[0]
    blocked: Counter[str] = Counter()
    unanalysed: Counter[str] = Counter()
    for part in judged:
        blocked.update(part.blocked)
        unanalysed.update(part.unanalysed)
    reasons = [f"part {n}: {p.reason}" for n, p in enumerate(judged, 1) if p.network_unusable]
    return RunSummary(
        sum(p.total for p in judged),
        sum(p.ok for p in judged),
        sum(p.down for p in judged),
        sum(p.undetermined for p in judged),
        dict(blocked),
        bool(reasons),
        "; ".join(reasons) or None,
        apps=[line for p in judged for line in p.apps],
        unanalysed=dict(unanalysed),
        notes=list(dict.fromkeys(note for p in judged for note in p.notes)),
    )


def analyze_run(
    measurements: Iterable[Record], options: OptionsSource | None = None
) -> tuple[list[dict[str, Any]], RunSummary]:
    """Analyse an in-memory run: every measurement marked, and the summary."""
    run = RunAnalysis(options)
    analysed = [run.add(m) for m in measurements]
    summary = run.finish()
    return [mark_network(m, summary) for m in analysed], summary
