"""TCP connect to one address (df-005), keeping the socket for the steps that follow."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from probe.net import errors, events
from probe.net.events import endpoint as endpoint
from probe.net.own_addresses import OwnAddresses


@dataclass(frozen=True)
class Connect:
    ip: str
    port: int
    failure: str | None
    t0: float
    t: float

    def as_ooni(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "port": self.port,
            "status": {"success": self.failure is None, "failure": self.failure},
            "t0": round(self.t0, 6),
            "t": round(self.t, 6),
        }


async def connect(
    ip: str, port: int, timeout: float, t_zero: float, own: OwnAddresses | None = None
) -> tuple[Connect, socket.socket | None]:
    """Connect without any name resolution: the address is exactly the one DNS returned.

    ``own`` learns the local address the connection went out from, for the scrubber.
    """
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ipaddress.ip_address(ip).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    # As browsers do: without it, Nagle holds the HTTP request behind the TLS Finished until an
    # ACK returns, adding a round trip to every measurement.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    started = loop.time()
    t0 = started - t_zero
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (ip, port)), timeout)
    except (OSError, TimeoutError) as exc:
        abort(sock)
        failure = errors.classify(exc)
        events.note(events.CONNECT, endpoint(ip, port), failure, started)
        return Connect(ip, port, failure, t0, loop.time() - t_zero), None
    events.note(events.CONNECT, endpoint(ip, port), None, started)
    if own is not None:
        own.note_socket(sock)
    return Connect(ip, port, None, t0, loop.time() - t_zero), sock


def abort_on_close(sock: socket.socket, abortive: bool = True) -> None:
    """Make the socket's close abortive (SO_LINGER 0): a RST, and the kernel drops whatever is
    unsent or unacknowledged; or, with ``abortive`` false, graceful again. A plain close of a
    connection whose ClientHello or request went unanswered leaves the kernel retransmitting it,
    at the normal TTL, long after the measurement (and the probe) ended."""
    with suppress(OSError):  # already closed or reset: nothing is left to send
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", abortive, 0))


def abort(sock: socket.socket) -> None:
    """Close a measurement socket that failed, abortively (:func:`abort_on_close`)."""
    abort_on_close(sock)
    sock.close()
