"""A dnspython-based UDP DNS server whose behaviour is chosen per name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

# Behaviours other than answering with addresses.
NXDOMAIN = "nxdomain"
REFUSED = "refused"
SERVFAIL = "servfail"
SILENT = "silent"
WRONG_ID = "wrong-id"
MALFORMED = "malformed"
TRUNCATED = "truncated"


@dataclass
class Zone:
    """name -> addresses, {qtype: [rdata text]}, or one of the behaviour strings above."""

    records: dict[str, list[str] | str | dict[str, list[str]]] = field(default_factory=dict)
    ttl: int = 300
    queries: list[tuple[str, str]] = field(default_factory=list)

    def reply(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        qtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, qtype))
        behaviour = self.records.get(name, NXDOMAIN)
        response = dns.message.make_response(query)
        if behaviour == SILENT:
            return None
        if behaviour == MALFORMED:
            return wire[:2] + b"\x81\x80\x00\x01\x00\x05"  # header claims answers it lacks
        if behaviour == WRONG_ID:
            response.id = (query.id + 1) % 65536
        elif behaviour == TRUNCATED:
            response.flags |= dns.flags.TC
        elif isinstance(behaviour, str):
            response.set_rcode(
                {NXDOMAIN: dns.rcode.NXDOMAIN, REFUSED: dns.rcode.REFUSED}.get(
                    behaviour, dns.rcode.SERVFAIL
                )
            )
        elif isinstance(behaviour, dict):
            if behaviour.get(qtype):
                response.answer.append(
                    dns.rrset.from_text_list(question.name, self.ttl, "IN", qtype, behaviour[qtype])
                )
        else:
            wanted = [a for a in behaviour if (":" in a) == (qtype == "AAAA")]
            if wanted:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, self.ttl, "IN", qtype, wanted)
                )
        return response.to_wire()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = self.zone.reply(data)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


async def serve(zone: Zone) -> tuple[asyncio.DatagramTransport, str]:
    """Start on an ephemeral port; returns the transport and its ``127.0.0.1:port``."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Protocol(zone), local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    return transport, f"127.0.0.1:{port}"
