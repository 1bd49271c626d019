"""What packet-level observations prove: DNS injection, forged resets, where the censor sits.

Pure functions of stored records (the dicts the packet nettests write), so a file can be judged
again by a newer version. Two facts carry most of the weight:

- a packet's IP TTL counts the routers it crossed, so a RST sent by a box in the middle arrives
  with a different TTL than the server's own SYN-ACK on the same connection;
- a DNS answer from an address that runs no DNS server, or a second, different answer to one
  query, can only come from something on the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probe.analysis.hops import answers, int_field, sender_hop
from probe.analysis.observations import Record, answer_addresses, mapping, records
from probe.analysis.traces import divergence, locate
from probe.i18n import N_

__all__ = [
    "answers",
    "divergence",
    "dns_injection",
    "judge_reset",
    "judge_resets",
    "locate",
    "packet_findings",
    "sender_hop",
]
"""The TTL readings and the censor's location live in ``hops`` and ``traces``; they are named
here too, as the packet tests' findings."""

IP_ID_WINDOW = 2048
"""How far a host's IP-ID counter may plausibly move during one exchange."""


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
            answered = ", ".join(answer_addresses(responses[0])) or responses[0].get("x_rcode")
            return N_(
                "{where}, which runs no DNS server, answered the query for {name} ({answer})"
            ).format(where=where, name=name, answer=answered)
        views = list(dict.fromkeys(_response_view(r) for r in responses))
        if len(views) > 1:
            shown = " then ".join(", ".join(v[1]) or v[0] for v in views)
            return N_(
                "one query for {name} to {where} got {count} different answers: {shown}"
            ).format(name=name, where=where, count=len(views), shown=shown)
    return None


# -- Forged resets -----------------------------------------------------------------------------


def reset_reasons(reset: Record, syn_ack: Record) -> list[str]:
    """Which header fields of a RST do not fit the server that sent ``syn_ack``."""
    reasons: list[str] = []
    if int_field(reset, "ip_ttl") != int_field(syn_ack, "ip_ttl"):
        reasons.append("ip_ttl")
    rst_id, server_id = int_field(reset, "ip_id"), int_field(syn_ack, "ip_id")
    # A zero IP-ID says nothing (Linux uses it on DF packets); a counter that jumped does.
    if rst_id is not None and server_id and (rst_id - server_id) % 65536 > IP_ID_WINDOW:
        reasons.append("ip_id")
    window = int_field(reset, "tcp_window")
    if window and window != int_field(syn_ack, "tcp_window"):
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
