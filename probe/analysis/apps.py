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

# The first failing step named in a verdict, as OONI's coarse blocking value.
_STEP_BLOCKING = (
    ("DNS", "dns"),
    ("TCP", "tcp_ip"),
    ("TLS", "http-failure"),
    ("HTTP", "http-failure"),
)


def app_verdict(measurement: Mapping[str, Any]) -> AppVerdict | None:
    """None when the measurement is not of an app or tool test."""
    verdict = APP_VERDICTS.get(str(measurement.get("test_name")))
    return verdict(measurement.get("test_keys")) if verdict else None


def app_keys(verdict: AppVerdict) -> dict[str, Any]:
    blocking: object = None
    accessible: object = None
    if verdict.status == "reachable":
        blocking, accessible = False, True
    elif verdict.status == "blocked":
        blocking = next((b for word, b in _STEP_BLOCKING if word in verdict.how), "tcp_ip")
        accessible = False
    return {
        "blocking": blocking,
        "accessible": accessible,
        "x_technique": None,
        "x_detail": verdict.line(),
        "x_analysis_version": ANALYSIS_VERSION,
    }
