"""The HTTPS client for talking to controls (helper, DoH), and a capped body reader.

Controls are verified against the probe's own trust store, never the OS store or environment
proxies: a volunteer's machine may trust an interception root or route through a censor's proxy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from probe import __version__
from probe.net import tls

if TYPE_CHECKING:
    import httpx


class TooLarge(Exception):
    """A control answered with more bytes than any valid answer has."""


KEEPALIVE_SECONDS = 4.0
"""Idle connections are dropped before the helper's own 5 s idle deadline closes them."""


def control_client(
    ca_bundle: Path | None,
    timeout: float,
    connect_timeout: float | None = None,
    *,
    http2: bool = True,
) -> httpx.AsyncClient:
    """``connect_timeout`` (at most ``timeout``) bounds reaching a control: an unreachable one
    then costs that long before the next is tried, not the whole exchange budget.

    HTTP/2 where offered, as some DoH servers (Unbound's among them) speak nothing else. Not for
    helpers: httpx hands every request of a burst to a connection still opening when HTTP/2 is
    allowed, so a burst to a server that turns out to speak only HTTP/1.1 (ours does) would be
    answered one connection at a time.
    """
    import httpx  # with the first control, not at start-up: docs/performance.md, "Start-up"

    connect = timeout if connect_timeout is None else min(timeout, connect_timeout)
    return httpx.AsyncClient(
        verify=tls.client_context(ca_bundle, alpn=("h2", "http/1.1") if http2 else ("http/1.1",)),
        http2=http2,
        limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        timeout=httpx.Timeout(timeout, connect=connect),
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": f"probe/{__version__}"},
    )


class ClientPool:
    """HTTP/1.1 clients lent one per exchange in flight, each keeping its connections alive.

    One client for all would hold a connection per worker, and httpcore rescans every one of
    them (a system call each) for every request queued: at 64 workers that cost more CPU than
    the rest of a measurement. A client per exchange scans its own one or two connections,
    and the most recently returned client, whose connection is warmest, is lent first.
    """

    def __init__(self, ca_bundle: Path | None, timeout: float, connect_timeout: float) -> None:
        self._make = partial(control_client, ca_bundle, timeout, connect_timeout, http2=False)
        self._idle: list[httpx.AsyncClient] = []
        self._every: list[httpx.AsyncClient] = []

    @asynccontextmanager
    async def lend(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._idle:
            client = self._idle.pop()
        else:
            client = self._make()
            self._every.append(client)
        try:
            yield client
        finally:
            self._idle.append(client)

    async def aclose(self) -> None:
        for client in self._every:
            await client.aclose()
        self._idle.clear()
        self._every.clear()


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The body, or :class:`TooLarge` as soon as it passes ``cap`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"more than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
