"""Verdicts of the tool and app tests (tor, messaging), in the keys every tool already reads.

The per-test verdict functions say reachable, blocked or undetermined and how; this maps them to
``blocking``/``accessible`` so diff, report and export treat an app like any other target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from probe.analysis.messaging import VERDICTS, AppVerdict
from probe.analysis.tor import tor_verdict
from probe.analysis.verdict import ANALYSIS_VERSION

APP_VERDICTS: dict[str, Callable[[object], AppVerdict]] = {"tor": tor_verdict, **VERDICTS}


def app_verdict(measurement: Mapping[str, Any]) -> AppVerdict | None:
    """None when the measurement is not of an app or tool test.

    These tests have no control yet: nothing shows that the endpoints the probe could not reach
    were up at the time. An unreachable app is therefore reported as undetermined, with what
    failed, rather than blocked; an endpoint that is down, renumbered or (in the lab) simply
    absent must not be called censorship.
    """
    judge = APP_VERDICTS.get(str(measurement.get("test_name")))
    if judge is None:
        return None
    verdict = judge(measurement.get("test_keys"))
    if verdict.status == "blocked":
        how = f"{verdict.how}; no control confirmed these endpoints were up"
        return AppVerdict(verdict.label, "undetermined", how)
    return verdict


def app_keys(verdict: AppVerdict) -> dict[str, Any]:
    reachable = verdict.status == "reachable"
    return {
        "blocking": False if reachable else None,
        "accessible": True if reachable else None,
        "x_technique": None,
        "x_detail": verdict.line(),
        "x_analysis_version": ANALYSIS_VERSION,
    }
