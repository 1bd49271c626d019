"""What packet-level observations prove: DNS injection, forged resets, where the censor sits.

Pure functions of stored records (the dicts the packet nettests write), so a file can be judged
again by a newer version. Two facts carry most of the weight:

- a packet's IP TTL counts the routers it crossed, so a RST sent by a box in the middle arrives
  with a different TTL than the server's own SYN-ACK on the same connection;
- a DNS answer from an address that runs no DNS server, or a second, different answer to one
  query, can only come from something on the path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from probe.analysis.observations import Record, answer_addresses, mapping, records

INITIAL_TTLS = (32, 64, 128, 255)
"""The IP TTLs that operating systems and middleboxes start packets with."""
IP_ID_WINDOW = 2048
"""How far a host's IP-ID counter may plausibly move during one exchange."""
Placement = Literal["in-path", "on-path"]
LocatedBy = Literal["forged_packet", "last_common_router"]


# -- DNS injection -----------------------------------------------------------------------------


def _response_view(response: Record) -> tuple[str, tuple[str, ...]]:
    return str(response.get("x_rcode")), tuple(sorted(answer_addresses(response)))


def dns_injection(keys: Record) -> str | None:
    """Why the measurement proves DNS injection (a sentence), or None.

    Reads ``x_dns_duplicate_responses``: every reply to each query, in arrival order.
    """
    for entry in records(keys.get("x_dns_duplicate_responses")):
        responses = records(entry.get("responses"))
        name, where = entry.get("hostname"), entry.get("resolver_address")
        if entry.get("x_no_dns_server") and responses:
            return (
                f"{where}, which runs no DNS server, answered the query for {name} "
                f"({', '.join(answer_addresses(responses[0])) or responses[0].get('x_rcode')})"
            )
        views = list(dict.fromkeys(_response_view(r) for r in responses))
        if len(views) > 1:
            shown = " then ".join(", ".join(v[1]) or v[0] for v in views)
            return f"one query for {name} to {where} got {len(views)} different answers: {shown}"
    return None


# -- Forged resets -----------------------------------------------------------------------------


def initial_ttl(ttl: int) -> int:
    """The smallest usual starting TTL that can have decayed to ``ttl``."""
    return next((start for start in INITIAL_TTLS if start >= ttl), INITIAL_TTLS[-1])


def sender_hop(ttl: int) -> int:
    """How many hops away the sender of a packet that arrived with IP TTL ``ttl`` is."""
    return initial_ttl(ttl) - ttl + 1


def _int(record: Record, key: str) -> int | None:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def reset_reasons(reset: Record, syn_ack: Record) -> list[str]:
    """Which header fields of a RST do not fit the server that sent ``syn_ack``."""
    reasons: list[str] = []
    if _int(reset, "ip_ttl") != _int(syn_ack, "ip_ttl"):
        reasons.append("ip_ttl")
    rst_id, server_id = _int(reset, "ip_id"), _int(syn_ack, "ip_id")
    # A zero IP-ID says nothing (Linux uses it on DF packets); a counter that jumped does.
    if rst_id is not None and server_id and (rst_id - server_id) % 65536 > IP_ID_WINDOW:
        reasons.append("ip_id")
    window = _int(reset, "tcp_window")
    if window and window != _int(syn_ack, "tcp_window"):
        reasons.append("tcp_window")  # stacks send RSTs with a zero window; forgers often do not
    return reasons


def judge_reset(reset: Record, syn_ack: Record | None) -> dict[str, Any]:
    """A RST's header fields beside the SYN-ACK's, and whether it was likely injected.

    A different IP TTL alone is enough: it means another hop count, hence another sender. The
    IP-ID and window telltales count only together. Without a SYN-ACK there is nothing to compare
    with, and ``likely_injected`` is null.
    """
    fields = {k: reset.get(k) for k in ("flags", "ip_ttl", "ip_id", "tcp_window")}
    if syn_ack is None:
        return {**fields, "syn_ack": None, "likely_injected": None, "reasons": []}
    reasons = reset_reasons(reset, syn_ack)
    return {
        **fields,
        "syn_ack": {k: syn_ack.get(k) for k in ("ip_ttl", "ip_id", "tcp_window")},
        "likely_injected": "ip_ttl" in reasons or len(reasons) >= 2,
        "reasons": reasons,
    }


def resets(exchange: Record) -> list[Record]:
    return [p for p in records(exchange.get("packets")) if "R" in str(p.get("flags", ""))]


def judge_resets(record: Record) -> list[dict[str, Any]]:
    """Every RST of a forensics record (``probe.net.rst_forensics.inspect_endpoint``), judged
    against the exchange's own SYN-ACK, else the reference connection's (for a RST that refused
    the connection, which therefore had no SYN-ACK)."""
    exchange = mapping(record.get("exchange"))
    syn_ack = mapping(exchange.get("syn_ack")) or mapping(
        mapping(record.get("reference")).get("syn_ack")
    )
    return [judge_reset(r, syn_ack or None) for r in resets(exchange)]


# -- Locating the censor -----------------------------------------------------------------------


def answers(hop: Record) -> frozenset[str]:
    """What came back to one TTL-limited probe: ``icmp:<router>``, ``rst``, ``fin``, ``data``,
    ``failed:<failure>``, or ``none``."""
    failure = hop.get("failure")
    if isinstance(failure, str):
        return frozenset({f"failed:{failure}"})
    seen = {f"icmp:{e.get('router')}" for e in records(hop.get("time_exceeded"))}
    for packet in records(hop.get("packets")):
        flags = str(packet.get("flags", ""))
        if "R" in flags:
            seen.add("rst")
        if "F" in flags:
            seen.add("fin")
        if _int(packet, "payload_len"):
            seen.add("data")
    return frozenset(seen or {"none"})


def router(hop: Record | None) -> str | None:
    exceeded = records(mapping(hop).get("time_exceeded"))
    value = exceeded[0].get("router") if exceeded else None
    return value if isinstance(value, str) else None


def forged(hop: Record) -> list[Record]:
    """Packets after the trigger whose IP TTL differs from the server's SYN-ACK's."""
    server_ttl = _int(mapping(hop.get("syn_ack")), "ip_ttl")
    if server_ttl is None:
        return []
    return [p for p in records(hop.get("packets")) if _int(p, "ip_ttl") != server_ttl]


def _went_past(hop: Record) -> bool:
    """The trigger travelled on: a router expired it, or the server itself answered it."""
    server_ttl = _int(mapping(hop.get("syn_ack")), "ip_ttl")
    genuine = [p for p in records(hop.get("packets")) if _int(p, "ip_ttl") == server_ttl]
    return bool(records(hop.get("time_exceeded"))) or bool(genuine)


def _expired(hop: Record) -> bool:
    """A router expired the trigger: it died on the way, before anything beyond that router."""
    return bool(records(hop.get("time_exceeded")))


def server_answered(hop: Record) -> bool:
    """The connection opened, no router expired the trigger, and something answered it."""
    return hop.get("failure") is None and not _expired(hop) and answers(hop) != {"none"}


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
        after = f"{self.seconds:.1f} s after" if self.seconds is not None else "after"
        return (
            f"residual blocking suspected: the {self.trace}'s connection at TTL {self.ttl} "
            f"failed ({self.failure}) {after} the trigger at TTL {self.trigger_ttl}, where "
            "connections to the same address had opened before; no later probe says where the "
            "censor is"
        )


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
    return {ttl: hop for hop in trace if (ttl := _int(hop, "ttl")) is not None}


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
    return sorted(probes, key=lambda p: (_int(p[1], "ttl") or 0, p[0] != "test"))


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
                    name, _int(hop, "ttl"), failure, _int(trigger, "ttl"), _seconds(trigger, hop)
                )
                return index, residual
            continue
        opened = True
        twin = controls.get(_int(hop, "ttl") or 0)
        differs = twin is None or answers(twin) != answers(hop)
        if name == "test" and trigger is None and not _expired(hop) and differs:
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
        return "how far beyond cannot be told: residual blocking failed the control there"
    if server_answered(control):
        return (
            f"and before the server, which the control reached at TTL {ttl}: the evidence "
            "cannot tell it from a filter on the server itself"
        )
    name = router(control)
    return f"and before hop {ttl}{f' ({name})' if name else ''}"


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
        opened = any(h.get("failure") is None for _, h in kept)
        why = (
            "the test and control traces agree"
            if opened
            else "no connection to the address opened in either trace (a residual block left "
            "by an earlier trigger looks like this): there is nothing to locate"
        )
        detail = f"{why}; {residual.sentence()}" if residual else why
        return Location(None, None, None, None, None, [], detail, residual=residual)
    hop, twin = tests[ttl], controls.get(ttl)
    got = sorted(answers(hop))
    injected = forged(hop)
    sent_from = sender_hop(ip_ttl) if injected and (ip_ttl := _int(injected[0], "ip_ttl")) else None
    later = [h for t, h in sorted(tests.items()) if t >= ttl]
    placement: Placement = (
        "on-path" if any(forged(h) and _went_past(h) for h in later) else "in-path"
    )
    may_be_server = False
    located_by: LocatedBy | None = "forged_packet"
    if sent_from in (ttl - 1, ttl):
        censor_hop: int | None = sent_from
        censor_router = router(controls.get(sent_from))
        where = f"the censor is at hop {censor_hop}{f' ({censor_router})' if censor_router else ''}"
    else:
        common = _last_common_router(tests, controls, ttl)
        censor_hop, censor_router = common or (None, None)
        located_by = "last_common_router" if common else None
        where = (
            f"the censor is at or after hop {censor_hop} ({censor_router}), the last router both "
            f"traces saw, {_beyond(ttl, twin)}"
            if common
            else f"the censor is nearer than the first router, {_beyond(ttl, twin)}"
        )
        may_be_server = twin is not None and server_answered(twin)
    control_got = ", ".join(sorted(answers(twin))) if twin else "no probe (residual blocking)"
    detail = (
        f"from TTL {ttl} the trigger got {', '.join(got)} where the control got {control_got}; "
        f"{where}; {placement}"
    )
    if residual:
        detail += f"; {residual.sentence()}"
    return Location(
        ttl,
        router(twin),
        censor_hop,
        censor_router,
        placement,
        got,
        detail,
        located_by,
        may_be_server,
        residual,
    )


# -- What --packet-tests found, as analysis keys ----------------------------------------------


def packet_findings(keys: Record) -> dict[str, Any]:
    """``x_censor_location`` and ``x_rst_judgements`` from ``x_packet_tests``, when present."""
    packets = keys.get("x_packet_tests")
    if not isinstance(packets, Mapping):
        return {}
    found: dict[str, Any] = {}
    trace = packets.get("censor_locate")
    if isinstance(trace, Mapping) and trace.get("x_test_trace"):
        located = locate(records(trace.get("x_test_trace")), records(trace.get("x_control_trace")))
        found["x_censor_location"] = located.as_dict()
    judged = [j for r in records(packets.get("rst_forensics")) for j in judge_resets(r)]
    if judged:
        found["x_rst_judgements"] = judged
    return found
