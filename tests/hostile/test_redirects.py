"""Hostile ``Location`` headers from a loopback server: the measurement is never lost.

A hop that cannot be followed is that hop's failure in ``x_failure``; the first hop's DNS,
connect and request stay, and nothing but the loopback server is contacted (a bogon IP literal
is refused by the same filter as DNS answers; the loopback settings exempt only 127.0.0.0/8).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.dns_server import Zone
from loopback.probe_settings import loopback_settings
from loopback.web import page, serve_http

from probe.net import errors
from probe.nettests import web_connectivity
from probe.nettests.session import Session

INVALID = errors.HTTP_INVALID_REDIRECT
BOGON = errors.BOGON_ADDRESS_REFUSED

CASES: list[tuple[str, bytes, str | None]] = [
    ("space in host", b"http://exa mple.test/", INVALID),
    ("port too big", b"http://example.test:99999/", INVALID),
    ("port 0", b"http://example.test:0/", INVALID),
    ("negative port", b"http://example.test:-1/", INVALID),
    ("arabic-indic port", "http://example.test:٨٠/".encode(), INVALID),
    ("unclosed bracket", b"http://[::1/", INVALID),
    ("not an address in brackets", b"http://[zz::1]/", INVALID),
    ("ftp", b"ftp://example.test/", INVALID),
    ("javascript", b"javascript:alert(1)", INVALID),
    ("empty host with port", b"http://:80/", INVALID),
    ("no host", b"https://?x", INVALID),
    ("label over 63", b"http://" + b"a" * 64 + b".test/", INVALID),
    ("name over 253", b"http://" + b"a" * 60 + b"." + b"b" * 60 * 4 + b".test/", INVALID),
    ("invalid IDNA", "http://⒈.test/".encode(), INVALID),
    ("raw non-UTF-8 byte in host", b"http://a\xff.test/", INVALID),
    ("URL over 2 KiB", b"/" + b"a" * 3000, INVALID),
    ("number that is no IPv4", b"http://1.2.3.4.5/", INVALID),
    ("private literal", b"http://192.168.1.1/", BOGON),
    ("private literal with port", b"http://10.0.0.1:8080/admin", BOGON),
    ("link-local IPv6", b"http://[fe80::1]/", BOGON),
    ("link-local IPv6 with zone", b"http://[fe80::1%25eth0]/", BOGON),
    ("IPv6 loopback", b"http://[::1]/", BOGON),
    ("metadata", b"http://169.254.169.254/latest/meta-data/", BOGON),
    ("metadata in hex", b"http://0xa9fea9fe/", BOGON),
    ("router as an integer", b"http://3232235777/", BOGON),
    ("short form", b"http://10.1/", BOGON),
    ("IPv4-mapped private", b"http://[::ffff:192.168.1.1]/", BOGON),
    ("NAT64 of metadata", b"http://[64:ff9b::a9fe:a9fe]/", BOGON),
    ("documentation range", b"https://203.0.113.9/", BOGON),
]
"""(case, the Location header's bytes, the expected x_failure)."""

FOLLOWED: list[tuple[str, bytes, str]] = [
    ("raw space in path", b"/final page", "/final%20page"),
    ("UTF-8 path", "/путь".encode(), "/%D0%BF%D1%83%D1%82%D1%8C"),
    ("raw non-UTF-8 byte in path", b"/a\xffb", "/a%FFb"),
    ("fragment dropped", b"/final#frag", "/final"),
]


async def _serve(location: bytes) -> tuple[asyncio.Server, int]:
    async def handler(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        if path == "/start":
            writer.write(
                b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nConnection: close\r\n"
                b"Location: " + location + b"\r\n\r\n"
            )
        else:
            body = page("final")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()

    return await serve_http(handler)


@pytest.fixture
async def resolver(servers: list[object]) -> str:
    transport, address = await dns_server.serve(Zone({"example.test": ["127.0.0.1"]}))
    servers.append(transport)
    return address


async def _measure(location: bytes, pki: PKI, resolver: str, servers: list[object]) -> dict:  # type: ignore[type-arg]
    server, port = await _serve(location)
    servers.append(server)
    settings = loopback_settings(pki, resolver, helper_urls=(), doh_urls=())
    keys = await web_connectivity.measure(f"http://example.test:{port}/start", Session(settings))
    json.dumps(keys)  # what is stored must serialise
    return keys


@pytest.mark.parametrize(("case", "location", "failure"), CASES, ids=[c[0] for c in CASES])
async def test_a_hop_that_cannot_be_followed_is_recorded_and_earlier_hops_kept(
    case: str,
    location: bytes,
    failure: str | None,
    pki: PKI,
    resolver: str,
    servers: list[object],
) -> None:
    keys = await _measure(location, pki, resolver, servers)
    assert keys["x_failure"] == failure
    [request] = keys["requests"]  # the first hop's request, with the Location it sent
    assert request["response"]["code"] == 302
    assert request["response"]["headers"]["Location"] == location.decode("latin-1")
    assert [q["hostname"] for q in keys["queries"]] == ["example.test", "example.test"]
    assert [t["ip"] for t in keys["tcp_connect"]] == ["127.0.0.1"]  # nothing else contacted
    if failure == BOGON:
        assert len(keys["x_skipped_bogons"]) == 1


@pytest.mark.parametrize(("case", "location", "path"), FOLLOWED, ids=[c[0] for c in FOLLOWED])
async def test_a_location_a_browser_would_escape_is_followed(
    case: str, location: bytes, path: str, pki: PKI, resolver: str, servers: list[object]
) -> None:
    keys = await _measure(location, pki, resolver, servers)
    assert keys["x_failure"] is None
    final, first = keys["requests"]
    assert final["request"]["url"].endswith(path)
    assert final["response"]["code"] == 200 and first["response"]["code"] == 302
