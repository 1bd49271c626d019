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

from probe.analysis.blockpages import Fingerprint, match_blockpage
from probe.analysis.controls import Controls, describe_missing
from probe.analysis.dnscheck import DnsCheck, check_dns
from probe.analysis.httpdiff import PageComparison, compare_pages
from probe.analysis.mitm import find_interception, mitm_sentence
from probe.analysis.observations import (
    Hop,
    Outcome,
    Record,
    connect_endpoint,
    connect_failure,
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
from probe.analysis.stall import (
    MIN_RATE_BYTES,
    SAME_RATE,
    Stall,
    neutral_volume,
    rate,
    stall_of,
)
from probe.analysis.throttle import RATIO, throttled
from probe.analysis.vocabulary import (
    ADDRESS_TECHNIQUES,
    CERTIFICATE_FAILURES,
    Blocking,
    Category,
    Stage,
    Technique,
    category_of,
    is_local,
    technique_for,
    why_not_evidence,
)
from probe.net import errors

ANALYSIS_VERSION = "0.2.1"


@dataclass(frozen=True)
class Verdict:
    blocking: Blocking | bool | None
    accessible: bool | None
    technique: Technique | None
    detail: str

    @property
    def category(self) -> Category:
        """The lab's and the summary's word for this verdict."""
        return category_of(self.blocking, self.accessible)


def blocked(technique: Technique, blocking: Blocking, detail: str) -> Verdict:
    return Verdict(blocking, False, technique, detail)


def ok(detail: str) -> Verdict:
    return Verdict(False, True, None, detail)


def down(detail: str) -> Verdict:
    return Verdict(False, False, None, detail)


def undetermined(detail: str) -> Verdict:
    return Verdict(None, None, None, detail)


@dataclass(frozen=True)
class Analysis:
    keys: dict[str, Any]
    """The analysis keys to merge into ``test_keys``."""
    verdict: Verdict
    signature: str | None
    """``stage:failure`` where the measurement stopped; None when a page arrived."""
    control_reachable: bool


@dataclass(frozen=True)
class _Context:
    keys: Record
    first: Hop
    outcome: Outcome
    controls: Controls
    dns: DnsCheck
    """DNS consistency of the hop where the chain stopped."""
    page: PageComparison
    fingerprint: Fingerprint | None
    exempt: tuple[str, ...]

    @property
    def first_hop(self) -> bool:
        return self.outcome.hop.host == self.first.host


def analyse(measurement: Record, options: AnalysisOptions, known: bool = True) -> Analysis:
    """``known``: the options are the run's own (stored with the verdict); False when they are
    defaults standing in for options the file does not record (stored as null)."""
    keys = mapping(measurement.get("test_keys"))
    controls = Controls.of(keys)
    first = hop_of(str(measurement.get("input") or ""))
    if first is None:
        verdict = undetermined("the input is not an http or https URL")
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
    context = _Context(keys, first, outcome, controls, hop_dns, page, fingerprint, exempt)
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


def _decide(ctx: _Context) -> Verdict:
    if ctx.outcome.stage == "final" and ctx.outcome.request is not None:
        slow = throttled(
            ctx.outcome.request, ctx.controls, ctx.page.same_page if ctx.controls.page else None
        )
        if slow:
            return blocked(Technique.THROTTLE, Blocking.HTTP_FAILURE, slow)
        if _verified_https(ctx):
            return ok(
                f"the page came over HTTPS with a valid certificate for {ctx.outcome.hop.host}"
            )
    if not ctx.controls.any:
        return undetermined(f"no control to compare with: {describe_missing(ctx.controls)}")
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
    return undetermined(f"the redirect chain did not end ({ctx.outcome.failure})")


def _verified_https(ctx: _Context) -> bool:
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


def _dns_blocked(ctx: _Context, then: str = "") -> Verdict:
    """Inconsistent DNS is the first tampering, whatever failed after it (OONI's "dns")."""
    check = ctx.dns
    if check.missing and ctx.controls.page is None:
        return down(f"{check.reason}: a name that does not exist is not blocked{then}")
    failure = _dns_evidence(ctx)
    technique = _dns_technique(
        check, failure, bool(ctx.outcome.addresses) or ctx.outcome.stage != "dns"
    )
    sentence = check.reason + (f"; {check.injection}" if check.injection else "") + then
    if technique is None:
        return _no_evidence(f"{sentence}, but the probe's own lookup failed", failure)
    return blocked(technique, Blocking.DNS, sentence)


def _dns_evidence(ctx: _Context) -> str | None:
    """The DNS failure that tells most about the hop's host (a timeout over a local failure)."""
    if ctx.outcome.stage != "dns":
        return ctx.outcome.failure
    return telling(Stage.DNS, dns_failures(ctx.keys, ctx.outcome.hop.host))


def _outside(ctx: _Context, what: str, tech: Technique, blocking: Blocking) -> Verdict:
    """Judge a failure by whether the helper fetched the page: blocked, down or undetermined."""
    if ctx.controls.page is not None:
        return blocked(
            tech, blocking, f"{what}; the helper fetched the page ({status_code_of(ctx)})"
        )
    if ctx.controls.page_failure:
        return down(
            f"{what}; the helper could not fetch the page either ({ctx.controls.page_failure})"
        )
    return undetermined(f"{what}; no control reached the site")


def _no_evidence(what: str, failure: str | None, helper_failed: str | None = None) -> Verdict:
    """A failure the vocabulary does not map is never blocking. It is down when the helper
    failed too (the site fails from outside as well), unless it is local: then the probe never
    really reached the network, and nothing is known."""
    if helper_failed is not None and not is_local(failure):
        return down(f"{what}; {helper_failed}")
    return undetermined(f"{what}: {why_not_evidence(failure)}")


def _helper_failed(ctx: _Context, endpoints: list[str], tcp_only: bool = False) -> str | None:
    """How the helper failed where the probe did: at these endpoints, else fetching the page;
    None when it got through, or did not try."""
    reach = ctx.controls.helper_tcp if tcp_only else ctx.controls.helper_reached
    statuses = [reach(e) for e in endpoints]
    if any(statuses):
        return None
    if False in statuses:
        return f"the helper could not get through to {', '.join(endpoints)} either"
    if ctx.controls.page_failure:
        return f"the helper could not fetch the page either ({ctx.controls.page_failure})"
    return None


def status_code_of(ctx: _Context) -> str:
    page = ctx.controls.page or {}
    return f"status {page.get('status_code')}"


def _dns(ctx: _Context) -> Verdict:
    hop, check = ctx.outcome.hop, ctx.dns
    if check.inconsistent:
        return _dns_blocked(ctx)
    failure = _dns_evidence(ctx)
    control = ctx.controls.dns(hop.host, ctx.first_hop)
    if check.consistency == "consistent" and failure is not None:
        return down(check.reason)
    if control is not None and control.negative:
        return down(f"the {control.source} says {hop.host} does not exist ({control.failure})")
    if failure is None:
        return undetermined(f"{hop.host} resolved but no connection was attempted")
    what = f"the resolver gave no address for {hop.host} ({failure})"
    technique = _dns_technique(check, failure, False)
    if technique is None:
        return _no_evidence(what, failure, _helper_failed(ctx, []))
    return _outside(ctx, what, technique, Blocking.DNS)


_TCP_HOW = {
    errors.CONNECTION_REFUSED: "connection refused (RST to SYN)",
    errors.CONNECTION_RESET: "connection reset during the TCP handshake",
    errors.GENERIC_TIMEOUT: "no answer to SYN (timeout)",
}


def _tcp(ctx: _Context) -> Verdict:
    failure = ctx.outcome.failure
    if ctx.dns.inconsistent:
        return _dns_blocked(ctx, f"; connecting there failed ({failure})")
    hop = ctx.outcome.hop
    endpoints = [hop.endpoint(a) for a in usable(list(ctx.outcome.addresses), ctx.exempt)]
    how = _TCP_HOW.get(failure or "", f"TCP connect failed ({failure})")
    what = f"{how} at {', '.join(endpoints)}"
    technique = technique_for(Stage.TCP, failure)
    if technique is None:
        return _no_evidence(what, failure, _helper_failed(ctx, endpoints, tcp_only=True))
    helper = {e: ctx.controls.helper_tcp(e) for e in endpoints}
    reached = [e for e, status in helper.items() if status]
    if reached:
        return blocked(
            technique, Blocking.TCP_IP, f"{what}; the helper connected to {', '.join(reached)}"
        )
    if any(status is False for status in helper.values()):
        return down(f"{what}; the helper could not connect either")
    return _outside(ctx, what, technique, Blocking.TCP_IP)


@dataclass(frozen=True)
class _Exchange:
    """A TLS handshake or HTTP request that failed on a connection that worked."""

    address: str
    failure: str
    technique: Technique
    what: str
    """The observation, without claiming what triggered it."""
    label: str
    """``SNI`` or ``Host``: what the neutral-name retry changed."""
    request: bool


def _by_name_or_address(ctx: _Context, ex: _Exchange) -> Verdict:
    """Blame the name only when the same address answered the neutral name; blame the address
    when the neutral name failed the same way (docs/analysis.md, "The controls")."""
    controls = ctx.controls
    neutral = controls.neutral_host if ex.request else controls.neutral_sni
    answered = (
        controls.neutral_request(ex.address)
        if ex.request
        else controls.neutral_handshake(ex.address)
    )
    if answered is not None:
        how = f"answered {status_code(answered)}" if ex.request else "completed"
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            f"{ex.what}; same IP with {ex.label} {neutral} {how}: the name triggered it",
        )
    residual = _residual(ctx, ex.address)
    if residual is not None and controls.helper_reached(ex.address):
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            f"{ex.what}; {residual}; the helper got through to {ex.address}",
        )
    failed = controls.neutral_failure(ex.address, request=ex.request)
    if failed is not None:
        return _address_blocked(ctx, ex, neutral, failed)
    reached = controls.helper_reached(ex.address)
    if reached:
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            f"{ex.what}; no neutral-name retry was made; the helper got through to {ex.address}",
        )
    if reached is False:
        return down(f"{ex.what}; the helper could not get through to {ex.address} either")
    what = f"{ex.what}; no neutral-name retry was made"
    return _outside(ctx, what, ex.technique, Blocking.HTTP_FAILURE)


def _residual(ctx: _Context, address: str) -> str | None:
    """Residual blocking suspected: the neutral-name retry could not even connect to an address
    that had accepted the first connection. A censor that drops every flow to the address for a
    while after a banned name does that, so the retry is no evidence against the address."""
    control = mapping(ctx.keys.get("x_self_control"))
    retry = next(
        (c for c in records(control.get("tcp_connect")) if connect_endpoint(c) == address), None
    )
    if retry is None or connect_failure(retry) is None:
        return None
    if not any(
        connect_endpoint(c) == address and connect_failure(c) is None
        for c in records(ctx.keys.get("tcp_connect"))
    ):
        return None
    ended = [
        t
        for r in (*records(ctx.keys.get("tls_handshakes")), *records(ctx.keys.get("requests")))
        if r.get("address") == address and isinstance(t := r.get("t"), int | float)
    ]
    started = retry.get("t0")
    when = (
        f" {started - max(ended):.1f} s after the failure"
        if ended and isinstance(started, int | float)
        else ""
    )
    return (
        f"residual blocking suspected: the neutral-name retry{when} could not connect to "
        f"{address} ({connect_failure(retry)}), which had accepted the first connection"
    )


def _address_blocked(ctx: _Context, ex: _Exchange, neutral: str, failed: str) -> Verdict:
    if failed != ex.failure:
        return undetermined(
            f"{ex.what}; with {ex.label} {neutral} it failed differently ({failed}), "
            "so neither the name nor the address is shown to be the trigger"
        )
    technique = ADDRESS_TECHNIQUES.get(failed)
    if technique is None:
        return undetermined(
            f"{ex.what}, and the same with {ex.label} {neutral}, so the name is not the trigger; "
            f"{failed} whatever the name is no evidence of blocking (a server may do it)"
        )
    what = (
        f"{ex.what}, and the same with {ex.label} {neutral}: the address, or the path to it, "
        "is blocked, not the name"
    )
    reached = ctx.controls.helper_reached(ex.address)
    if reached:
        return blocked(
            technique, Blocking.TCP_IP, f"{what}; the helper got through to {ex.address}"
        )
    if reached is False:
        return down(f"{what}; the helper could not get through to {ex.address} either")
    return undetermined(f"{what}; but no control reached {ex.address} from outside")


_TLS_HOW = {
    errors.CONNECTION_RESET: "RST after the ClientHello",
    errors.EOF_ERROR: "connection closed after the ClientHello",
    errors.GENERIC_TIMEOUT: "no answer to the ClientHello (timeout)",
}


def _certificate(ctx: _Context, address: str, failure: str) -> Verdict:
    """A validation failure that is not interception: the site's own certificate is broken only
    when the helper's handshake there failed too."""
    what = f"the certificate at {address or ctx.outcome.hop.host} fails validation ({failure})"
    if ctx.controls.helper_tls(address) is False:
        return down(f"{what}, for the helper too: the site's own certificate is broken")
    return undetermined(f"{what} and no control saw a genuine certificate there")


def _tls(ctx: _Context) -> Verdict:
    failure = ctx.outcome.failure or ""
    if ctx.dns.inconsistent:
        return _dns_blocked(ctx, f"; the TLS handshake there failed ({failure})")
    hop, address = ctx.outcome.hop, ctx.outcome.endpoints[0]
    if failure in CERTIFICATE_FAILURES:
        return _certificate(ctx, address, failure)
    how = _TLS_HOW.get(failure, f"TLS handshake failed ({failure})")
    what = f"{how} with SNI {hop.sni or '(none)'} at {address}"
    technique = technique_for(Stage.TLS, failure)
    if technique is None:
        return _no_evidence(what, failure, _helper_failed(ctx, [address]))
    return _by_name_or_address(ctx, _Exchange(address, failure, technique, what, "SNI", False))


def _http(ctx: _Context) -> Verdict:
    request, failure = ctx.outcome.request, ctx.outcome.failure
    if request is None or failure is None:
        return undetermined("connected, but no HTTP request was recorded")
    if ctx.dns.inconsistent:
        return _dns_blocked(ctx, f"; the HTTP request there failed ({failure})")
    host, address = ctx.outcome.hop.host, str(request.get("address", ""))
    if failure in CERTIFICATE_FAILURES:  # OONI stores a failed handshake in the request too
        return _certificate(ctx, address, failure)
    stall = stall_of(ctx.keys, request)
    if stall is not None:
        return _stall(ctx, stall, f"{stall.sentence()}, with Host {host} at {address}", address)
    how = {
        errors.CONNECTION_RESET: "RST after the HTTP request",
        errors.EOF_ERROR: "connection closed after the HTTP request",
        errors.GENERIC_TIMEOUT: "no HTTP response (timeout) to the request",
    }.get(failure, f"the HTTP request failed ({failure})")
    what = f"{how} with Host {host}" + (f" at {address}" if address else "")
    technique = technique_for(Stage.HTTP, failure)
    if technique is None:
        return _no_evidence(what, failure, _helper_failed(ctx, [address] if address else []))
    return _by_name_or_address(ctx, _Exchange(address, failure, technique, what, "Host", True))


def _stall(ctx: _Context, stall: Stall, what: str, address: str) -> Verdict:
    """Data flowed, then stopped: throttling. By the name when the neutral name at the same
    address went past a freeze's stall point, or ran at least ``RATIO`` times faster than a rate
    limit; by the address when it stalled too, or was no faster; else the two are not told
    apart (docs/analysis.md, "Stalls")."""
    neutral = f"same IP with Host {ctx.controls.neutral_host}"
    pulled = neutral_volume(ctx.keys, address)
    if pulled is not None and pulled.stall is not None:
        kind = "volume-based freeze" if pulled.stall.freeze else "rate limit"
        return _on_address(
            ctx,
            f"{what}; {neutral} stalled too, after {pulled.stall.received} bytes: "
            f"a {kind} on the address, not the name",
        )
    if pulled is None:
        # A shaper's backlog can hold up the retry's SYN too: residual blocking (a drop after a
        # banned name) is suspected only after a freeze.
        failed = ctx.controls.neutral_failure(address, request=True)
        why = (_residual(ctx, address) if stall.freeze else None) or (
            f"the neutral-name retry failed ({failed})"
            if failed
            else f"no neutral-name exchange went past {stall.received} bytes"
        )
    elif stall.freeze and pulled.received > stall.received:
        return _by_name(f"{what}; {neutral} went on to {pulled.received} bytes")
    elif stall.kind == "rate limit" and pulled.rate >= RATIO * stall.rate:
        return _by_name(f"{what}; {neutral} ran at {rate(pulled.rate)}")
    elif stall.kind == "rate limit" and pulled.received >= MIN_RATE_BYTES:
        if pulled.rate < SAME_RATE * stall.rate:
            return _on_address(
                ctx,
                f"{what}; {neutral} was no faster ({rate(pulled.rate)} over {pulled.received} "
                "bytes): a rate limit on the address, not the name",
            )
        why = (
            f"{neutral} ran at {rate(pulled.rate)}, {pulled.rate / stall.rate:.1f} times the "
            f"stalled rate but not {RATIO:.0f} times"
        )
    else:
        how = f"ended ({pulled.failure})" if pulled.failure else "finished"
        why = f"{neutral} {how} after {pulled.received} bytes"
    return _outside(
        ctx,
        f"{what}; {why}, so name and volume cannot be told apart",
        Technique.THROTTLE,
        Blocking.HTTP_FAILURE,
    )


def _by_name(what: str) -> Verdict:
    return blocked(Technique.THROTTLE, Blocking.HTTP_FAILURE, f"{what}: the name triggered it")


def _on_address(ctx: _Context, what: str) -> Verdict:
    """Throttled whatever the name: blocked only when the helper fetched the page (a server slow
    for everyone is down, not blocked)."""
    if ctx.controls.page is not None:
        return blocked(Technique.THROTTLE, Blocking.TCP_IP, f"{what}; the helper fetched the page")
    if ctx.controls.page_failure:
        return down(f"{what}; the helper could not fetch the page either")
    return undetermined(f"{what}; no control fetched the page")


def _final(ctx: _Context) -> Verdict:
    inconsistent = ctx.dns.inconsistent
    if ctx.fingerprint is not None:
        why = f"the page matches the blockpage fingerprint {ctx.fingerprint.name}"
        if inconsistent:
            return blocked(Technique.HTTP_BLOCKPAGE, Blocking.DNS, f"{why}; {ctx.dns.reason}")
        return blocked(Technique.HTTP_BLOCKPAGE, Blocking.HTTP_DIFF, why)
    control = ctx.controls.page
    if control is None:
        if ctx.controls.page_failure:
            return undetermined(
                f"a page arrived but the helper could not fetch it ({ctx.controls.page_failure})"
            )
        return undetermined("a page arrived but there is no helper page to compare it with")
    page, final = ctx.page, ctx.outcome.request or {}
    if page.same_page:
        also = f" although {ctx.dns.reason}" if inconsistent else ""
        return ok(f"the page matches the helper's (status {status_code(final)}){also}")
    differs = (
        f"the page differs from the helper's (status {status_code(final)} vs "
        f"{control.get('status_code')}, body proportion {page.body_proportion}, "
        f"title match {page.title_match}, headers match {page.headers_match})"
    )
    if inconsistent:
        return _dns_blocked(ctx, f"; {differs}")
    return blocked(Technique.HTTP_DIFF, Blocking.HTTP_DIFF, differs)
