"""TCP connect to one address (df-005), keeping the stream for the steps that follow."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from probe.net import errors, events
from probe.net.backend import SOCKETS, NetworkBackend
from probe.net.events import endpoint as endpoint
from probe.net.own_addresses import OwnAddresses
from probe.net.records import TCPConnect, TCPStatus
from probe.net.stream import RawStream


@dataclass(frozen=True)
class Connect:
    ip: str
    port: int
    failure: str | None
    t0: float
    t: float

    def as_ooni(self) -> TCPConnect:
        return TCPConnect(
            ip=self.ip,
            port=self.port,
            status=TCPStatus(success=self.failure is None, failure=self.failure),
            t0=round(self.t0, 6),
            t=round(self.t, 6),
        )


async def connect(
    ip: str,
    port: int,
    timeout: float,
    t_zero: float,
    own: OwnAddresses | None = None,
    backend: NetworkBackend = SOCKETS,
) -> tuple[Connect, RawStream | None]:
    """Connect without any name resolution: the address is exactly the one DNS returned.

    ``own`` learns the local address the connection went out from, for the scrubber.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    t0 = started - t_zero
    try:
        stream = await backend.connect_tcp(ip, port, timeout)
    except (OSError, TimeoutError) as exc:
        failure = errors.classify(exc)
        events.note(events.CONNECT, endpoint(ip, port), failure, started)
        return Connect(ip, port, failure, t0, loop.time() - t_zero), None
    events.note(events.CONNECT, endpoint(ip, port), None, started)
    local = stream.local_address()
    if own is not None and local is not None:
        own.add([local])
    return Connect(ip, port, None, t0, loop.time() - t_zero), stream
