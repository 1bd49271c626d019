"""Copies of the incoming TCP segments and ICMP time-exceeded messages about one peer.

Linux hands a copy of every incoming packet of a protocol to each raw socket of that protocol,
before the kernel's own TCP or ICMP code sees it, so this needs no interface name, no pcap and no
sniffer thread: the packets wait in the sockets' buffers until :meth:`Capture.poll` reads them.

A connection's packets are told apart by their whole 4-tuple *and* the time they arrived: probes
bind port 0, so the kernel may hand a later probe the port of an earlier one, and a late answer
to the earlier must not land in the later's record.
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from scapy.layers.inet import ICMP, IP, TCP, IPerror, TCPerror

from probe.net.own_addresses import OwnAddresses
from probe.net.records import SegmentRecord, TimeExceededRecord

TIME_EXCEEDED = 11
_BUFFER = 4 << 20
"""Room for every TCP segment the machine receives during a probe, busy or not."""


@dataclass(frozen=True)
class Segment:
    """One TCP segment from the peer, with the header fields that tell who really sent it."""

    t: float
    local: str
    """Our address the segment was sent to."""
    sport: int
    dport: int
    flags: str
    ip_ttl: int
    ip_id: int
    tcp_window: int
    payload_len: int

    def as_dict(self, t_zero: float) -> SegmentRecord:
        return SegmentRecord(
            flags=self.flags,
            ip_ttl=self.ip_ttl,
            ip_id=self.ip_id,
            tcp_window=self.tcp_window,
            payload_len=self.payload_len,
            t=round(self.t - t_zero, 6),
        )


@dataclass(frozen=True)
class TimeExceeded:
    """A router's ICMP time-exceeded about one of our TCP segments to the peer."""

    t: float
    router: str
    ip_ttl: int
    local: str
    """Our address, as the quoted header has it."""
    sport: int
    dport: int

    def as_dict(self, t_zero: float) -> TimeExceededRecord:
        return TimeExceededRecord(
            router=self.router, ip_ttl=self.ip_ttl, t=round(self.t - t_zero, 6)
        )


@dataclass(frozen=True)
class Flow:
    """One connection to the peer, and when it was ours: what a packet must match."""

    local: str
    local_port: int
    port: int
    """The peer's port."""
    since: float
    until: float
    """Monotonic seconds; a packet that arrived outside them belongs to another connection."""

    def __contains__(self, packet: Segment | TimeExceeded) -> bool:
        if not self.since <= packet.t <= self.until or packet.local != self.local:
            return False
        if isinstance(packet, Segment):
            return (packet.dport, packet.sport) == (self.local_port, self.port)
        return (packet.sport, packet.dport) == (self.local_port, self.port)


class Packets:
    """What was captured about one IPv4 peer, parsed from the raw IP datagrams."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self._peer_bytes = socket.inet_aton(peer)
        self.segments: list[Segment] = []
        self.time_exceeded: list[TimeExceeded] = []

    def take(self, proto: int, data: bytes, now: float) -> None:
        """Keep one datagram read from the raw socket of ``proto`` at ``now``, if it is about the
        peer."""
        if proto == socket.IPPROTO_TCP:
            # Cheap test on the source address first: the machine's other traffic is skipped
            # without parsing.
            if data[12:16] == self._peer_bytes:
                self._segment(IP(data), now)
        else:
            self._icmp(IP(data), now)

    def _segment(self, packet: Any, now: float) -> None:
        if not packet.haslayer(TCP):
            return
        tcp = packet[TCP]
        self.segments.append(
            Segment(
                t=now,
                local=str(packet.dst),
                sport=int(tcp.sport),
                dport=int(tcp.dport),
                flags=str(tcp.flags),
                ip_ttl=int(packet.ttl),
                ip_id=int(packet.id),
                tcp_window=int(tcp.window),
                payload_len=len(bytes(tcp.payload)),
            )
        )

    def _icmp(self, packet: Any, now: float) -> None:
        if not (packet.haslayer(ICMP) and packet[ICMP].type == TIME_EXCEEDED):
            return
        if not (packet.haslayer(IPerror) and packet.haslayer(TCPerror)):
            return
        quoted_ip = packet[IPerror]
        if quoted_ip.dst != self.peer:
            return
        quoted = packet[TCPerror]
        self.time_exceeded.append(
            TimeExceeded(
                now,
                str(packet.src),
                int(packet.ttl),
                str(quoted_ip.src),
                int(quoted.sport),
                int(quoted.dport),
            )
        )

    def about(self, flow: Flow) -> tuple[list[Segment], list[TimeExceeded]]:
        """What was captured for ``flow``."""
        return (
            [s for s in self.segments if s in flow],
            [e for e in self.time_exceeded if e in flow],
        )


class Capture(Packets):
    """Raw TCP and ICMP sockets filtered to one IPv4 peer; open it before the probe connects.

    Raises PermissionError without CAP_NET_RAW (see :func:`probe.net.raw.unavailable`).
    """

    def __init__(self, peer: str, own: OwnAddresses | None = None) -> None:
        super().__init__(peer)
        self.own = own
        """Learns the local address of each connection made through this capture."""
        self._sockets: list[socket.socket] = []
        try:
            for proto in (socket.IPPROTO_TCP, socket.IPPROTO_ICMP):
                sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
                self._sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER)
                sock.setblocking(False)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Capture:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()

    def poll(self, timeout: float) -> int:
        """Wait up to ``timeout`` for packets, keep those about the peer; returns how many."""
        before = len(self.segments) + len(self.time_exceeded)
        readable, _, _ = select.select(self._sockets, [], [], max(timeout, 0.0))
        for sock in readable:
            self._drain(sock)
        return len(self.segments) + len(self.time_exceeded) - before

    def _drain(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(65535)
            except BlockingIOError:
                return
            self.take(sock.proto, data, time.monotonic())
