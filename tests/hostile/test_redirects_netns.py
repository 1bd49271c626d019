"""Redirects to IPv6 bogons, against live addresses in a network namespace.

The parse-time tests (``test_redirects.py``) say a redirect to ``[fe80::1]`` or ``[::1]`` is
refused; here each such address is really on the loopback of a fresh namespace, with a canary
server behind all of them, and web_connectivity follows a redirect there from a server on
127.0.0.1 in the same namespace (``--bogon-exempt 127.0.0.0/8``, as the other redirect tests).
The canary must never see a connection; without the filter (the same ranges exempted) the same
redirects reach it, which shows the addresses are live.
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

import pytest
from conftest import PKI
from loopback.dns_server import Zone, serve
from loopback.namespace import fresh
from loopback.namespace import run_inside as in_namespace
from loopback.probe_settings import loopback_settings
from loopback.web import page, respond

from probe.net import errors
from probe.nettests import web_connectivity
from probe.nettests.session import Session

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("ip") is None,
        reason="needs root and iproute2 to build a network namespace; CI runs as root",
    ),
]

ASSIGNED = ["fe80::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2001:db8::1", "fd00::1"]
"""Put on the namespace's loopback (``::1`` is there already; mapped ones cannot be assigned)."""
TARGETS = [
    "fe80::1%lo",  # link-local, zoned so a connect could really reach it
    "::ffff:127.0.0.1",  # IPv4-mapped loopback: reaches the dual-stack canary on 127.0.0.1
    "::ffff:7f00:1",  # the same, in hex
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1, which the run exempts as IPv4
    "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address
    "::1",
    "2001:db8::1",  # documentation
    "fd00::1",  # unique local
]
UNFILTERED = ("127.0.0.0/8", "::1/128", "fe80::/10", "::ffff:0:0/96", "64:ff9b::/96", "2000::/3")
UNFILTERED += ("fc00::/7",)


def literal(ip: str) -> str:
    return f"[{ip.replace('%', '%25')}]"


@dataclass
class Outcome:
    canary_hits: int = 0
    live: list[str] = field(default_factory=list)
    """Targets the test itself reached the canary at, directly."""
    measurements: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def namespace() -> Iterator[str]:
    with fresh("pred", ASSIGNED) as name:
        yield name


def run_inside(name: str, pki: PKI, exempt: tuple[str, ...]) -> Outcome:
    return in_namespace(name, lambda: scenario(pki, exempt), timeout=180)


async def _reaches(ip: str, port: int) -> bool:
    host, _, zone = ip.partition("%")
    scope = socket.if_nametoindex(zone) if zone else 0
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(
            asyncio.get_running_loop().sock_connect(sock, (host, port, 0, scope)), 2
        )
        return True
    except (OSError, TimeoutError):
        return False
    finally:
        sock.close()


async def scenario(pki: PKI, exempt: tuple[str, ...]) -> Outcome:
    outcome = Outcome()
    checked = asyncio.Event()  # the liveness check's connections have all been accepted

    async def canary(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        outcome.canary_hits += 1
        if outcome.canary_hits == len(TARGETS):
            checked.set()
        with contextlib.suppress(asyncio.IncompleteReadError, OSError):
            await reader.readuntil(b"\r\n\r\n")
            await respond(writer, 200, page("canary"))
        writer.close()

    dual_stack = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    dual_stack.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # IPv4 and mapped too
    dual_stack.bind(("::", 0))
    canary_server = await asyncio.start_server(canary, sock=dual_stack)
    port = canary_server.sockets[0].getsockname()[1]

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = int((await reader.readuntil(b"\r\n")).split()[1].decode()[1:])  # GET /<i>
        await reader.readuntil(b"\r\n\r\n")
        location = f"http://{literal(TARGETS[index])}:{port}/"
        await respond(writer, 302, headers={"Location": location})
        writer.close()

    redirector = await asyncio.start_server(redirect, "127.0.0.1", 0)
    redirect_port = redirector.sockets[0].getsockname()[1]
    dns, resolver = await serve(Zone({"start.test": ["127.0.0.1"]}))
    settings = loopback_settings(pki, resolver, helper_urls=(), doh_urls=(), bogon_exempt=exempt)
    try:
        outcome.live = [ip for ip in TARGETS if await _reaches(ip, port)]
        if outcome.live == TARGETS:
            await asyncio.wait_for(checked.wait(), 10)
        outcome.canary_hits = 0  # the liveness checks are not the probe's connections
        for index in range(len(TARGETS)):
            url = f"http://start.test:{redirect_port}/{index}"
            outcome.measurements.append(await web_connectivity.measure(url, Session(settings)))
    finally:
        for server in (redirector, canary_server):
            server.close()
        dns.close()
    return outcome


def test_a_redirect_to_an_ipv6_bogon_never_connects_there(namespace: str, pki: PKI) -> None:
    outcome = run_inside(namespace, pki, exempt=("127.0.0.0/8",))
    assert outcome.live == TARGETS  # every target was a live canary
    assert outcome.canary_hits == 0
    for target, keys in zip(TARGETS, outcome.measurements, strict=True):
        assert keys["x_failure"] == errors.BOGON_ADDRESS_REFUSED, target
        assert [t["ip"] for t in keys["tcp_connect"]] == ["127.0.0.1"], target
        [request] = keys["requests"]  # the first hop, kept with the Location it sent
        assert request["response"]["code"] == 302
        assert len(keys["x_skipped_bogons"]) == 1, target


def test_without_the_filter_the_same_redirects_reach_the_canary(namespace: str, pki: PKI) -> None:
    outcome = run_inside(namespace, pki, exempt=UNFILTERED)
    followed = [
        target
        for target, keys in zip(TARGETS, outcome.measurements, strict=True)
        if keys["x_failure"] is None and keys["requests"][0]["response"]["code"] == 200
    ]
    assert outcome.canary_hits >= len(followed) > 0
