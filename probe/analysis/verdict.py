"""The verdict for one measurement: OONI's keys plus the probe's technique and evidence.

Decision order (docs/analysis.md explains each step):
1. interception of any handshake (a known root, or a failed chain that a control saw genuine);
2. a completed page that was throttled, or that came over HTTPS with a valid certificate;
3. no control at all: undetermined;
4. the step where the chain stopped (DNS, TCP, TLS, HTTP) or the final page, each judged against
   the controls. A site that fails the same way for the control is down, not blocked. Only a
   failure the vocabulary maps to a technique can be evidence; the name is blamed only when the
   same address answered a neutral name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from probe.analysis.blockpages import match_blockpage
from probe.analysis.controls import Controls, describe_missing
from probe.analysis.dnscheck import DnsCheck, check_dns
from probe.analysis.exchanges import Exchange, by_name_or_address, stalled
from probe.analysis.httpdiff import compare_pages
from probe.analysis.judging import (
    Context,
    Verdict,
    blocked,
    down,
    helper_failed,
    no_evidence,
    ok,
    outside,
    then,
    undetermined,
)
from probe.analysis.mitm import find_interception, mitm_sentence
from probe.analysis.observations import (
    Record,
    dns_failure,
    dns_failures,
    failure_of,
    hop_of,
    locate,
    mapping,
    records,
    status_code,
    telling,
    usable,
)
from probe.analysis.options import OPTIONS_KEY, AnalysisOptions
from probe.analysis.packets import packet_findings
from probe.analysis.stall import stall_of
from probe.analysis.throttle import throttled
from probe.analysis.vocabulary import (
    CERTIFICATE_FAILURES,
    Blocking,
    Stage,
    Technique,
    technique_for,
)
from probe.i18n import N_
from probe.net import errors

ANALYSIS_VERSION = "0.2.1"


@dataclass(frozen=True)
class Analysis:
    keys: dict[str, Any]
    """The analysis keys to merge into ``test_keys``."""
    verdict: Verdict
    signature: str | None
    """``stage:failure`` where the measurement stopped; None when a page arrived."""
    control_reachable: bool


def analyse(measurement: Record, options: AnalysisOptions, known: bool = True) -> Analysis:
    """``known``: the options are the run's own (stored with the verdict); False when they are
    defaults standing in for options the file does not record (stored as null)."""
    keys = mapping(measurement.get("test_keys"))
    controls = Controls.of(keys)
    first = hop_of(str(measurement.get("input") or ""))
    if first is None:
        verdict = undetermined(N_("the input is not an http or https URL"))
        return Analysis(_keys(verdict, options, known), verdict, None, controls.any)
    exempt = options.bogon_exempt
    outcome = locate(keys, first, exempt)
    first_dns = check_dns(keys, first, controls, True, exempt)
    hop_dns = (
        first_dns
        if outcome.hop.host == first.host
        else check_dns(keys, outcome.hop, controls, False, exempt)
    )
    final = outcome.request if outcome.stage == "final" else None
    page = compare_pages(final, controls.page)
    fingerprint = match_blockpage(final) if final is not None else None
    mitm = find_interception(keys, controls, options.registry, _started(measurement))
    context = Context(keys, first, outcome, controls, hop_dns, page, fingerprint, exempt)
    verdict = (
        blocked(Technique.TLS_MITM, Blocking.HTTP_FAILURE, mitm_sentence(mitm))
        if mitm
        else _decide(context)
    )
    analysis_keys = _keys(verdict, options, known) | {
        "dns_experiment_failure": None if first.is_ip else dns_failure(keys, first.host),
        "dns_consistency": first_dns.consistency,
        "http_experiment_failure": outcome.failure,
        "body_length_match": page.body_length_match,
        "body_proportion": page.body_proportion,
        "status_code_match": page.status_code_match,
        "headers_match": page.headers_match,
        "title_match": page.title_match,
        "x_blockpage": fingerprint.name if fingerprint else None,
        "x_mitm": mitm,
        **packet_findings(keys),
    }
    signature = None if final is not None else f"{outcome.stage}:{outcome.failure or 'no address'}"
    return Analysis(analysis_keys, verdict, signature, controls.any)


def _keys(verdict: Verdict, options: AnalysisOptions, known: bool) -> dict[str, Any]:
    return verdict_keys(verdict) | {OPTIONS_KEY: options.as_record() if known else None}


def verdict_keys(verdict: Verdict) -> dict[str, Any]:
    """The keys every test's analysis writes (docs/analysis.md)."""
    return {
        "blocking": verdict.blocking,
        "accessible": verdict.accessible,
        "x_technique": verdict.technique,
        "x_detail": verdict.detail,
        "x_analysis_version": ANALYSIS_VERSION,
    }


def _started(measurement: Record) -> datetime | None:
    try:
        stamp = datetime.strptime(
            str(measurement.get("measurement_start_time")), "%Y-%m-%d %H:%M:%S"
        )
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC)


def _decide(ctx: Context) -> Verdict:
    if ctx.outcome.stage == "final" and ctx.outcome.request is not None:
        slow = throttled(
            ctx.outcome.request, ctx.controls, ctx.page.same_page if ctx.controls.page else None
        )
        if slow:
            return blocked(Technique.THROTTLE, Blocking.HTTP_FAILURE, slow)
        if _verified_https(ctx):
            return ok(
                N_("the page came over HTTPS with a valid certificate for {host}").format(
                    host=ctx.outcome.hop.host
                )
            )
    if not ctx.controls.any:
        missing = describe_missing(ctx.controls)
        return undetermined(N_("no control to compare with: {missing}").format(missing=missing))
    stage = ctx.outcome.stage
    if stage == "final":
        return _final(ctx)
    if stage == "dns":
        return _dns(ctx)
    if stage == "tcp":
        return _tcp(ctx)
    if stage == "tls":
        return _tls(ctx)
    if stage == "http":
        return _http(ctx)
    unended = N_("the redirect chain did not end ({failure})")
    return undetermined(unended.format(failure=ctx.outcome.failure))


def _verified_https(ctx: Context) -> bool:
    hop, request = ctx.outcome.hop, ctx.outcome.request or {}
    if hop.scheme != "https":
        return False
    return any(
        h.get("address") == request.get("address")
        and (h.get("server_name") or "") == hop.sni
        and failure_of(h) is None
        and not h.get("no_tls_verify")
        for h in records(ctx.keys.get("tls_handshakes"))
    )


def _dns_technique(check: DnsCheck, failure: str | None, resolved_any: bool) -> Technique | None:
    if check.injection:
        return Technique.DNS_INJECT
    if check.bogons or resolved_any:
        return Technique.DNS_SPOOF
    return technique_for(Stage.DNS, failure)


def _dns_blocked(ctx: Context, *after: str) -> Verdict:
    """Inconsistent DNS is the first tampering, whatever failed after it (OONI's "dns")."""
    check = ctx.dns
    if check.missing and ctx.controls.page is None:
        missing = N_("{reason}: a name that does not exist is not blocked")
        return down(then(missing.format(reason=check.reason), *after))
    failure = _dns_evidence(ctx)
    technique = _dns_technique(
        check, failure, bool(ctx.outcome.addresses) or ctx.outcome.stage != "dns"
    )
    sentence = then(check.reason, *([check.injection] if check.injection else []), *after)
    if technique is None:
        own = N_("{what}, but the probe's own lookup failed").format(what=sentence)
        return no_evidence(own, failure)
    return blocked(technique, Blocking.DNS, sentence)


def _dns_evidence(ctx: Context) -> str | None:
    """The DNS failure that tells most about the hop's host (a timeout over a local failure)."""
    if ctx.outcome.stage != "dns":
        return ctx.outcome.failure
    return telling(Stage.DNS, dns_failures(ctx.keys, ctx.outcome.hop.host))


def _dns(ctx: Context) -> Verdict:
    hop, check = ctx.outcome.hop, ctx.dns
    if check.inconsistent:
        return _dns_blocked(ctx)
    failure = _dns_evidence(ctx)
    control = ctx.controls.dns(hop.host, ctx.first_hop)
    if check.consistency == "consistent" and failure is not None:
        return down(check.reason)
    if control is not None and control.negative:
        return down(
            N_("the {source} says {host} does not exist ({failure})").format(
                source=control.source, host=hop.host, failure=control.failure
            )
        )
    if failure is None:
        return undetermined(
            N_("{host} resolved but no connection was attempted").format(host=hop.host)
        )
    what = N_("the resolver gave no address for {host} ({failure})").format(
        host=hop.host, failure=failure
    )
    technique = _dns_technique(check, failure, False)
    if technique is None:
        return no_evidence(what, failure, helper_failed(ctx, []))
    return outside(ctx, what, technique, Blocking.DNS)


_TCP_HOW = {
    errors.CONNECTION_REFUSED: N_("connection refused (RST to SYN)"),
    errors.CONNECTION_RESET: N_("connection reset during the TCP handshake"),
    errors.GENERIC_TIMEOUT: N_("no answer to SYN (timeout)"),
}


def _tcp(ctx: Context) -> Verdict:
    failure = ctx.outcome.failure
    if ctx.dns.inconsistent:
        there = N_("connecting there failed ({failure})").format(failure=failure)
        return _dns_blocked(ctx, there)
    hop = ctx.outcome.hop
    endpoints = [hop.endpoint(a) for a in usable(list(ctx.outcome.addresses), ctx.exempt)]
    how = _TCP_HOW.get(failure or "") or N_("TCP connect failed ({failure})").format(
        failure=failure
    )
    what = N_("{how} at {endpoints}").format(how=how, endpoints=", ".join(endpoints))
    technique = technique_for(Stage.TCP, failure)
    if technique is None:
        return no_evidence(what, failure, helper_failed(ctx, endpoints, tcp_only=True))
    helper = {e: ctx.controls.helper_tcp(e) for e in endpoints}
    reached = [e for e, status in helper.items() if status]
    if reached:
        connected = N_("the helper connected to {endpoints}").format(endpoints=", ".join(reached))
        return blocked(technique, Blocking.TCP_IP, then(what, connected))
    if any(status is False for status in helper.values()):
        return down(then(what, N_("the helper could not connect either")))
    return outside(ctx, what, technique, Blocking.TCP_IP)


_TLS_HOW = {
    errors.CONNECTION_RESET: N_("RST after the ClientHello"),
    errors.EOF_ERROR: N_("connection closed after the ClientHello"),
    errors.GENERIC_TIMEOUT: N_("no answer to the ClientHello (timeout)"),
}


def _certificate(ctx: Context, address: str, failure: str) -> Verdict:
    """A validation failure that is not interception: the site's own certificate is broken only
    when the helper's handshake there failed too."""
    where = address or ctx.outcome.hop.host
    if ctx.controls.helper_tls(address) is False:
        broken = N_(
            "the certificate at {where} fails validation ({failure}), for the helper too: "
            "the site's own certificate is broken"
        )
        return down(broken.format(where=where, failure=failure))
    unseen = N_(
        "the certificate at {where} fails validation ({failure}) and no control saw a genuine "
        "certificate there"
    )
    return undetermined(unseen.format(where=where, failure=failure))


def _tls(ctx: Context) -> Verdict:
    failure = ctx.outcome.failure or ""
    if ctx.dns.inconsistent:
        there = N_("the TLS handshake there failed ({failure})").format(failure=failure)
        return _dns_blocked(ctx, there)
    hop, address = ctx.outcome.hop, ctx.outcome.endpoints[0]
    if failure in CERTIFICATE_FAILURES:
        return _certificate(ctx, address, failure)
    how = _TLS_HOW.get(failure) or N_("TLS handshake failed ({failure})").format(failure=failure)
    what = N_("{how} with SNI {sni} at {address}").format(
        how=how, sni=hop.sni or N_("(none)"), address=address
    )
    technique = technique_for(Stage.TLS, failure)
    if technique is None:
        return no_evidence(what, failure, helper_failed(ctx, [address]))
    return by_name_or_address(ctx, Exchange(address, failure, technique, what, "SNI", False))


_HTTP_HOW = {
    errors.CONNECTION_RESET: N_("RST after the HTTP request"),
    errors.EOF_ERROR: N_("connection closed after the HTTP request"),
    errors.GENERIC_TIMEOUT: N_("no HTTP response (timeout) to the request"),
}


def _http(ctx: Context) -> Verdict:
    request, failure = ctx.outcome.request, ctx.outcome.failure
    if request is None or failure is None:
        return undetermined(N_("connected, but no HTTP request was recorded"))
    if ctx.dns.inconsistent:
        there = N_("the HTTP request there failed ({failure})").format(failure=failure)
        return _dns_blocked(ctx, there)
    host, address = ctx.outcome.hop.host, str(request.get("address", ""))
    if failure in CERTIFICATE_FAILURES:  # OONI stores a failed handshake in the request too
        return _certificate(ctx, address, failure)
    stall = stall_of(ctx.keys, request)
    if stall is not None:
        what = N_("{stall}, with Host {host} at {address}").format(
            stall=stall.sentence(), host=host, address=address
        )
        return stalled(ctx, stall, what, address)
    how = _HTTP_HOW.get(failure) or N_("the HTTP request failed ({failure})").format(
        failure=failure
    )
    where = N_("{how} with Host {host} at {address}") if address else N_("{how} with Host {host}")
    what = where.format(how=how, host=host, address=address)
    technique = technique_for(Stage.HTTP, failure)
    if technique is None:
        return no_evidence(what, failure, helper_failed(ctx, [address] if address else []))
    return by_name_or_address(ctx, Exchange(address, failure, technique, what, "Host", True))


def _final(ctx: Context) -> Verdict:
    inconsistent = ctx.dns.inconsistent
    if ctx.fingerprint is not None:
        why = N_("the page matches the blockpage fingerprint {name}").format(
            name=ctx.fingerprint.name
        )
        if inconsistent:
            return blocked(Technique.HTTP_BLOCKPAGE, Blocking.DNS, then(why, ctx.dns.reason))
        return blocked(Technique.HTTP_BLOCKPAGE, Blocking.HTTP_DIFF, why)
    control = ctx.controls.page
    if control is None:
        if ctx.controls.page_failure:
            unfetched = N_("a page arrived but the helper could not fetch it ({failure})")
            return undetermined(unfetched.format(failure=ctx.controls.page_failure))
        return undetermined(N_("a page arrived but there is no helper page to compare it with"))
    page, final = ctx.page, ctx.outcome.request or {}
    if page.same_page:
        same = (
            N_("the page matches the helper's (status {status}) although {reason}")
            if inconsistent
            else N_("the page matches the helper's (status {status})")
        )
        return ok(same.format(status=status_code(final), reason=ctx.dns.reason))
    differs = N_(
        "the page differs from the helper's (status {status} vs {control}, body proportion "
        "{proportion}, title match {title}, headers match {headers})"
    ).format(
        status=status_code(final),
        control=control.get("status_code"),
        proportion=page.body_proportion,
        title=page.title_match,
        headers=page.headers_match,
    )
    if inconsistent:
        return _dns_blocked(ctx, differs)
    return blocked(Technique.HTTP_DIFF, Blocking.HTTP_DIFF, differs)
