"""Byte streams over a socket the probe already connected (and maybe TLS-wrapped).

They implement httpcore's network-stream interface so that the HTTP step can run over the very
connection the TCP and TLS steps measured: same IP, same SNI, no re-resolution.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import typing

import httpcore

from probe.net import errors, events

_CHUNK = 65536


async def _recv(sock: socket.socket, timeout: float | None, size: int = _CHUNK) -> bytes:
    """One read, a df-008 ``read`` event when the measurement records them."""
    loop = asyncio.get_running_loop()
    started, address = loop.time(), events.peer(sock)
    try:
        data = await asyncio.wait_for(loop.sock_recv(sock, size), timeout)
    except (OSError, TimeoutError, asyncio.CancelledError) as exc:
        events.note(events.READ, address, errors.classify(exc), started)
        raise
    if data:
        events.note(events.READ, address, None, started, len(data))
    else:
        events.note(events.READ, address, errors.EOF_ERROR, started)
    return data


async def _send(sock: socket.socket, data: bytes, timeout: float | None) -> None:
    loop = asyncio.get_running_loop()
    started, address = loop.time(), events.peer(sock)
    try:
        await asyncio.wait_for(loop.sock_sendall(sock, data), timeout)
    except (OSError, TimeoutError, asyncio.CancelledError) as exc:
        events.note(events.WRITE, address, errors.classify(exc), started)
        raise
    events.note(events.WRITE, address, None, started, len(data))


class SocketStream(httpcore.AsyncNetworkStream):
    """A plain TCP stream."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await _recv(self.sock, timeout, max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await _send(self.sock, buffer, timeout)

    async def aclose(self) -> None:
        self.sock.close()

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "socket":
            return self.sock
        return None


class TLSStream(SocketStream):
    """TLS driven through memory BIOs, so a failed handshake still leaves the chain readable."""

    def __init__(
        self, sock: socket.socket, context: ssl.SSLContext, server_hostname: str | None
    ) -> None:
        super().__init__(sock)
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self.ssl_object = context.wrap_bio(
            self._incoming, self._outgoing, server_hostname=server_hostname
        )

    async def _flush(self, timeout: float | None) -> None:
        data = self._outgoing.read()
        if data:
            await _send(self.sock, data, timeout)

    async def _fill(self, timeout: float | None) -> None:
        data = await _recv(self.sock, timeout)
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()

    async def handshake(self) -> None:
        while True:
            try:
                self.ssl_object.do_handshake()
            except ssl.SSLWantReadError:
                await self._flush(None)
                await self._fill(None)
                continue
            await self._flush(None)
            return

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            try:
                return self.ssl_object.read(max_bytes)
            except ssl.SSLWantReadError:
                await self._flush(timeout)
                await self._fill(timeout)
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.ssl_object.write(buffer)
        await self._flush(timeout)

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # httpcore asks for TLS on https origins; this stream already is TLS.
        return self

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "ssl_object":
            return self.ssl_object
        return super().get_extra_info(info)
