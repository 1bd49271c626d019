"""HTTP GET (df-001) over a stream the probe already connected to a measured address.

The request is sent on the caller's stream, so it goes to exactly the IP that the DNS and TCP
steps recorded, with the right Host header and SNI. Redirects are the nettest's business.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any

import httpcore

from probe.net import errors


@dataclass(frozen=True)
class Response:
    code: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_is_truncated: bool
    transfer_seconds: float

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in reversed(self.headers) if k.lower() == lowered), None)


@dataclass(frozen=True)
class Request:
    url: str
    address: str
    headers: tuple[tuple[str, str], ...]
    failure: str | None
    response: Response | None
    t0: float
    t: float

    def as_ooni(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "failure": self.failure,
            "request": {
                "method": "GET",
                "url": self.url,
                "headers": dict(self.headers),
                "headers_list": [list(h) for h in self.headers],
                "body": "",
                "body_is_truncated": False,
                "tor": {"is_tor": False, "exit_ip": None, "exit_name": None},
                "x_transport": "tcp",
            },
            "response": {"body": None, "code": 0, "headers": {}, "headers_list": []},
            "x_address": self.address,
            "t0": round(self.t0, 6),
            "t": round(self.t, 6),
        }
        if self.response is not None:
            r = self.response
            record["response"] = {
                "code": r.code,
                "headers": dict(r.headers),
                "headers_list": [list(h) for h in r.headers],
                "body": body_field(r.body),
                "body_is_truncated": r.body_is_truncated,
                "x_body_length": len(r.body),
                "x_transfer_seconds": round(r.transfer_seconds, 6),
            }
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
) -> Request:
    """One GET with a total time budget, so a trickling server cannot hold the run."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() - t_zero
    parsed = httpcore.URL(url)
    origin = httpcore.Origin(parsed.scheme, parsed.host, parsed.port or _default_port(parsed))
    connection = httpcore.AsyncHTTP11Connection(origin=origin, stream=stream)
    request = httpcore.Request(b"GET", parsed, headers=list(headers))
    received: list[bytes] = []
    response: Response | None = None
    failure: str | None = None
    status = 0
    raw_headers: tuple[tuple[str, str], ...] = ()
    first_byte = t0
    try:
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
        await connection.aclose()
    t = loop.time() - t_zero
    if status:
        body = b"".join(received)
        response = Response(
            status, raw_headers, body[:body_cap], len(body) > body_cap, t - first_byte
        )
    return Request(url, address, headers, failure, response, t0, t)


def _default_port(url: httpcore.URL) -> int:
    return 443 if url.scheme == b"https" else 80
