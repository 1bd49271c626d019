"""The verdict of a doh_reachability measurement: which DoH resolvers this network lets through.

A resolver that answered (any DNS reply, NXDOMAIN included) is reachable. One that did not is
blocked only when the control reached it at the time (the helper connected to an address of its
name); without that it may simply be down, and the verdict stays undetermined. The measurement is
accessible when at least one resolver answered: the volunteer has a DoH resolver that works.
Pure function of the stored ``test_keys``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from probe.analysis.judged import Judged
from probe.analysis.judging import Verdict, ok, undetermined
from probe.analysis.observations import Record, mapping, records
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import verdict_keys
from probe.analysis.vocabulary import Blocking
from probe.i18n import N_
from probe.net.names import is_ip_literal

TEST_NAME = "doh_reachability"
LABEL = "DoH resolvers"


def judge(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    verdict = doh_verdict(mapping(measurement.get("test_keys")))
    return Judged(verdict_keys(verdict), line=f"{LABEL}: {verdict.category} ({verdict.detail})")


def doh_verdict(keys: Record) -> Verdict:
    failure = keys.get("x_failure")
    if isinstance(failure, str):
        return undetermined(N_("not measured: {failure}").format(failure=failure))
    queries = records(keys.get("queries"))
    if not queries:
        return undetermined(N_("no DoH resolver was asked"))
    silent = [q for q in queries if q.get("x_rcode") is None]
    if not silent:
        return ok(N_("every DoH resolver answered ({count})").format(count=len(queries)))
    control = mapping(keys.get("x_control"))
    blocked = [q for q in silent if _control_reached(str(q.get("resolver_address")), control)]
    answered = len(silent) < len(queries)
    if blocked:
        detail = N_("{resolvers} did not answer ({failure}); the control reached them").format(
            resolvers=_urls(blocked), failure=blocked[0].get("failure")
        )
        return Verdict(Blocking.HTTP_FAILURE, answered, None, detail)
    detail = N_("{resolvers} did not answer ({failure}); no control confirmed they were up")
    return undetermined(detail.format(resolvers=_urls(silent), failure=silent[0].get("failure")))


def _urls(queries: list[Record]) -> str:
    return ", ".join(str(q.get("resolver_address")) for q in queries)


def _control_reached(url: str, control: Mapping[str, object]) -> bool:
    """The helper connected to an address of the resolver's name, on the resolver's port."""
    parts = urlsplit(url)
    port = parts.port or 443
    host = parts.hostname or ""
    endpoints = mapping(control.get("endpoints"))
    addrs = mapping(mapping(control.get("names")).get(host)).get("addrs")
    if is_ip_literal(host):
        addrs = [host]  # the helper looks no literal up
    if not isinstance(addrs, list):
        return False
    for ip in addrs:
        where = f"[{ip}]:{port}" if ":" in str(ip) else f"{ip}:{port}"
        if mapping(endpoints.get(where)).get("status") is True:
            return True
    return False
