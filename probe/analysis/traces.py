"""Where the censor sits: CenTrace's reading of two TTL-limited traces of the same address, one
with the trigger (the banned name), one with a neutral name, refined by the IP TTL of what the
censor sent (``probe/analysis/hops.py``), with residual blocking cut out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from probe.analysis.hops import (
    answers,
    expired,
    forged,
    int_field,
    router,
    sender_hop,
    server_answered,
    went_past,
)
from probe.analysis.observations import Record
from probe.i18n import N_

Placement = Literal["in-path", "on-path"]
LocatedBy = Literal["forged_packet", "last_common_router"]


@dataclass(frozen=True)
class Residual:
    """A connection that failed after a trigger passed the routers, where earlier ones opened."""

    trace: str
    """``test`` or ``control``: whose connection failed."""
    ttl: int | None
    failure: str
    trigger_ttl: int | None
    """The TTL of the test probe whose trigger set the block off."""
    seconds: float | None
    """From that trigger's connection to the failed one (``t0`` to ``t0``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "trace": self.trace,
            "ttl": self.ttl,
            "failure": self.failure,
            "trigger_ttl": self.trigger_ttl,
            "seconds_after_trigger": self.seconds,
        }

    def sentence(self) -> str:
        after = (
            N_("{seconds} s after").format(seconds=f"{self.seconds:.1f}")
            if self.seconds is not None
            else N_("after")
        )
        whose = (
            N_("the test's connection") if self.trace == "test" else N_("the control's connection")
        )
        suspected = N_(
            "residual blocking suspected: {whose} at TTL {ttl} failed ({failure}) {after} the "
            "trigger at TTL {trigger}, where connections to the same address had opened before"
        ).format(
            whose=whose, ttl=self.ttl, failure=self.failure, after=after, trigger=self.trigger_ttl
        )
        return "; ".join((suspected, N_("no later probe says where the censor is")))


@dataclass(frozen=True)
class Location:
    divergence_ttl: int | None
    """The first TTL from which the test and control traces differ for good."""
    divergence_router: str | None
    """The router that answered at that TTL in the control trace."""
    censor_hop: int | None
    censor_router: str | None
    placement: Placement | None
    test_answer: list[str]
    """What the test probe got at the divergence (sorted ``answers``)."""
    detail: str
    located_by: LocatedBy | None = None
    """``forged_packet``: the censor's packet's own IP TTL names its hop. ``last_common_router``:
    it stayed silent, so ``censor_hop`` is only the nearest it can be."""
    may_be_server: bool = False
    """Silence where the control reached the server: a filter on the server itself would look
    the same."""
    residual: Residual | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "divergence_ttl": self.divergence_ttl,
            "divergence_router": self.divergence_router,
            "censor_hop": self.censor_hop,
            "censor_router": self.censor_router,
            "placement": self.placement,
            "test_answer": self.test_answer,
            "located_by": self.located_by,
            "may_be_server": self.may_be_server,
            "residual_blocking": self.residual.as_dict() if self.residual else None,
            "detail": self.detail,
        }


def _by_ttl(trace: Sequence[Record]) -> dict[int, Record]:
    return {ttl: hop for hop in trace if (ttl := int_field(hop, "ttl")) is not None}


def divergence(test: Sequence[Record], control: Sequence[Record]) -> int | None:
    """The first TTL where the traces differ and never agree again on a real answer.

    A single silent router (ICMP rate limits) makes the traces differ once and then agree again:
    that is noise, not a censor.
    """
    tests, controls = _by_ttl(test), _by_ttl(control)
    found: int | None = None
    for ttl in sorted(tests.keys() & controls.keys()):
        a, b = answers(tests[ttl]), answers(controls[ttl])
        if a != b:
            found = found or ttl
        elif a != {"none"}:
            found = None
    return found


Probe = tuple[str, Record]
"""``("test" | "control", exchange)``."""


def timeline(test: Sequence[Record], control: Sequence[Record]) -> list[Probe]:
    """Both traces' probes in the order they were sent: by ``t0``, or, in a record without it,
    as the nettest sends them (at each TTL the test, then the control)."""
    probes = [("test", h) for h in test] + [("control", h) for h in control]
    if all(isinstance(h.get("t0"), (int, float)) for _, h in probes):
        return sorted(probes, key=lambda p: float(p[1]["t0"]))
    return sorted(probes, key=lambda p: (int_field(p[1], "ttl") or 0, p[0] != "test"))


def _seconds(start: Record, end: Record) -> float | None:
    a, b = start.get("t0"), end.get("t0")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return round(float(b) - float(a), 3)
    return None


def residual_onset(
    test: Sequence[Record], control: Sequence[Record]
) -> tuple[int, Residual] | None:
    """Where residual blocking cut the traces: the index in :func:`timeline` of the first
    connection that failed after a connection had opened and after a trigger passed the routers
    (a test probe no router expired, whose control did not get the same), and why.

    After a banned name, such a censor drops every new connection to the address for a while,
    the control's too; what follows says nothing about where it sits.
    """
    controls = _by_ttl(control)
    opened = False
    trigger: Record | None = None
    for index, (name, hop) in enumerate(timeline(test, control)):
        failure = hop.get("failure")
        if isinstance(failure, str):
            if opened and trigger is not None:
                residual = Residual(
                    name,
                    int_field(hop, "ttl"),
                    failure,
                    int_field(trigger, "ttl"),
                    _seconds(trigger, hop),
                )
                return index, residual
            continue
        opened = True
        twin = controls.get(int_field(hop, "ttl") or 0)
        differs = twin is None or answers(twin) != answers(hop)
        if name == "test" and trigger is None and not expired(hop) and differs:
            trigger = hop
    return None


def _last_common_router(
    tests: Mapping[int, Record], controls: Mapping[int, Record], before: int
) -> tuple[int, str] | None:
    """The farthest router, below TTL ``before``, that expired the test and control alike."""
    for ttl in sorted((t for t in tests.keys() & controls.keys() if t < before), reverse=True):
        name = router(tests[ttl])
        if name and answers(tests[ttl]) == answers(controls[ttl]):
            return ttl, name
    return None


def _beyond(ttl: int, control: Record | None) -> str:
    """Where a silent censor's reach ends, from what the control got at the divergence."""
    if control is None:
        return N_("how far beyond cannot be told: residual blocking failed the control there")
    if server_answered(control):
        return N_(
            "and before the server, which the control reached at TTL {ttl}: the evidence "
            "cannot tell it from a filter on the server itself"
        ).format(ttl=ttl)
    name = router(control)
    if name:
        return N_("and before hop {ttl} ({router})").format(ttl=ttl, router=name)
    return N_("and before hop {ttl}").format(ttl=ttl)


@dataclass(frozen=True)
class _Censor:
    """Where the censor is, as far as the traces tell, and the sentence saying so."""

    hop: int | None
    router: str | None
    located_by: LocatedBy | None
    may_be_server: bool
    where: str


def _censor(tests: Mapping[int, Record], controls: Mapping[int, Record], ttl: int) -> _Censor:
    """By the forged packet's own IP TTL when it names the hop before the divergence or the
    divergence itself; else at or after the last router both traces saw."""
    injected = forged(tests[ttl])
    sent_from = (
        sender_hop(ip_ttl) if injected and (ip_ttl := int_field(injected[0], "ip_ttl")) else None
    )
    if sent_from in (ttl - 1, ttl):
        name = router(controls.get(sent_from))
        where = (
            N_("the censor is at hop {hop} ({router})").format(hop=sent_from, router=name)
            if name
            else N_("the censor is at hop {hop}").format(hop=sent_from)
        )
        return _Censor(sent_from, name, "forged_packet", False, where)
    twin = controls.get(ttl)
    beyond = _beyond(ttl, twin)
    may_be_server = twin is not None and server_answered(twin)
    common = _last_common_router(tests, controls, ttl)
    if common is None:
        where = N_("the censor is nearer than the first router, {beyond}").format(beyond=beyond)
        return _Censor(None, None, None, may_be_server, where)
    where = N_(
        "the censor is at or after hop {hop} ({router}), the last router both traces saw, {beyond}"
    ).format(hop=common[0], router=common[1], beyond=beyond)
    return _Censor(common[0], common[1], "last_common_router", may_be_server, where)


def _nothing_to_locate(opened: bool, residual: Residual | None) -> Location:
    why = (
        N_("the test and control traces agree")
        if opened
        else N_(
            "no connection to the address opened in either trace (a residual block left by an "
            "earlier trigger looks like this): there is nothing to locate"
        )
    )
    detail = f"{why}; {residual.sentence()}" if residual else why
    return Location(None, None, None, None, None, [], detail, residual=residual)


def locate(test: Sequence[Record], control: Sequence[Record]) -> Location:
    """CenTrace's reading of two TTL-limited traces (one with the trigger, one with a neutral
    name), refined by the IP TTL of what the censor sent.

    A censor that filters after decrementing the TTL (a router) answers only probes that outlive
    it, so the traces diverge one hop *after* it; the forged packet's own TTL then shows whether
    it came from the hop before the divergence or from the divergence hop itself. A censor that
    stays silent shows no such thing: it is at or after the last router both traces saw, and
    before what the control met next. Probes from the first one residual blocking failed onward
    are left out (:func:`residual_onset`).
    """
    cut = residual_onset(test, control)
    residual = cut[1] if cut else None
    kept = timeline(test, control)[: cut[0]] if cut else timeline(test, control)
    test = [h for name, h in kept if name == "test"]
    control = [h for name, h in kept if name == "control"]
    tests, controls = _by_ttl(test), _by_ttl(control)
    ttl = divergence(test, control)
    if ttl is None and residual is not None and residual.trigger_ttl not in controls:
        ttl = residual.trigger_ttl  # the trigger's own probe came before the block
    if ttl is None or ttl not in tests:
        return _nothing_to_locate(any(h.get("failure") is None for _, h in kept), residual)
    twin, got = controls.get(ttl), sorted(answers(tests[ttl]))
    later = [h for t, h in sorted(tests.items()) if t >= ttl]
    placement: Placement = (
        "on-path" if any(forged(h) and went_past(h) for h in later) else "in-path"
    )
    censor = _censor(tests, controls, ttl)
    control_got = ", ".join(sorted(answers(twin))) if twin else N_("no probe (residual blocking)")
    diverged = N_("from TTL {ttl} the trigger got {got} where the control got {control}").format(
        ttl=ttl, got=", ".join(got), control=control_got
    )
    clauses = [diverged, censor.where, placement, *([residual.sentence()] if residual else [])]
    return Location(
        ttl,
        router(twin),
        censor.hop,
        censor.router,
        placement,
        got,
        "; ".join(clauses),
        censor.located_by,
        censor.may_be_server,
        residual,
    )
