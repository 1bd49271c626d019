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

from probe.analysis.apps import app_keys, app_verdict
from probe.analysis.observations import Record, mapping
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import ANALYSIS_VERSION, analyse

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
    "x_technique",
    "x_detail",
    "x_blockpage",
    "x_mitm",
    "x_censor_location",
    "x_rst_judgements",
    "x_network_unusable",
    "x_analysis_version",
)
"""Every key the analysis owns; re-analysis replaces all of them, so it is idempotent."""
MIN_TARGETS_FOR_UNUSABLE = 2
"""One failing target with no control is undetermined, not a verdict on the network."""


def analyze_measurement(
    measurement: Record, options: AnalysisOptions | None = None
) -> dict[str, Any]:
    """The analysis keys for one measurement (without the run-level ``x_network_unusable``)."""
    verdict = app_verdict(measurement)
    if verdict is not None:
        return app_keys(verdict)
    return analyse(measurement, options or AnalysisOptions()).keys


def merge(measurement: Record, analysis_keys: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``measurement`` whose ``test_keys`` carry exactly these analysis keys."""
    raw = {k: v for k, v in mapping(measurement.get("test_keys")).items() if k not in ANALYSIS_KEYS}
    ordered = {k: analysis_keys[k] for k in ANALYSIS_KEYS if k in analysis_keys}
    return {**measurement, "test_keys": raw | ordered}


@dataclass
class RunSummary:
    total: int = 0
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
            "analysis_version": self.analysis_version,
            "apps": list(self.apps),
        }


class RunAnalysis:
    """Analyse measurements one by one while keeping what the run-level verdict needs."""

    def __init__(self, options: AnalysisOptions | None = None) -> None:
        self.options = options or AnalysisOptions()
        self._categories: Counter[str] = Counter()
        self._techniques: Counter[str] = Counter()
        self._signatures: set[str | None] = set()
        self._control_reachable = False
        self._apps: list[str] = []

    def add(self, measurement: Record) -> dict[str, Any]:
        """The measurement with its analysis keys merged in; its facts are kept for the run."""
        verdict = app_verdict(measurement)
        if verdict is not None:
            self._apps.append(verdict.line())
            return merge(measurement, app_keys(verdict))
        result = analyse(measurement, self.options)
        category = result.verdict.category
        self._categories[category] += 1
        if result.verdict.technique and category == "blocked":
            self._techniques[result.verdict.technique] += 1
        self._signatures.add(result.signature)
        self._control_reachable |= result.control_reachable
        return merge(measurement, result.keys)

    def finish(self) -> RunSummary:
        total = sum(self._categories.values())
        unusable = (
            total >= MIN_TARGETS_FOR_UNUSABLE
            and not self._control_reachable
            and self._categories["undetermined"] == total
            and len(self._signatures) == 1
            and None not in self._signatures
        )
        if unusable:
            (signature,) = self._signatures
            stage, _, failure = str(signature).partition(":")
            reason = (
                f"network unusable: all {total} targets failed at the {stage} step "
                f"({failure}) and no control was reachable"
            )
            return RunSummary(total, 0, 0, total, {}, True, reason, apps=sorted(self._apps))
        return RunSummary(
            total,
            self._categories["ok"],
            self._categories["down"],
            self._categories["undetermined"],
            dict(self._techniques),
            apps=sorted(self._apps),
        )


def mark_network(measurement: Record, summary: RunSummary) -> dict[str, Any]:
    """Apply the run-level verdict: on an unusable network nothing is blocked or accessible."""
    keys = dict(mapping(measurement.get("test_keys")))
    keys["x_network_unusable"] = summary.network_unusable
    if summary.network_unusable:
        keys |= {
            "blocking": None,
            "accessible": None,
            "x_technique": None,
            "x_detail": summary.reason,
        }
    analysis = {k: keys[k] for k in ANALYSIS_KEYS if k in keys}
    return merge(measurement, analysis)


def analyze_run(
    measurements: Iterable[Record], options: AnalysisOptions | None = None
) -> tuple[list[dict[str, Any]], RunSummary]:
    """Analyse an in-memory run: every measurement marked, and the summary."""
    run = RunAnalysis(options)
    analysed = [run.add(m) for m in measurements]
    summary = run.finish()
    return [mark_network(m, summary) for m in analysed], summary
