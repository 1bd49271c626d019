"""The seam under every network step: a backend opens connections and DNS exchanges.

As in httpcore's network backends, the steps (``tcp``, ``tls``, ``http``, ``dns``) never make a
socket themselves: they ask the session's backend for a stream to an address, layer TLS on it
and read and write it. :class:`SocketBackend` is the real network and the default;
``probe.net.scripted`` plays scripted servers in memory, so the chain's logic (redirects,
failover, self-control, every failure string) is tested with no socket and no root.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import typing
from concurrent.futures import Executor
from contextlib import suppress
from typing import Protocol

from probe.net.events import endpoint
from probe.net.stream import RawStream


class NetworkBackend(Protocol):
    async def connect_tcp(self, ip: str, port: int, timeout: float) -> RawStream:
        """A connected stream, or the OSError / TimeoutError that stopped it."""
        ...

    async def open_datagram(
        self, protocol: asyncio.DatagramProtocol, remote: tuple[str, int]
    ) -> asyncio.DatagramTransport:
        """A UDP endpoint talking to ``remote``, delivering replies to ``protocol``."""
        ...

    async def getaddrinfo(self, host: str, executor: Executor | None) -> list[tuple[int, str]]:
        """The OS resolver's (family, address) answers; raises ``socket.gaierror``."""
        ...


class SocketBackend:
    """The real network, through the event loop's sockets."""

    async def connect_tcp(self, ip: str, port: int, timeout: float) -> RawStream:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ipaddress.ip_address(ip).version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            # As browsers do: without it, Nagle holds the HTTP request behind the TLS Finished
            # until an ACK returns, adding a round trip to every measurement.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await asyncio.wait_for(loop.sock_connect(sock, (ip, port)), timeout)
        except BaseException:  # a failure, or a cancelled task: the socket never outlives it
            abort(sock)
            raise
        return SocketStream(sock, endpoint(ip, port))

    async def open_datagram(
        self, protocol: asyncio.DatagramProtocol, remote: tuple[str, int]
    ) -> asyncio.DatagramTransport:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: protocol, remote_addr=remote)
        return transport

    async def getaddrinfo(self, host: str, executor: Executor | None) -> list[tuple[int, str]]:
        loop = asyncio.get_running_loop()
        infos = await loop.run_in_executor(
            executor, socket.getaddrinfo, host, None, socket.AF_UNSPEC, socket.SOCK_STREAM
        )
        return [(int(family), str(sockaddr[0])) for family, *_rest, sockaddr in infos]


SOCKETS = SocketBackend()
"""The default backend: stateless, so one serves every session."""


class SocketStream(RawStream):
    """A plain TCP stream on a connected non-blocking socket."""

    def __init__(self, sock: socket.socket, address: str) -> None:
        super().__init__(address)
        self.sock = sock

    async def _recv(self, max_bytes: int, timeout: float | None) -> bytes:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.sock_recv(self.sock, max_bytes), timeout)

    async def _send(self, data: bytes, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.sock_sendall(self.sock, data), timeout)

    async def aclose(self) -> None:
        self.sock.close()

    def linger(self, abortive: bool) -> None:
        abort_on_close(self.sock, abortive)

    def abort(self) -> None:
        abort(self.sock)

    def local_address(self) -> str | None:
        try:
            name = self.sock.getsockname()
        except OSError:
            return None
        return str(name[0]) if isinstance(name, tuple) and name else None

    def get_extra_info(self, info: str) -> typing.Any:
        return self.sock if info == "socket" else None


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
