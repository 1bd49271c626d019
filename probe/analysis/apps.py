"""Verdicts of the tool and app tests (tor, messaging), in the keys every tool already reads.

The per-test verdict functions say reachable, blocked or undetermined and how; this maps them to
``blocking``/``accessible`` so diff, report and export treat an app like any other target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from probe.analysis.app_keys import summary_keys
from probe.analysis.judging import Verdict
from probe.analysis.messaging import VERDICTS, AppVerdict
from probe.analysis.tor import tor_verdict
from probe.analysis.verdict import verdict_keys
from probe.analysis.vocabulary import AppStatus, Blocking
from probe.i18n import N_

APP_VERDICTS: dict[str, Callable[[object], AppVerdict]] = {"tor": tor_verdict, **VERDICTS}


def app_verdict(measurement: Mapping[str, Any]) -> AppVerdict | None:
    """None when the measurement is not of an app or tool test.

    A failure only counts as blocking when the control (``x_control``: the helper asked about
    exactly what failed) reached what the probe could not. Without that evidence an unreachable
    app is undetermined, with what failed: an endpoint that is down, renumbered or (in the lab)
    simply absent must never be called censorship.
    """
    name = str(measurement.get("test_name"))
    judge = APP_VERDICTS.get(name)
    if judge is None:
        return None
    keys = measurement.get("test_keys")
    if isinstance(keys, Mapping):
        keys = {**keys, **summary_keys(name, keys)}
    verdict = judge(keys)
    if verdict.status != AppStatus.BLOCKED:
        return verdict
    control = keys.get("x_control") if isinstance(keys, Mapping) else None
    if not isinstance(control, Mapping) or not control or control.get("failure"):
        why = N_("no control confirmed these endpoints were up")
    elif _reached(control):
        reached = N_("the control reached them")
        return AppVerdict(verdict.label, AppStatus.BLOCKED, f"{verdict.how}; {reached}")
    else:
        why = N_("the control could not reach them either")
    return AppVerdict(verdict.label, AppStatus.UNDETERMINED, f"{verdict.how}; {why}")


def _reached(control: Mapping[str, Any]) -> bool:
    endpoints = control.get("endpoints")
    names = control.get("names")
    connected = isinstance(endpoints, Mapping) and any(
        isinstance(e, Mapping) and e.get("status") is True for e in endpoints.values()
    )
    resolved = isinstance(names, Mapping) and any(
        isinstance(n, Mapping) and n.get("addrs") and not n.get("failure") for n in names.values()
    )
    return connected or resolved


# The first failing step a verdict names, as OONI's coarse ``blocking`` value.
_STEP_BLOCKING = (
    ("DNS", Blocking.DNS),
    ("TCP", Blocking.TCP_IP),
    ("TLS", Blocking.HTTP_FAILURE),
    ("HTTP", Blocking.HTTP_FAILURE),
)


def app_keys(verdict: AppVerdict) -> dict[str, Any]:
    if verdict.status == AppStatus.REACHABLE:
        return verdict_keys(Verdict(False, True, None, verdict.line()))
    if verdict.status == AppStatus.BLOCKED:
        blocking = next((b for word, b in _STEP_BLOCKING if word in verdict.how), Blocking.TCP_IP)
        return verdict_keys(Verdict(blocking, False, None, verdict.line()))
    return verdict_keys(Verdict(None, None, None, verdict.line()))
