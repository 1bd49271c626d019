"""A minimal HTTP/1.1 server on asyncio streams and h11: one request per connection.

The helper needs POST with a small JSON body and nothing else, so a framework would only add
surface. Limits live here because they must hold before any application code runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus

import h11

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 16 << 10


@dataclass(frozen=True)
class Incoming:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Incoming], Awaitable[Reply]]


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def error_reply(status: int, message: str | None = None) -> Reply:
    return Reply(status, json.dumps({"error": message or HTTPStatus(status).phrase}).encode())


async def start(
    handler: Handler,
    host: str,
    port: int,
    *,
    max_body: int,
    read_timeout: float,
    tls: ssl.SSLContext | None = None,
) -> asyncio.Server:
    """Listen on ``host:port`` (0 picks a free port). Client addresses are never read or logged."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        try:
            try:
                async with asyncio.timeout(read_timeout):
                    incoming = await _receive(conn, reader, max_body)
                reply = await handler(incoming)
            except _Refused as exc:
                reply = error_reply(exc.status)
            except h11.RemoteProtocolError as exc:
                reply = error_reply(exc.error_status_hint)
            except TimeoutError:
                reply = error_reply(HTTPStatus.REQUEST_TIMEOUT)
            except Exception:  # a bug must cost one request, not the server
                log.exception("handler failed")
                reply = error_reply(HTTPStatus.INTERNAL_SERVER_ERROR)
            await _send(conn, writer, reply)
        except (OSError, h11.LocalProtocolError, ssl.SSLError) as exc:
            log.debug("connection ended early: %s", type(exc).__name__)
        finally:
            writer.close()

    return await asyncio.start_server(session, host, port, ssl=tls)


async def _receive(conn: h11.Connection, reader: asyncio.StreamReader, max_body: int) -> Incoming:
    request: h11.Request | None = None
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Request):
            request = event
            length = _header(event.headers, b"content-length")
            if length is not None and int(length) > max_body:
                raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > max_body:
                raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage) and request is not None:
            return Incoming(
                request.method.decode("ascii", "replace"),
                request.target.decode("ascii", "replace"),
                tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers),
                b"".join(chunks),
            )
        elif isinstance(event, h11.ConnectionClosed):
            raise _Refused(HTTPStatus.BAD_REQUEST)


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k == name), None)


async def _send(conn: h11.Connection, writer: asyncio.StreamWriter, reply: Reply) -> None:
    headers = [
        ("Content-Type", reply.content_type),
        ("Content-Length", str(len(reply.body))),
        ("Connection", "close"),
        *reply.headers,
    ]
    data = conn.send(h11.Response(status_code=reply.status, headers=headers)) or b""
    data += conn.send(h11.Data(data=reply.body)) or b""
    data += conn.send(h11.EndOfMessage()) or b""
    writer.write(data)
    await writer.drain()
