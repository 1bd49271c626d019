"""An in-memory network for tests: scripted servers and resolvers, no sockets, no root.

A :class:`ScriptedBackend` plays, per ``ip:port``, a :class:`Server`: how the connect ends, how a
TLS handshake ends (per SNI) and what a request gets (per Host header); and per name, what a
resolver answers, first and late. Failures are scripted by the failure string the chain must
record (``errors.CONNECTION_RESET``…): the backend raises what a real socket would raise, so
``errors.classify`` is exercised too. It counts the streams still open, so a test can check that
every path closes what it opened.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import typing
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from probe.net import errors
from probe.net.events import endpoint
from probe.net.stream import RawStream, TLSState, TLSStream

LOCAL = "127.0.0.1"
"""The local address scripted connections claim: loopback, so the scrubber ignores it."""

_ERRNO = {
    errors.CONNECTION_REFUSED: errno.ECONNREFUSED,
    errors.CONNECTION_RESET: errno.ECONNRESET,
    errors.HOST_UNREACHABLE: errno.EHOSTUNREACH,
    errors.NETWORK_UNREACHABLE: errno.ENETUNREACH,
    errors.NETWORK_DOWN: errno.ENETDOWN,
    errors.ADDRESS_NOT_AVAILABLE: errno.EADDRNOTAVAIL,
}
_VERIFY = {
    errors.SSL_UNKNOWN_AUTHORITY: (20, "unable to get local issuer certificate"),
    errors.SSL_INVALID_HOSTNAME: (62, "hostname mismatch"),
    errors.SSL_INVALID_CERTIFICATE: (10, "certificate has expired"),
}


def raising(failure: str) -> BaseException:
    """A fresh exception that ``errors.classify`` names ``failure``, as a real step raises it."""
    if failure in _ERRNO:
        return OSError(_ERRNO[failure], failure)
    if failure in _VERIFY:
        exc = ssl.SSLCertVerificationError(1, failure)
        exc.verify_code, exc.verify_message = _VERIFY[failure]
        return exc
    if failure == errors.SSL_FAILED_HANDSHAKE:
        return ssl.SSLError(1, "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] handshake failure")
    if failure == errors.EOF_ERROR:
        return ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
    raise ValueError(f"no scripted exception for {failure!r}")


@dataclass(frozen=True)
class TLSPlay:
    """How a handshake ends: ``failure`` (a failure string, or ``generic_timeout_error`` to stall
    until the step's timeout), and the chain the server presents either way."""

    failure: str | None = None
    certificates: tuple[bytes, ...] = ()
    version: str = "TLSv1.3"
    cipher: str = "TLS_AES_128_GCM_SHA256"


@dataclass(frozen=True)
class Reply:
    """What a request gets: raw response bytes, or a failure (``connection_reset``, ``eof_error``,
    or ``generic_timeout_error``: no answer at all)."""

    data: bytes = b""
    failure: str | None = None


def response(code: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> Reply:
    """An HTTP/1.1 response with a Content-Length."""
    lines = [f"HTTP/1.1 {code} Scripted"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    return Reply(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def redirect(location: str, code: int = 302) -> Reply:
    return response(code, b"", {"Location": location})


@dataclass(frozen=True)
class Server:
    """One ``ip:port``: ``connect`` is None (accepted) or a failure string; ``delay`` seconds
    pass before the connect ends. The handshake is looked up by SNI, the reply by host and path
    (``"example.test/a"``), then path (``"/a"``), then host, else the defaults."""

    connect: str | None = None
    delay: float = 0.0
    tls: TLSPlay = TLSPlay()
    tls_by_name: Mapping[str, TLSPlay] = field(default_factory=dict)
    reply: Reply = Reply(failure=errors.EOF_ERROR)
    replies: Mapping[str, Reply] = field(default_factory=dict)


@dataclass(frozen=True)
class Answers:
    """A resolver's replies for one name: addresses (A and AAAA by their form), ``rcode``, or
    ``timeout`` (no reply); ``late`` replies follow the first, each after its delay."""

    addresses: tuple[str, ...] = ()
    rcode: str = "NOERROR"
    timeout: bool = False
    late: tuple[tuple[float, tuple[str, ...]], ...] = ()


class ScriptedBackend:
    """The :class:`~probe.net.backend.NetworkBackend` that plays ``servers`` and ``names``."""

    def __init__(
        self,
        servers: Mapping[str, Server] | None = None,
        names: Mapping[str, Answers] | None = None,
    ) -> None:
        self.servers = dict(servers or {})
        self.names = dict(names or {})
        self.connects: list[str] = []
        """Every ``ip:port`` asked for, in order."""
        self.open: set[ScriptedStream] = set()
        """Streams connected and not yet closed."""

    async def connect_tcp(self, ip: str, port: int, timeout: float) -> RawStream:
        address = endpoint(ip, port)
        self.connects.append(address)
        server = self.servers.get(address, Server(connect=errors.CONNECTION_REFUSED))
        if server.connect == errors.GENERIC_TIMEOUT:
            await asyncio.sleep(timeout)
            raise TimeoutError
        await asyncio.sleep(server.delay)
        if server.connect is not None:
            raise raising(server.connect)
        stream = ScriptedStream(address, server, self)
        self.open.add(stream)
        return stream

    async def open_datagram(
        self, protocol: asyncio.DatagramProtocol, remote: tuple[str, int]
    ) -> asyncio.DatagramTransport:
        transport = _Datagrams(self, protocol, remote)
        protocol.connection_made(transport)
        return transport

    async def getaddrinfo(self, host: str, executor: Executor | None) -> list[tuple[int, str]]:
        answers = self.names.get(host)
        if answers is None or answers.rcode == "NXDOMAIN":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answers.timeout:
            await asyncio.Event().wait()  # the caller's timeout ends it
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in answers.addresses]

    def reply_to(self, query: dns.message.Message) -> list[tuple[float, bytes]]:
        """The (delay, wire) replies a scripted resolver sends to ``query``."""
        question = query.question[0]
        name = question.name.to_text().rstrip(".")
        answers = self.names.get(name, Answers(rcode="NXDOMAIN"))
        if answers.timeout:
            return []
        rdtype = question.rdtype
        replies = [(0.0, _message(query, answers.rcode, answers.addresses, rdtype))]
        replies += [(d, _message(query, "NOERROR", a, rdtype)) for d, a in answers.late]
        return replies


def _message(
    query: dns.message.Message,
    rcode: str,
    addresses: tuple[str, ...],
    rdtype: dns.rdatatype.RdataType,
) -> bytes:
    reply = dns.message.make_response(query)
    reply.set_rcode(dns.rcode.from_text(rcode))
    wanted = [a for a in addresses if (":" in a) == (rdtype == dns.rdatatype.AAAA)]
    if wanted:
        name = query.question[0].name
        reply.answer.append(
            dns.rrset.from_text_list(name, 60, "IN", dns.rdatatype.to_text(rdtype), wanted)
        )
    return reply.to_wire()


class _Datagrams(asyncio.DatagramTransport):
    """A UDP socket to a scripted resolver: each query sent is answered on the loop's clock."""

    def __init__(
        self, backend: ScriptedBackend, protocol: asyncio.DatagramProtocol, remote: tuple[str, int]
    ) -> None:
        super().__init__()
        self.backend, self.protocol, self.remote = backend, protocol, remote
        self.closed = False
        self.timers: list[asyncio.TimerHandle] = []

    def sendto(self, data: bytes | bytearray | memoryview, addr: typing.Any = None) -> None:
        loop = asyncio.get_running_loop()
        for delay, wire in self.backend.reply_to(dns.message.from_wire(bytes(data))):
            self.timers.append(loop.call_later(delay, self._deliver, wire))

    def _deliver(self, wire: bytes) -> None:
        if not self.closed:
            self.protocol.datagram_received(wire, self.remote)

    def get_extra_info(self, name: str, default: typing.Any = None) -> typing.Any:
        return (LOCAL, 53000) if name == "sockname" else default

    def close(self) -> None:
        self.closed = True
        for timer in self.timers:
            timer.cancel()

    def is_closing(self) -> bool:
        return self.closed


class ScriptedStream(RawStream):
    """A connection to a scripted server: it reads the request head, then plays the reply."""

    def __init__(self, address: str, server: Server, backend: ScriptedBackend) -> None:
        super().__init__(address)
        self.server, self.backend = server, backend
        self.sent = b""
        self.pending: bytes | None = None
        self.abortive = False

    async def _send(self, data: bytes, timeout: float | None) -> None:
        self.sent += data

    async def _recv(self, max_bytes: int, timeout: float | None) -> bytes:
        if self.pending is None:
            host, path = _route(self.sent)
            replies = self.server.replies
            reply = replies.get(
                host + path, replies.get(path, replies.get(host, self.server.reply))
            )
            if reply.failure == errors.GENERIC_TIMEOUT:
                await asyncio.Event().wait()  # the step's own timeout ends it
            if reply.failure == errors.EOF_ERROR:
                return b""
            if reply.failure is not None:
                raise raising(reply.failure)
            self.pending = reply.data
        data, self.pending = self.pending[:max_bytes], self.pending[max_bytes:]
        return data

    async def aclose(self) -> None:
        self.backend.open.discard(self)

    def abort(self) -> None:
        self.abortive = True
        self.backend.open.discard(self)

    def linger(self, abortive: bool) -> None:
        self.abortive = abortive

    def local_address(self) -> str | None:
        return LOCAL

    def wrap_tls(self, context: ssl.SSLContext, server_hostname: str | None) -> TLSStream:
        play = self.server.tls_by_name.get(server_hostname or "", self.server.tls)
        return ScriptedTLSStream(self, play)


class ScriptedTLSStream(TLSStream):
    """TLS whose handshake ends as scripted; after it, bytes pass through in the clear."""

    def __init__(self, inner: ScriptedStream, play: TLSPlay) -> None:
        super().__init__(inner)
        self.raw, self.play = inner, play

    async def handshake(self) -> None:
        await self.inner.write(b"\x16\x03\x01 scripted ClientHello")
        self.raw.sent = b""  # what the server reads next is the request, in the clear
        if self.play.failure == errors.GENERIC_TIMEOUT:
            await asyncio.Event().wait()  # the step's own timeout ends it
        if self.play.failure is not None:
            raise raising(self.play.failure)

    def state(self) -> TLSState:
        done = self.play.failure is None
        return TLSState(
            self.play.certificates,
            self.play.version if done else None,
            self.play.cipher if done else None,
            "http/1.1" if done else None,
        )

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.inner.write(buffer, timeout)


def _route(request: bytes) -> tuple[str, str]:
    """The Host header (without its port) and the path of a request head."""
    line, *headers = request.split(b"\r\n")
    parts = line.split(b" ")
    path = parts[1].decode("latin-1") if len(parts) > 1 else ""
    for header in headers:
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"host":
            return value.strip().decode("latin-1").rsplit(":", 1)[0], path
    return "", path
