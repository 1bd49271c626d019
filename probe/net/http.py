"""HTTP GET (df-001) over a stream the probe already connected to a measured address.

The request is sent on the caller's stream, so it goes to exactly the IP that the DNS and TCP
steps recorded, with the right Host header and SNI. Redirects are the nettest's business.
"""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any, Final

import httpcore

from probe.net import content, errors, events, tcp

MAX_HEADER_VALUE: Final = 4096
"""Characters of one response header value stored; a longer one is cut."""
MAX_HEAD: Final = 16384
"""Characters of response header names and values stored per response; later headers are
dropped. A hostile server's 100 KiB head, on every hop, must not make a multi-MB line."""


def stored_headers(
    headers: tuple[tuple[str, str], ...],
) -> tuple[tuple[tuple[str, str], ...], bool]:
    """The headers to store, within the caps above, and whether anything was cut."""
    kept: list[tuple[str, str]] = []
    budget = MAX_HEAD
    cut = False
    for name, value in headers:
        if len(value) > MAX_HEADER_VALUE:
            value, cut = value[:MAX_HEADER_VALUE], True
        budget -= len(name) + len(value)
        if budget < 0:
            return tuple(kept), True
        kept.append((name, value))
    return tuple(kept), cut


@dataclass(frozen=True)
class Response:
    code: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    """Decoded: the Content-Encoding the server applied is removed (``probe.net.content``)."""
    body_is_truncated: bool
    transfer_seconds: float
    wire_length: int = 0
    """Body bytes as received, before decoding (what throughput is measured on)."""
    codings: tuple[str, ...] = ()
    decoding_failure: str | None = None

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


def header_value(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """The last value of header ``name`` (any case), as a client that keeps one would read it."""
    lowered = name.lower()
    return next((v for k, v in reversed(headers) if k.lower() == lowered), None)


@dataclass(frozen=True)
class Request:
    url: str
    address: str
    headers: tuple[tuple[str, str], ...]
    failure: str | None
    response: Response | None
    t0: float
    t: float
    method: str = "GET"

    def as_ooni(self, body_limit: int | None = None) -> dict[str, Any]:
        """OONI's request record; ``body_limit`` stores less of the body than was read."""
        record: dict[str, Any] = {
            "network": "tcp",
            "address": self.address,
            "failure": self.failure,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.headers),
                "headers_list": [list(h) for h in self.headers],
                "body": "",
                "body_is_truncated": False,
                "tor": {"is_tor": False, "exit_ip": None, "exit_name": None},
                "x_transport": "tcp",
            },
            "response": {"body": None, "code": 0, "headers": {}, "headers_list": []},
            "t0": round(self.t0, 6),
            "t": round(self.t, 6),
        }
        if self.response is not None:
            r = self.response
            headers, headers_cut = stored_headers(r.headers)
            body = r.body if body_limit is None else r.body[:body_limit]
            record["response"] = {
                "code": r.code,
                "headers": dict(headers),
                "headers_list": [list(h) for h in headers],
                "body": body_field(body),
                "body_is_truncated": r.body_is_truncated or len(body) < len(r.body),
                "x_body_length": len(body),
                "x_body_wire_length": r.wire_length,
                "x_content_decoded": list(r.codings),
                "x_transfer_seconds": round(r.transfer_seconds, 6),
            }
            if headers_cut:
                record["response"]["x_headers_truncated"] = True
            if r.decoding_failure is not None:
                record["response"]["x_content_decoding_failure"] = r.decoding_failure
        return record


def body_field(body: bytes) -> str | dict[str, str]:
    """OONI's body encoding: text when it is UTF-8, base64 otherwise."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return {"format": "base64", "data": base64.b64encode(body).decode("ascii")}


async def get(
    stream: httpcore.AsyncNetworkStream,
    url: str,
    address: str,
    headers: tuple[tuple[str, str], ...],
    body_cap: int,
    timeout: float,
    t_zero: float,
    method: str = "GET",
) -> Request:
    """One GET (or another ``method``, with an empty body) with a total time budget, so a
    trickling server cannot hold the run."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() - t_zero
    events.note(events.HTTP_TRANSACTION_START, address, None, loop.time())
    received: list[bytes] = []
    response: Response | None = None
    failure: str | None = None
    status = 0
    raw_headers: tuple[tuple[str, str], ...] = ()
    first_byte = t0
    connection: httpcore.AsyncHTTP11Connection | None = None
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        tcp.abort_on_close(sock)  # httpcore closes the stream itself when the request fails
    try:
        parsed = httpcore.URL(url)  # a URL httpcore refuses is this request's failure
        origin = httpcore.Origin(parsed.scheme, parsed.host, parsed.port or _default_port(parsed))
        connection = httpcore.AsyncHTTP11Connection(origin=origin, stream=stream)
        request = httpcore.Request(method.encode("ascii"), parsed, headers=list(headers))
        async with asyncio.timeout(timeout):
            raw = await connection.handle_async_request(request)
            first_byte = loop.time() - t_zero
            status = raw.status
            raw_headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw.headers)
            size = 0
            assert isinstance(raw.stream, AsyncIterable)
            async for chunk in raw.stream:
                received.append(chunk)
                size += len(chunk)
                if size > body_cap:
                    break
            await raw.aclose()
    except Exception as exc:  # any failure is a measurement result
        failure = errors.classify(exc)
    finally:
        if failure is None and isinstance(sock, socket.socket):
            tcp.abort_on_close(sock, abortive=False)
        if connection is not None:
            await connection.aclose()
        else:
            await stream.aclose()
    events.note(events.HTTP_TRANSACTION_DONE, address, failure, loop.time())
    t = loop.time() - t_zero
    if status:
        response = _response(status, raw_headers, b"".join(received), body_cap, t - first_byte)
    return Request(url, address, headers, failure, response, t0, t, method)


def _response(
    status: int, headers: tuple[tuple[str, str], ...], raw: bytes, cap: int, seconds: float
) -> Response:
    wire = raw[:cap]
    decoded = content.decode(wire, header_value(headers, "content-encoding"), cap)
    return Response(
        status,
        headers,
        decoded.body,
        len(raw) > cap or decoded.truncated,
        seconds,
        len(wire),
        decoded.codings,
        decoded.failure,
    )


def _default_port(url: httpcore.URL) -> int:
    return 443 if url.scheme == b"https" else 80
