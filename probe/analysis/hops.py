"""What one TTL-limited probe, or one packet, tells by its IP TTL: how far away its sender is,
and what came back to a trigger that was meant to expire on the way."""

from __future__ import annotations

from probe.analysis.observations import Record, mapping, records

INITIAL_TTLS = (32, 64, 128, 255)
"""The IP TTLs that operating systems and middleboxes start packets with."""


def initial_ttl(ttl: int) -> int:
    """The smallest usual starting TTL that can have decayed to ``ttl``."""
    return next((start for start in INITIAL_TTLS if start >= ttl), INITIAL_TTLS[-1])


def sender_hop(ttl: int) -> int:
    """How many hops away the sender of a packet that arrived with IP TTL ``ttl`` is."""
    return initial_ttl(ttl) - ttl + 1


def int_field(record: Record, key: str) -> int | None:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        if int_field(packet, "payload_len"):
            seen.add("data")
    return frozenset(seen or {"none"})


def router(hop: Record | None) -> str | None:
    exceeded = records(mapping(hop).get("time_exceeded"))
    value = exceeded[0].get("router") if exceeded else None
    return value if isinstance(value, str) else None


def forged(hop: Record) -> list[Record]:
    """Packets after the trigger whose IP TTL differs from the server's SYN-ACK's."""
    server_ttl = int_field(mapping(hop.get("syn_ack")), "ip_ttl")
    if server_ttl is None:
        return []
    return [p for p in records(hop.get("packets")) if int_field(p, "ip_ttl") != server_ttl]


def went_past(hop: Record) -> bool:
    """The trigger travelled on: a router expired it, or the server itself answered it."""
    server_ttl = int_field(mapping(hop.get("syn_ack")), "ip_ttl")
    genuine = [p for p in records(hop.get("packets")) if int_field(p, "ip_ttl") == server_ttl]
    return bool(records(hop.get("time_exceeded"))) or bool(genuine)


def expired(hop: Record) -> bool:
    """A router expired the trigger: it died on the way, before anything beyond that router."""
    return bool(records(hop.get("time_exceeded")))


def server_answered(hop: Record) -> bool:
    """The connection opened, no router expired the trigger, and something answered it."""
    return hop.get("failure") is None and not expired(hop) and answers(hop) != {"none"}
