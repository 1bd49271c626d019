"""One TCP exchange watched at packet level: connect, optionally lower the IP TTL, send, observe.

The kernel performs the handshake with its normal TTL, so every probe reaches the server and gets a
SYN-ACK (the reference for the server's own IP TTL, IP-ID and window). Only the trigger that
follows travels with the lowered TTL, which is what makes routers on the way answer with ICMP
time-exceeded. Closing, whatever happened, is abortive: a RST at full TTL, so no half-open
connection is left at the server and the kernel retransmits nothing once the exchange is over.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, replace

from probe.net import errors
from probe.net.backend import abort
from probe.net.raw.capture import Capture, Flow, Segment, TimeExceeded
from probe.net.records import ExchangeRecord
from probe.net.tcp import endpoint


@dataclass(frozen=True)
class Exchange:
    ip: str
    port: int
    ttl: int | None
    """The IP TTL the trigger was sent with; None for the system default."""
    failure: str | None
    """Why the TCP connection did not open (df-007), else None."""
    syn_ack: Segment | None
    packets: tuple[Segment, ...]
    """The peer's segments after the SYN-ACK (or instead of it), in arrival order."""
    time_exceeded: tuple[TimeExceeded, ...]
    t0: float
    t: float

    @property
    def reached_endpoint(self) -> bool:
        """The connection failed, or something answered the trigger for the server: a RST, a
        FIN or data (an ICMP time-exceeded or silence means the trigger died on the way)."""
        return self.failure is not None or any(
            "R" in p.flags or "F" in p.flags or p.payload_len for p in self.packets
        )

    def as_dict(self, t_zero: float) -> ExchangeRecord:
        return ExchangeRecord(
            address=endpoint(self.ip, self.port),
            ttl=self.ttl,
            failure=self.failure,
            syn_ack=self.syn_ack.as_dict(t_zero) if self.syn_ack else None,
            packets=[p.as_dict(t_zero) for p in self.packets],
            time_exceeded=[e.as_dict(t_zero) for e in self.time_exceeded],
            t0=round(self.t0 - t_zero, 6),
            t=round(self.t - t_zero, 6),
        )


@dataclass(frozen=True)
class Timing:
    connect: float
    """Budget for the TCP handshake."""
    wait: float
    """How long to wait for anything after the trigger (routers that stay silent use it all)."""
    grace: float
    """After the first answer, how long to keep listening for a second one (an on-path injector's
    packet and the server's own both arrive)."""


def source_address(ip: str) -> str:
    """The local address the kernel routes ``ip`` from (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((ip, 9))
        return str(probe.getsockname()[0])


def exchange(
    capture: Capture, port: int, payload: bytes, timing: Timing, ttl: int | None = None
) -> Exchange:
    """Connect to ``capture.peer``:``port``, send ``payload`` with ``ttl`` and record the answer.

    The socket is bound to an explicit source address, so its 4-tuple is known even when the
    connect fails, and packets queued before it are read first, so they arrive before ``t0``.
    """
    ip = capture.peer
    capture.poll(0)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t0 = time.monotonic()
    try:
        sock.bind((source_address(ip), 0))
        local, local_port = sock.getsockname()
        flow = Flow(str(local), int(local_port), port, t0, float("inf"))
        sock.settimeout(timing.connect)
        try:
            sock.connect((ip, port))
        except OSError as exc:
            capture.poll(timing.grace)  # the RST that refused us, if one came
            return _result(capture, flow, ip, ttl, errors.classify(exc), t0)
        if capture.own is not None:
            capture.own.note_socket(sock)
        default_ttl = sock.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)
        if ttl is not None:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        try:
            if payload:
                sock.sendall(payload)
            _listen(capture, flow, timing)
        finally:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, default_ttl)
        return _result(capture, flow, ip, ttl, None, t0)
    finally:
        abort(sock)


def _listen(capture: Capture, flow: Flow, timing: Timing) -> None:
    deadline = time.monotonic() + timing.wait
    answered = False
    while (remaining := deadline - time.monotonic()) > 0:
        capture.poll(remaining)
        if not answered and _answered(capture, flow):
            answered = True
            deadline = min(deadline, time.monotonic() + timing.grace)


def _answered(capture: Capture, flow: Flow) -> bool:
    segments, exceeded = capture.about(flow)
    return bool(exceeded) or any(not _is_syn_ack(s) for s in segments)


def _is_syn_ack(segment: Segment) -> bool:
    return "S" in segment.flags and "A" in segment.flags


def _result(
    capture: Capture, flow: Flow, ip: str, ttl: int | None, failure: str | None, t0: float
) -> Exchange:
    capture.poll(0)
    end = time.monotonic()
    segments, exceeded = capture.about(replace(flow, until=end))
    syn_ack = next((s for s in segments if _is_syn_ack(s)), None)
    packets = tuple(s for s in segments if s is not syn_ack and not _is_syn_ack(s))
    return Exchange(ip, flow.port, ttl, failure, syn_ack, packets, tuple(exceeded), t0, end)
