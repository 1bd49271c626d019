"""Captured packets belong to one connection by 4-tuple and arrival time (crafted datagrams).

Probes bind port 0, so the kernel may give a later probe the local port of an earlier one: a
late answer to the earlier must not be read as the later's.
"""

from __future__ import annotations

import socket

from scapy.layers.inet import ICMP, IP, TCP, IPerror, TCPerror

from probe.net.raw.capture import Flow, Packets

PEER, ME, OTHER_ME, ROUTER = "203.0.113.10", "192.0.2.2", "192.0.2.3", "192.0.2.10"
PORT, REUSED = 443, 40000


def _from_peer(packets: Packets, t: float, dport: int, flags: str, *, to: str = ME,
               sport: int = PORT) -> None:  # fmt: skip
    wire = bytes(IP(src=PEER, dst=to, ttl=62) / TCP(sport=sport, dport=dport, flags=flags))
    packets.take(socket.IPPROTO_TCP, wire, t)


def _expired(packets: Packets, t: float, sport: int, *, me: str = ME) -> None:
    quoted = IPerror(src=me, dst=PEER, ttl=1) / TCPerror(sport=sport, dport=PORT, flags="PA")
    wire = bytes(IP(src=ROUTER, dst=me, ttl=63) / ICMP(type=11, code=0) / quoted)
    packets.take(socket.IPPROTO_ICMP, wire, t)


def test_a_reused_local_port_keeps_each_connections_packets_apart() -> None:
    packets = Packets(PEER)
    _from_peer(packets, 1.0, REUSED, "SA")  # first connection, 1.0 to 3.0
    _expired(packets, 1.5, REUSED)
    _from_peer(packets, 4.0, REUSED, "SA")  # second connection from the same port, 4.0 to 6.0
    _from_peer(packets, 4.1, REUSED, "R")
    _expired(packets, 3.9, REUSED)  # late ICMP about the first, read before the second began
    first, second = Flow(ME, REUSED, PORT, 1.0, 3.0), Flow(ME, REUSED, PORT, 4.0, 6.0)
    segments, exceeded = packets.about(first)
    assert [(s.t, s.flags) for s in segments] == [(1.0, "SA")]
    assert [(e.t, e.router) for e in exceeded] == [(1.5, ROUTER)]
    segments, exceeded = packets.about(second)
    assert [(s.t, s.flags) for s in segments] == [(4.0, "SA"), (4.1, "R")]
    assert exceeded == []


def test_the_whole_4_tuple_must_match() -> None:
    packets = Packets(PEER)
    flow = Flow(ME, REUSED, PORT, 0.0, 10.0)
    _from_peer(packets, 1.0, REUSED, "SA", sport=80)  # the peer's other port
    _from_peer(packets, 1.0, REUSED, "SA", to=OTHER_ME)  # our other address
    _expired(packets, 1.0, REUSED, me=OTHER_ME)
    _from_peer(packets, 1.0, REUSED + 1, "SA")
    _expired(packets, 1.0, REUSED + 1)
    assert len(packets.segments) == 3 and len(packets.time_exceeded) == 2
    assert packets.about(flow) == ([], [])
    _from_peer(packets, 2.0, REUSED, "SA")
    _expired(packets, 2.0, REUSED)
    segments, exceeded = packets.about(flow)
    assert [s.t for s in segments] == [2.0] and [e.t for e in exceeded] == [2.0]


def test_packets_about_other_peers_are_not_kept() -> None:
    packets = Packets(PEER)
    wire = bytes(IP(src="198.51.100.7", dst=ME) / TCP(sport=PORT, dport=REUSED, flags="SA"))
    packets.take(socket.IPPROTO_TCP, wire, 1.0)
    quoted = IPerror(src=ME, dst="198.51.100.7") / TCPerror(sport=REUSED, dport=PORT)
    packets.take(socket.IPPROTO_ICMP, bytes(IP(src=ROUTER, dst=ME) / ICMP(type=11) / quoted), 1.0)
    assert packets.segments == [] and packets.time_exceeded == []
