"""Every reply to one DNS query, not only the first.

A stub resolver takes the first reply and closes its socket, so a forged answer that wins the race
hides the genuine one. Here the socket stays open for a whole window. It is unconnected, so an ICMP
port-unreachable from an address without a DNS server does not end the wait early.
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass

import dns.exception
import dns.message


@dataclass(frozen=True)
class Replies:
    sent: float
    """When the query left (monotonic seconds)."""
    replies: tuple[tuple[float, dns.message.Message], ...]
    """(arrival, reply) in arrival order; only replies that answer this very query."""


def all_replies(server: str, port: int, name: str, qtype: str, window: float) -> Replies:
    """Send one query for ``name`` to ``server`` and collect replies for ``window`` seconds."""
    query = dns.message.make_query(name, qtype)
    found: list[tuple[float, dns.message.Message]] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sent = time.monotonic()
        sock.sendto(query.to_wire(), (server, port))
        deadline = sent + window
        while (remaining := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([sock], [], [], remaining)
            if not readable:
                break
            wire, source = sock.recvfrom(65535)
            if source[0] != server or source[1] != port:
                continue
            try:
                reply = dns.message.from_wire(wire)
            except dns.exception.DNSException:
                continue  # junk is not an answer, whoever sent it
            if query.is_response(reply):
                found.append((time.monotonic(), reply))
    return Replies(sent, tuple(found))
