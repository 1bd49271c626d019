"""TCP connect to one address (df-005), keeping the socket for the steps that follow."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
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
        sock.close()
        failure = errors.classify(exc)
        events.note(events.CONNECT, endpoint(ip, port), failure, started)
        return Connect(ip, port, failure, t0, loop.time() - t_zero), None
    events.note(events.CONNECT, endpoint(ip, port), None, started)
    if own is not None:
        own.note_socket(sock)
    return Connect(ip, port, None, t0, loop.time() - t_zero), sock
