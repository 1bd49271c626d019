"""A minimal HTTP/1.1 server on asyncio streams and h11, with keep-alive when asked for.

The helper needs POST with a small JSON body and nothing else, so a framework would only add
surface. Limits live here because they must hold before any application code runs: a public
server meets slow and half-open clients (slowloris) that would otherwise hold every file
descriptor, so connections still sending their request are capped (the oldest is dropped for a
newcomer), the TLS handshake and the request head have a short deadline, and past a share of
RLIMIT_NOFILE new connections get 503 at once. A kept-alive connection waiting for its next
request counts as pending, so idle clients are the first dropped; the wait for the next head has
the same deadline as the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import resource
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Final

import h11

log = logging.getLogger(__name__)

MAX_HEAD_BYTES: Final = 16 << 10
RETRY_AFTER_SECONDS: Final = "5"
RESERVED_DESCRIPTORS: Final = 64
"""Kept for the listening socket, logs, DNS and whatever the process opens besides sockets."""
_SHED_LINGER: Final = 1.0
"""Seconds a shed connection is drained after its 503 and FIN, so that closing it with the
request still unread does not reset the reply away."""


@dataclass(frozen=True)
class Incoming:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    peer: str = ""
    """The client's address, for per-client limits (the collector's); never to be logged."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Incoming], Awaitable[Reply]]


def descriptor_limit() -> int:
    """The soft RLIMIT_NOFILE: every connection, in or out, costs one descriptor of it."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def error_reply(status: int, message: str | None = None) -> Reply:
    return Reply(status, json.dumps({"error": message or HTTPStatus(status).phrase}).encode())


def unavailable() -> Reply:
    """503 with Retry-After: the answer to every kind of overload."""
    return Reply(
        HTTPStatus.SERVICE_UNAVAILABLE,
        error_reply(HTTPStatus.SERVICE_UNAVAILABLE).body,
        headers=(("Retry-After", RETRY_AFTER_SECONDS),),
    )


class Admission:
    """Which connections get in, and the counts that show it: the slowloris defence.

    ``max_pending`` caps connections whose first read left the request head incomplete (or
    whose TLS handshake is under way); one more drops the oldest of them. Legitimate clients
    send a request at once, so they are judged only once read, never while a busy loop has
    not got to them yet. ``head_timeout`` bounds the TLS handshake plus the request head. Past
    ``max_connections`` open client connections, a newcomer drops the oldest pending one, or
    when none is pending gets 503 without being read.
    """

    def __init__(self, head_timeout: float, max_pending: int, max_connections: int) -> None:
        self.head_timeout = head_timeout
        self.max_pending = max_pending
        self.max_connections = max_connections
        self.open = 0
        self.pending: dict[int, asyncio.WriteTransport] = {}
        self.evicted = 0
        self.shed = 0

    def evict_oldest(self) -> bool:
        """Drop the oldest pending connection; False when none is pending."""
        if not self.pending:
            return False
        self.pending.pop(next(iter(self.pending))).abort()
        self.evicted += 1
        return True

    def ticket(self, key: int, transport: asyncio.WriteTransport) -> _Ticket:
        return _Ticket(self, key, transport)

    def release(self, key: int) -> None:
        self.pending.pop(key, None)


@dataclass(frozen=True)
class _Ticket:
    """One connection's place in :class:`Admission`."""

    gate: Admission
    key: int
    transport: asyncio.WriteTransport

    def slow(self) -> None:
        """The request is not all here yet: queue as pending, dropping the oldest if full."""
        if self.key in self.gate.pending:
            return
        while len(self.gate.pending) >= self.gate.max_pending and self.gate.evict_oldest():
            pass
        self.gate.pending[self.key] = self.transport

    def received(self) -> None:
        self.gate.release(self.key)


async def start(
    handler: Handler,
    host: str,
    port: int,
    *,
    max_body: int,
    read_timeout: float,
    tls: ssl.SSLContext | None = None,
    admission: Admission | None = None,
    keep_alive: bool = False,
) -> asyncio.Server:
    """Listen on ``host:port`` (0 picks a free port). Client addresses are never logged; the
    handler sees one only in ``Incoming.peer``, for per-client limits.

    Without ``admission``: the head has the whole ``read_timeout``, and clients get half the
    descriptors, half of those for pending connections. ``keep_alive``: after a 200, the
    connection stays open for the client's next request (else one request per connection).
    """
    clients = descriptor_limit() // 2
    gate = admission or Admission(read_timeout, clients // 2, clients)

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        gate.open += 1
        key = id(writer)
        try:
            if gate.open > gate.max_connections and not gate.evict_oldest():
                gate.shed += 1
                await _shed(reader, writer, tls is not None)
                return
            limits = (max_body, read_timeout, gate.head_timeout)
            ticket = gate.ticket(key, writer.transport)
            await _serve(handler, reader, writer, limits, tls, ticket, keep_alive)
        except (OSError, h11.LocalProtocolError, TimeoutError) as exc:
            log.debug("connection ended early: %s", type(exc).__name__)
        finally:
            gate.release(key)
            gate.open -= 1
            writer.close()

    # asyncio accepts up to `backlog` connections at a time, each a descriptor before any
    # session can count it, so the burst is kept to a small share of the budget.
    backlog = max(16, min(4096, gate.max_connections // 8))
    return await asyncio.start_server(session, host, port, limit=MAX_HEAD_BYTES, backlog=backlog)


async def _shed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool) -> None:
    if tls:  # a 503 needs a handshake first; refusing costs less
        return
    await _send(h11.Connection(h11.SERVER), writer, unavailable(), unsolicited=True)
    writer.write_eof()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_SHED_LINGER):
            while await reader.read(MAX_HEAD_BYTES):  # until the client closes too
                pass


async def _serve(
    handler: Handler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    limits: tuple[int, float, float],
    tls: ssl.SSLContext | None,
    ticket: _Ticket,
    keep_alive: bool,
) -> None:
    """Answer requests on one connection: one, or with ``keep_alive`` until a reply closes it,
    the client closes, or it stays idle longer than the head deadline."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    serve = (handler, reader, writer, limits, ticket, conn, keep_alive)
    if not await _serve_one(*serve, tls):
        return
    while conn.our_state is h11.DONE and conn.their_state is h11.DONE:
        conn.start_next_cycle()
        ticket.slow()  # idle until the next request: the first to go when pending is full
        if not conn.trailing_data[0]:  # nothing pipelined: wait for the next request to begin
            try:
                async with asyncio.timeout(limits[2]):
                    data = await reader.read(MAX_HEAD_BYTES)
            except TimeoutError:
                return
            if not data:
                return
            conn.receive_data(data)
        if not await _serve_one(*serve, None):
            return


async def _serve_one(
    handler: Handler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    limits: tuple[int, float, float],
    ticket: _Ticket,
    conn: h11.Connection,
    keep_alive: bool,
    tls: ssl.SSLContext | None,
) -> bool:
    """Read one request within the deadlines (``tls``: handshake first), answer it; the ticket
    follows the reading. True when the reply left the connection open for another."""
    max_body, read_timeout, head_timeout = limits
    try:
        async with asyncio.timeout(read_timeout):
            async with asyncio.timeout(head_timeout):
                if tls is not None:
                    ticket.slow()  # a handshake cannot be judged half-way
                    await writer.start_tls(tls)
                request = await _receive_head(conn, reader, ticket)
            incoming = await _receive_body(conn, reader, request, max_body)
        ticket.received()
        incoming = replace(incoming, peer=_peer(writer))
        reply = await handler(incoming)
    except _Refused as exc:
        reply = error_reply(exc.status)
    except h11.RemoteProtocolError as exc:
        reply = error_reply(exc.error_status_hint)
    except TimeoutError:
        if tls is not None and writer.get_extra_info("ssl_object") is None:
            return False  # the handshake never finished: nothing to answer over
        reply = error_reply(HTTPStatus.REQUEST_TIMEOUT)
    except OSError:  # the client went away (ssl.SSLError included): nobody to answer
        raise
    except Exception as exc:  # a bug must cost one request, not the server, nor leak the URL
        log.error("handler failed: %s (run with --debug for the traceback)", type(exc).__name__)
        log.debug("handler traceback", exc_info=True)
        reply = error_reply(HTTPStatus.INTERNAL_SERVER_ERROR)
    if writer.transport.is_closing():  # evicted while still sending
        return False
    stay = keep_alive and reply.status == HTTPStatus.OK
    await _send(conn, writer, reply, close=not stay)
    return stay


async def _receive_head(
    conn: h11.Connection, reader: asyncio.StreamReader, ticket: _Ticket
) -> h11.Request:
    """Feed h11 at most MAX_HEAD_BYTES before it has a whole head, whatever the reads return."""
    fed = 0
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Request):
            return event
        if event is h11.NEED_DATA:
            if fed >= MAX_HEAD_BYTES:
                raise _Refused(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            if fed:  # read from, and still short of a head
                ticket.slow()
            data = await reader.read(MAX_HEAD_BYTES - fed)
            fed += len(data)
            conn.receive_data(data)
        else:  # ConnectionClosed before a head
            raise _Refused(HTTPStatus.BAD_REQUEST)


async def _receive_body(
    conn: h11.Connection, reader: asyncio.StreamReader, request: h11.Request, max_body: int
) -> Incoming:
    length = _header(request.headers, b"content-length")
    if length is not None and int(length) > max_body:  # h11 allows only ASCII digits here
        raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > max_body:
                raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return Incoming(
                request.method.decode("ascii", "replace"),
                request.target.decode("ascii", "replace"),
                tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers),
                b"".join(chunks),
            )
        else:  # ConnectionClosed mid-body
            raise _Refused(HTTPStatus.BAD_REQUEST)


def _peer(writer: asyncio.StreamWriter) -> str:
    peername = writer.get_extra_info("peername")
    return str(peername[0]) if isinstance(peername, tuple) and peername else ""


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k == name), None)


async def _send(
    conn: h11.Connection,
    writer: asyncio.StreamWriter,
    reply: Reply,
    unsolicited: bool = False,
    close: bool = True,
) -> None:
    """Write ``reply``; ``unsolicited`` for one sent before any request was read (shedding).
    Without ``close`` the connection may stay open (h11 closes it if the client asked to)."""
    closing = (("Connection", "close"),) if close else ()
    headers = [
        ("Content-Type", reply.content_type),
        ("Content-Length", str(len(reply.body))),
        *closing,
        *reply.headers,
    ]
    reason = HTTPStatus(reply.status).phrase.encode("ascii")
    response = h11.Response(status_code=reply.status, headers=headers, reason=reason)
    if unsolicited:
        data = _unsolicited(response, reply.body)
    else:
        data = conn.send(response) or b""
        data += conn.send(h11.Data(data=reply.body)) or b""
        data += conn.send(h11.EndOfMessage()) or b""
    writer.write(data)
    await writer.drain()


def _unsolicited(response: h11.Response, body: bytes) -> bytes:
    """h11 will not answer before a request; the bytes are the same as it would write."""
    lines = [f"HTTP/1.1 {response.status_code} {HTTPStatus(response.status_code).phrase}"]
    lines += [f"{k.decode('ascii')}: {v.decode('ascii')}" for k, v in response.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
