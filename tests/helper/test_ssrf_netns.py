"""SSRF through IPv6 that carries IPv4, against live addresses in a network namespace.

Every address below is put on the loopback of a fresh namespace, with a canary server behind
all of them. A guarded helper, asked in every way a client can ask (an IP-literal URL, a name
that resolves there, a probe endpoint, a redirect), must never reach the canary; the same
requests to an unguarded helper do, which shows the addresses are really live.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from loopback.dns_server import Zone, serve
from loopback.namespace import fresh
from loopback.namespace import run_inside as in_namespace
from loopback.web import respond

from probe.helper.config import HelperConfig
from probe.helper.failures import DNS_LOOKUP_ERROR
from probe.helper.server import start

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("ip") is None,
        reason="needs root and iproute2 to build a network namespace; CI runs as root",
    ),
]

SSRF_ADDRESSES = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: the reported bypass
    "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address
    "64:ff9b:1::7f00:1",  # local-use NAT64
    "64:ff9b::808:808",  # NAT64 of a global address: still someone else's translator
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:808:808::1",  # 6to4 of a global address
    "2001:0:7f00:1::f7f7:fbfb",  # Teredo, server 127.0.0.1
    "::7f00:1",  # IPv4-compatible
    "::ffff:7f00:1",  # IPv4-mapped: reaches 127.0.0.1 through the dual-stack canary
    "fec0::1",  # site-local
    "5f00::1",  # SRv6 SIDs
    "3fff::1",  # documentation
    "100::1",  # discard-only
    "4000::1",  # not allocated for unicast
    "fd00::1",
    "::1",
    "169.254.169.254",
    "10.0.0.1",
    "127.0.0.1",
]
REDIRECTOR = "127.0.0.2"
"""The one address the guarded helper may contact (exempted), to test redirects."""


def literal(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


@dataclass
class Outcome:
    canary_hits: int = 0
    statuses: list[int] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0


@pytest.fixture
def namespace() -> Iterator[str]:
    # Mapped addresses cannot be assigned, and loopback is there already.
    assigned = [ip for ip in SSRF_ADDRESSES if not ip.startswith("::ffff:")]
    assigned = [ip for ip in assigned if ip not in ("::1", "127.0.0.1")]
    with fresh("phelper", [*assigned, REDIRECTOR]) as name:
        yield name


def run_inside(name: str, guarded: bool) -> Outcome:
    """Run the whole scenario on an event loop in a thread that lives in the namespace."""
    return in_namespace(name, lambda: scenario(guarded), timeout=120)


async def scenario(guarded: bool) -> Outcome:
    outcome = Outcome()

    async def canary(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        outcome.canary_hits += 1
        with contextlib.suppress(asyncio.IncompleteReadError, OSError):
            await reader.readuntil(b"\r\n\r\n")  # a TCP-only probe sends nothing
            await respond(writer, 200, b"<title>canary</title>")
        writer.close()

    dual_stack = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    dual_stack.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # IPv4 and mapped too
    dual_stack.bind(("::", 0))
    canary_server = await asyncio.start_server(canary, sock=dual_stack)
    port = canary_server.sockets[0].getsockname()[1]

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        path = (await reader.readuntil(b"\r\n")).split()[1].decode()  # GET /<ip> HTTP/1.1
        await respond(writer, 302, headers={"Location": f"http://{literal(path[1:])}:{port}/"})
        writer.close()

    redirector = await asyncio.start_server(redirect, REDIRECTOR, 0)
    redirect_port = redirector.sockets[0].getsockname()[1]
    zone = Zone({f"a{i}.test": [ip] for i, ip in enumerate(SSRF_ADDRESSES)})
    dns, resolver = await serve(zone)
    config = HelperConfig(
        allow_private=not guarded, resolver=resolver, bogon_exempt=(f"{REDIRECTOR}/32",)
    )
    helper, _ = await start(config, "127.0.0.1", 0)
    helper_url = f"http://127.0.0.1:{helper.sockets[0].getsockname()[1]}/"
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for i, ip in enumerate(SSRF_ADDRESSES):
                endpoint = f"{literal(ip)}:{port}"
                for body in (
                    {"http_request": f"http://{endpoint}/"},
                    {"http_request": f"http://a{i}.test:{port}/", "tcp_connect": [endpoint]},
                    {"http_request": f"http://{REDIRECTOR}:{redirect_port}/{ip}"},
                ):
                    reply = await client.post(helper_url, json=body)
                    outcome.attempts += 1
                    outcome.statuses.append(reply.status_code)
                    outcome.answers.append(reply.json())
    finally:
        for server in (helper, redirector, canary_server):
            server.close()
        dns.close()
    return outcome


def test_no_ssrf_through_any_special_purpose_address(namespace: str) -> None:
    guarded = run_inside(namespace, guarded=True)
    assert guarded.attempts == 3 * len(SSRF_ADDRESSES)
    assert guarded.canary_hits == 0
    literals, names, redirects = (guarded.answers[k::3] for k in range(3))
    assert guarded.statuses[0::3] == [403] * len(SSRF_ADDRESSES)
    assert all(s == 200 for s in guarded.statuses[1::3] + guarded.statuses[2::3])
    for answer in names:
        assert answer["tcp_connect"] == {}
        assert answer["http_request"]["failure"] == DNS_LOOKUP_ERROR
    for answer in redirects:
        assert answer["http_request"]["failure"] == DNS_LOOKUP_ERROR
    assert all(a["error"] == "target address not allowed" for a in literals)


def test_the_same_requests_reach_the_canary_without_the_guard(namespace: str) -> None:
    open_helper = run_inside(namespace, guarded=False)
    titles = [a["http_request"]["title"] for a in open_helper.answers]
    assert titles == ["canary"] * len(titles)  # every address is live in the namespace
    assert open_helper.canary_hits >= 3 * len(SSRF_ADDRESSES)
