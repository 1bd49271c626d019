"""The verdict of a censor_locate measurement of its own (``probe run --test censor_locate``).

Its traces are read exactly as those ``--packet-tests`` stores under ``x_packet_tests``
(:func:`probe.analysis.packets.locate`). The verdict says only what the traces show: blocked
when the trigger met something the neutral name did not, and the control reached the server or
the censor forged a packet; ok when both reached the server alike; else undetermined.
"""

from __future__ import annotations

from probe.analysis.hops import server_answered
from probe.analysis.judged import Judged
from probe.analysis.judging import Verdict, ok, undetermined
from probe.analysis.observations import Record, mapping, records
from probe.analysis.options import AnalysisOptions
from probe.analysis.traces import Location, locate
from probe.analysis.verdict import verdict_keys
from probe.analysis.vocabulary import Blocking, Technique
from probe.i18n import N_

TEST_NAME = "censor_locate"
_TECHNIQUES = {
    ("tls_sni", "rst"): Technique.TLS_RESET,
    ("tls_sni", "fin"): Technique.TLS_EOF,
    ("tls_sni", "none"): Technique.TLS_TIMEOUT,
    ("http_host", "rst"): Technique.HTTP_RESET,
    ("http_host", "fin"): Technique.HTTP_EOF,
    ("http_host", "none"): Technique.HTTP_TIMEOUT,
}
"""What the trigger got at the divergence, as the technique the web test would name."""


def _technique(trigger: object, answer: list[str]) -> Technique | None:
    for got in ("rst", "fin", "none"):
        if got in answer:
            return _TECHNIQUES.get((str(trigger), got))
    return None


def locate_verdict(keys: Record) -> tuple[Verdict, Location | None]:
    """The verdict of one measurement and the location it rests on (None when not traced)."""
    failure = keys.get("x_failure")
    if isinstance(failure, str):
        return undetermined(N_("not traced: {failure}").format(failure=failure)), None
    test, control = records(keys.get("x_test_trace")), records(keys.get("x_control_trace"))
    if not test:
        return undetermined(N_("no trace was recorded")), None
    found = locate(test, control)
    reached = any(server_answered(h) for h in control)
    if found.divergence_ttl is None:
        if reached and found.residual is None:
            return ok(N_("{detail}, up to the server").format(detail=found.detail)), found
        return undetermined(found.detail), found
    if reached or found.located_by == "forged_packet":
        technique = _technique(keys.get("x_trigger"), found.test_answer)
        return Verdict(Blocking.HTTP_FAILURE, False, technique, found.detail), found
    never = N_("the control never reached the server")
    return undetermined(f"{found.detail}; {never}"), found


def summary_line(url: str, verdict: Verdict, found: Location | None) -> str:
    """One line for the run summary: the verdict and where the censor is."""
    line = f"{TEST_NAME} {url}: {verdict.category}"
    if found is None or found.censor_hop is None:
        return line
    at = "at or after" if found.located_by == "last_common_router" else "at"
    router = f", {found.censor_router}" if found.censor_router else ""
    return f"{line} (censor {at} hop {found.censor_hop}{router})"


def judge(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    """The verdict, where the censor is (``x_censor_location``) and the summary line."""
    keys = mapping(measurement.get("test_keys"))
    verdict, found = locate_verdict(keys)
    located = {"x_censor_location": found.as_dict() if found else None}
    line = summary_line(str(measurement.get("input", "")), verdict, found)
    return Judged(verdict_keys(verdict) | located, line=line)
