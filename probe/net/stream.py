"""The streams every step runs over, whichever backend opened them (``probe.net.backend``).

They implement httpcore's network-stream interface so that the HTTP step can run over the very
connection the TCP and TLS steps measured: same IP, same SNI, no re-resolution. A raw stream
records each read and write as a df-008 event; TLS is layered on a raw stream, so its records
and the events below it are the same whichever backend carries the bytes.
"""

from __future__ import annotations

import asyncio
import ssl
import typing
from abc import abstractmethod
from dataclasses import dataclass

import httpcore

from probe.net import errors, events
from probe.net.chain import presented_chain

CHUNK = 65536


class Stream(httpcore.AsyncNetworkStream):
    """A connection to one measured address (``ip:port``), raw or TLS."""

    address: str

    @abstractmethod
    def linger(self, abortive: bool) -> None:
        """Make the close abortive (a RST, nothing left retransmitting) or graceful again."""

    @abstractmethod
    def abort(self) -> None:
        """Close at once, abortively: the stream of a step that failed."""

    def local_address(self) -> str | None:
        """The local address the connection went out from (for the scrubber), if any."""
        return None


class RawStream(Stream):
    """A connected byte stream; a backend supplies ``_recv`` and ``_send``."""

    def __init__(self, address: str) -> None:
        self.address = address

    @abstractmethod
    async def _recv(self, max_bytes: int, timeout: float | None) -> bytes: ...

    @abstractmethod
    async def _send(self, data: bytes, timeout: float | None) -> None: ...

    async def read(self, max_bytes: int = CHUNK, timeout: float | None = None) -> bytes:
        """One read, a df-008 ``read`` event when the measurement records them."""
        started = asyncio.get_running_loop().time()
        try:
            data = await self._recv(max_bytes, timeout)
        except (OSError, TimeoutError, asyncio.CancelledError) as exc:
            events.note(events.READ, self.address, errors.classify(exc), started)
            raise
        if data:
            events.note(events.READ, self.address, None, started, len(data))
        else:
            events.note(events.READ, self.address, errors.EOF_ERROR, started)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        started = asyncio.get_running_loop().time()
        try:
            await self._send(buffer, timeout)
        except (OSError, TimeoutError, asyncio.CancelledError) as exc:
            events.note(events.WRITE, self.address, errors.classify(exc), started)
            raise
        events.note(events.WRITE, self.address, None, started, len(buffer))

    def wrap_tls(self, context: ssl.SSLContext, server_hostname: str | None) -> TLSStream:
        """A TLS layer over this stream, not yet handshaken."""
        return MemoryTLSStream(self, context, server_hostname)


@dataclass(frozen=True)
class TLSState:
    """What a handshake showed, as far as it got."""

    peer_certificates: tuple[bytes, ...]
    """DER, leaf first, as presented (readable even when verification failed)."""
    tls_version: str | None
    cipher_suite: str | None
    negotiated_protocol: str | None


class TLSStream(Stream):
    """TLS over a raw stream; ``handshake`` raises what failed, ``state`` says what was seen."""

    def __init__(self, inner: RawStream) -> None:
        self.inner = inner
        self.address = inner.address

    @abstractmethod
    async def handshake(self) -> None: ...

    @abstractmethod
    def state(self) -> TLSState: ...

    def linger(self, abortive: bool) -> None:
        self.inner.linger(abortive)

    def abort(self) -> None:
        self.inner.abort()

    async def aclose(self) -> None:
        await self.inner.aclose()

    def local_address(self) -> str | None:
        return self.inner.local_address()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # httpcore asks for TLS on https origins; this stream already is TLS.
        return self


class MemoryTLSStream(TLSStream):
    """TLS driven through memory BIOs, so a failed handshake still leaves the chain readable."""

    def __init__(
        self, inner: RawStream, context: ssl.SSLContext, server_hostname: str | None
    ) -> None:
        super().__init__(inner)
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self.ssl_object = context.wrap_bio(
            self._incoming, self._outgoing, server_hostname=server_hostname
        )

    async def _flush(self, timeout: float | None) -> None:
        data = self._outgoing.read()
        if data:
            await self.inner.write(data, timeout)

    async def _fill(self, timeout: float | None) -> None:
        data = await self.inner.read(CHUNK, timeout)
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

    def state(self) -> TLSState:
        obj = self.ssl_object
        cipher = obj.cipher()
        return TLSState(
            tuple(presented_chain(obj)),
            cipher[1] if cipher else None,
            cipher[0] if cipher else None,
            obj.selected_alpn_protocol(),
        )

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

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "ssl_object":
            return self.ssl_object
        return self.inner.get_extra_info(info)
