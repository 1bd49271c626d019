"""The HTTPS client for talking to controls (helper, DoH), and a capped body reader.

Controls are verified against the probe's own trust store, never the OS store or environment
proxies: a volunteer's machine may trust an interception root or route through a censor's proxy.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from probe import __version__
from probe.net import tls


class TooLarge(Exception):
    """A control answered with more bytes than any valid answer has."""


def control_client(
    ca_bundle: Path | None, timeout: float, connect_timeout: float | None = None
) -> httpx.AsyncClient:
    """``connect_timeout`` (at most ``timeout``) bounds reaching a control: an unreachable one
    then costs that long before the next is tried, not the whole exchange budget."""
    connect = timeout if connect_timeout is None else min(timeout, connect_timeout)
    # HTTP/2 where offered: some DoH servers (Unbound's among them) speak nothing else.
    return httpx.AsyncClient(
        verify=tls.client_context(ca_bundle, alpn=("h2", "http/1.1")),
        http2=True,
        timeout=httpx.Timeout(timeout, connect=connect),
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": f"probe/{__version__}"},
    )


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
