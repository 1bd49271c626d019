"""A TLS handshake or HTTP request that failed or stalled on a connection that worked: was it
the name or the address, judged by the neutral-name retry at the same address and the helper
(docs/analysis.md, "The controls" and "Stalls")."""

from __future__ import annotations

from dataclasses import dataclass

from probe.analysis.judging import (
    Context,
    Verdict,
    blocked,
    down,
    helper_could_not_get_through,
    helper_got_through,
    outside,
    then,
    undetermined,
)
from probe.analysis.observations import (
    connect_endpoint,
    connect_failure,
    mapping,
    records,
    status_code,
)
from probe.analysis.stall import MIN_RATE_BYTES, Stall, neutral_volume, rate
from probe.analysis.throttle import RATIO
from probe.analysis.vocabulary import ADDRESS_TECHNIQUES, Blocking, Technique
from probe.i18n import N_

NO_RETRY = N_("no neutral-name retry was made")


@dataclass(frozen=True)
class Exchange:
    """A TLS handshake or HTTP request that failed on a connection that worked."""

    address: str
    failure: str
    technique: Technique
    what: str
    """The observation, without claiming what triggered it."""
    label: str
    """``SNI`` or ``Host``: what the neutral-name retry changed."""
    request: bool


def by_name_or_address(ctx: Context, ex: Exchange) -> Verdict:
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
        how = (
            N_("answered {status}").format(status=status_code(answered))
            if ex.request
            else N_("completed")
        )
        name = N_("same IP with {label} {neutral} {how}: the name triggered it")
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            then(ex.what, name.format(label=ex.label, neutral=neutral, how=how)),
        )
    residual = residual_blocking(ctx, ex.address)
    if residual is not None and controls.helper_reached(ex.address):
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            then(ex.what, residual, helper_got_through(ex.address)),
        )
    failed = controls.neutral_failure(ex.address, request=ex.request)
    if failed is not None:
        return _address_blocked(ctx, ex, neutral, failed)
    reached = controls.helper_reached(ex.address)
    if reached:
        return blocked(
            ex.technique,
            Blocking.HTTP_FAILURE,
            then(ex.what, NO_RETRY, helper_got_through(ex.address)),
        )
    if reached is False:
        return down(then(ex.what, helper_could_not_get_through(ex.address)))
    return outside(ctx, then(ex.what, NO_RETRY), ex.technique, Blocking.HTTP_FAILURE)


def residual_blocking(ctx: Context, address: str) -> str | None:
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
    if ended and isinstance(started, int | float):
        retry_name = N_("the neutral-name retry {seconds} s after the failure").format(
            seconds=f"{started - max(ended):.1f}"
        )
    else:
        retry_name = N_("the neutral-name retry")
    return N_(
        "residual blocking suspected: {retry} could not connect to {address} ({failure}), "
        "which had accepted the first connection"
    ).format(retry=retry_name, address=address, failure=connect_failure(retry))


def _address_blocked(ctx: Context, ex: Exchange, neutral: str, failed: str) -> Verdict:
    fields = {"what": ex.what, "label": ex.label, "neutral": neutral, "failure": failed}
    if failed != ex.failure:
        differently = N_(
            "with {label} {neutral} it failed differently ({failure}), "
            "so neither the name nor the address is shown to be the trigger"
        )
        return undetermined(then(ex.what, differently.format(**fields)))
    technique = ADDRESS_TECHNIQUES.get(failed)
    if technique is None:
        same = N_("{what}, and the same with {label} {neutral}, so the name is not the trigger")
        anyway = N_("{failure} whatever the name is no evidence of blocking (a server may do it)")
        return undetermined(then(same.format(**fields), anyway.format(**fields)))
    what = N_(
        "{what}, and the same with {label} {neutral}: the address, or the path to it, "
        "is blocked, not the name"
    ).format(**fields)
    reached = ctx.controls.helper_reached(ex.address)
    if reached:
        return blocked(technique, Blocking.TCP_IP, then(what, helper_got_through(ex.address)))
    if reached is False:
        return down(then(what, helper_could_not_get_through(ex.address)))
    nobody = N_("but no control reached {address} from outside").format(address=ex.address)
    return undetermined(then(what, nobody))


def stalled(ctx: Context, stall: Stall, what: str, address: str) -> Verdict:
    """Data flowed, then stopped: throttling. By the name when the neutral name at the same
    address went past a freeze's stall point, or ran at least ``RATIO`` times faster than a rate
    limit; by the address when it stalled too, or was no faster; else the two are not told
    apart (docs/analysis.md, "Stalls")."""
    neutral = N_("same IP with Host {neutral}").format(neutral=ctx.controls.neutral_host)
    pulled = neutral_volume(ctx.keys, address)
    if pulled is not None and pulled.stall is not None:
        kind = N_("volume-based freeze") if pulled.stall.freeze else N_("rate limit")
        too = N_(
            "{neutral} stalled too, after {bytes} bytes: a {kind} on the address, not the name"
        )
        return _on_address(
            ctx, then(what, too.format(neutral=neutral, bytes=pulled.stall.received, kind=kind))
        )
    if pulled is None:
        # A shaper's backlog can hold up the retry's SYN too: residual blocking (a drop after a
        # banned name) is suspected only after a freeze.
        failed = ctx.controls.neutral_failure(address, request=True)
        why = (residual_blocking(ctx, address) if stall.freeze else None) or (
            N_("the neutral-name retry failed ({failure})").format(failure=failed)
            if failed
            else N_("no neutral-name exchange went past {bytes} bytes").format(bytes=stall.received)
        )
    elif stall.freeze and pulled.received > stall.received:
        on = N_("{neutral} went on to {bytes} bytes").format(neutral=neutral, bytes=pulled.received)
        return _by_name(then(what, on))
    elif stall.kind == "rate limit" and pulled.rate >= RATIO * stall.rate:
        ran = N_("{neutral} ran at {rate}").format(neutral=neutral, rate=rate(pulled.rate))
        return _by_name(then(what, ran))
    elif stall.kind == "rate limit" and pulled.received >= MIN_RATE_BYTES:
        slow = N_(
            "{neutral} was no faster ({rate} over {bytes} bytes): a rate limit on the address, "
            "not the name"
        ).format(neutral=neutral, rate=rate(pulled.rate), bytes=pulled.received)
        return _on_address(ctx, then(what, slow))
    else:
        how = (
            N_("{neutral} ended ({failure}) after {bytes} bytes")
            if pulled.failure
            else N_("{neutral} finished after {bytes} bytes")
        )
        why = how.format(neutral=neutral, failure=pulled.failure, bytes=pulled.received)
    apart = N_("{why}, so name and volume cannot be told apart").format(why=why)
    return outside(ctx, then(what, apart), Technique.THROTTLE, Blocking.HTTP_FAILURE)


def _by_name(what: str) -> Verdict:
    return blocked(
        Technique.THROTTLE,
        Blocking.HTTP_FAILURE,
        N_("{what}: the name triggered it").format(what=what),
    )


def _on_address(ctx: Context, what: str) -> Verdict:
    """Throttled whatever the name: blocked only when the helper fetched the page (a server slow
    for everyone is down, not blocked)."""
    if ctx.controls.page is not None:
        fetched = then(what, N_("the helper fetched the page"))
        return blocked(Technique.THROTTLE, Blocking.TCP_IP, fetched)
    if ctx.controls.page_failure:
        return down(then(what, N_("the helper could not fetch the page either")))
    return undetermined(then(what, N_("no control fetched the page")))
