"""Client -> helper -> loopback targets, all on 127.0.0.1 (the resolver: ``conftest.py``)."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from conftest import PKI
from loopback.web import default_handler, page, serve_http, serve_raw

from probe.control.helper_client import HTTP_REQUEST_FAILED, query_helper
from probe.helper.failures import CONNECTION_REFUSED, DNS_LOOKUP_ERROR, DNS_NAME_ERROR
from probe.helper.server import Helper
from probe.net import errors
from probe.settings import Settings, Timeouts

StartHelper = Callable[..., Awaitable[tuple[str, Helper]]]


async def target(servers: list[object], tls: ssl.SSLContext | None = None) -> tuple[int, list[str]]:
    """A loopback web server that records the paths it was asked for."""
    asked: list[str] = []

    async def handler(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        asked.append(path)
        await default_handler(path, headers, writer)

    server, port = await serve_http(handler, tls)
    servers.append(server)
    return port, asked


async def control(helper_url: str, url: str, endpoints: list[str], **kw: Any) -> Any:
    return await query_helper(helper_url, url, endpoints, Settings(**kw), 20.0)


async def test_https_round_trip(pki: PKI, servers: list[object], start_helper: StartHelper) -> None:
    port, asked = await target(servers, pki.good)
    helper_url, _ = await start_helper()
    endpoint = f"127.0.0.1:{port}"
    response, failure = await control(helper_url, f"https://example.test:{port}/", [endpoint])
    assert failure is None
    assert response["dns"] == {"failure": None, "addrs": ["127.0.0.1"]}
    assert response["tcp_connect"] == {endpoint: {"status": True, "failure": None}}
    assert response["tls_handshake"] == {
        endpoint: {"server_name": "example.test", "status": True, "failure": None}
    }
    body = page(f"Hello example.test:{port}")
    assert response["http_request"] == {
        "body_length": len(body),
        "failure": None,
        "title": f"Hello example.test:{port}",
        "headers": {"Content-Length": str(len(body)), "Server": "loopback"},  # no hop-by-hop
        "status_code": 200,
    }
    # resolved by probe (1) and helper (2), a bogon (4), valid for the domain over TLS (8)
    assert response["ip_info"] == {"127.0.0.1": {"asn": 0, "flags": 15}}
    assert asked == ["/"]


async def test_http_redirects_are_followed(
    servers: list[object], start_helper: StartHelper
) -> None:
    port, asked = await target(servers)
    helper_url, _ = await start_helper(bogon_exempt=("127.0.0.0/8",))
    response, failure = await control(helper_url, f"http://example.test:{port}/to/final", [])
    assert failure is None
    assert asked == ["/to/final", "/final"]
    assert response["http_request"]["status_code"] == 200
    assert response["tls_handshake"] == {}  # plain http on its own port: no handshake
    assert response["ip_info"] == {"127.0.0.1": {"asn": 0, "flags": 2}}  # exempt: no bogon flag


async def test_too_many_redirects(servers: list[object], start_helper: StartHelper) -> None:
    port, asked = await target(servers)
    helper_url, _ = await start_helper(max_redirects=3)
    response, _ = await control(helper_url, f"http://example.test:{port}/loop", [])
    assert response["http_request"]["failure"] == "unknown_error"
    assert len(asked) == 4


async def test_failures_use_oonis_helper_strings(
    pki: PKI, servers: list[object], start_helper: StartHelper
) -> None:
    port, _ = await target(servers, pki.wrong_name)
    closed, closed_port = await serve_raw("close")
    closed.close()
    await closed.wait_closed()
    helper_url, _ = await start_helper()
    response, _ = await control(helper_url, f"https://example.test:{port}/", [f"127.0.0.1:{port}"])
    handshake = response["tls_handshake"][f"127.0.0.1:{port}"]
    assert handshake == {
        "server_name": "example.test",
        "status": False,
        "failure": errors.SSL_INVALID_HOSTNAME,
    }
    assert response["http_request"]["failure"] == "unknown_error"
    assert response["http_request"]["status_code"] == -1
    assert response["ip_info"]["127.0.0.1"]["flags"] & 8 == 0
    refused, _ = await control(helper_url, f"http://example.test:{closed_port}/", [])
    assert refused["tcp_connect"][f"127.0.0.1:{closed_port}"] == {
        "status": False,
        "failure": CONNECTION_REFUSED,
    }
    assert refused["http_request"]["failure"] == CONNECTION_REFUSED
    nx, _ = await control(helper_url, "http://nx.test/", [])
    assert nx["dns"] == {"failure": DNS_NAME_ERROR, "addrs": []}
    assert nx["http_request"]["failure"] == DNS_LOOKUP_ERROR


async def test_ssrf_ip_literal_target_is_refused(
    pki: PKI, servers: list[object], start_helper: StartHelper
) -> None:
    port, asked = await target(servers, pki.good)
    helper_url, _ = await start_helper(allow_private=False)
    url = f"https://127.0.0.1:{port}/"
    assert await control(helper_url, url, [f"127.0.0.1:{port}"]) == (None, HTTP_REQUEST_FAILED)
    async with httpx.AsyncClient() as client:
        reply = await client.post(helper_url, json={"http_request": url})
    assert reply.status_code == 403
    assert asked == []


@pytest.mark.parametrize("endpoint", ["127.0.0.1", "10.1.2.3", "[::1]", "169.254.169.254"])
async def test_ssrf_names_and_endpoints_in_private_space_are_not_contacted(
    servers: list[object], start_helper: StartHelper, endpoint: str
) -> None:
    port, asked = await target(servers)
    helper_url, _ = await start_helper(allow_private=False)
    response, failure = await control(
        helper_url, f"http://private.test:{port}/", [f"{endpoint}:{port}"]
    )
    assert failure is None
    assert response["dns"]["addrs"] == ["127.0.0.1"]  # reported, never contacted
    assert response["tcp_connect"] == {}
    assert response["http_request"]["failure"] == DNS_LOOKUP_ERROR
    assert all(info["flags"] & 4 for info in response["ip_info"].values())
    assert asked == []


async def chunks(data: bytes, count: int) -> AsyncIterator[bytes]:
    """A body sent chunked, without Content-Length."""
    for _ in range(count):
        yield data


async def test_the_reply_has_oohelperd_s_shape(start_helper: StartHelper) -> None:
    """What OONI's clients see from oohelperd (docs/helper.md, interop): a reason phrase, the
    QUIC keys empty, and 200 with JSON for GET /."""
    helper_url, _ = await start_helper()
    async with httpx.AsyncClient() as client:
        reply = await client.post(helper_url, json={"http_request": "http://127.0.0.1:9/"})
        greeting = await client.get(helper_url)
    assert (reply.status_code, reply.reason_phrase) == (200, "OK")
    body = reply.json()
    assert (body["quic_handshake"], body["http3_request"]) == ({}, None)
    assert body["http_request"]["discovered_h3_endpoint"] == ""
    assert greeting.status_code == 200
    assert greeting.headers["content-type"] == "application/json" and greeting.json()["message"]


async def test_bad_requests(start_helper: StartHelper) -> None:
    helper_url, helper = await start_helper(max_request_bytes=1000)
    async with httpx.AsyncClient() as client:
        cases = [
            (await client.post(helper_url, content=b"{"), 400),
            (await client.post(helper_url, content=b"[" * 900), 400),  # nesting, not a crash
            (await client.post(helper_url, json={"http_request": "file:///etc/passwd"}), 400),
            (await client.post(helper_url, content=b"x" * 1001), 413),
            (await client.post(helper_url, content=chunks(b"x" * 100, 11)), 413),
            (await client.put(helper_url, json={}), 405),
            (await client.post(helper_url + "admin", json={}), 404),
        ]
    assert [r.status_code for r, _ in cases] == [status for _, status in cases]
    assert cases[2][0].json()["error"].startswith("http_request")
    assert cases[5][0].headers["allow"] == "POST"
    assert helper.inflight == 0


async def test_not_http_at_all_gets_400(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper()
    port = int(helper_url.rsplit(":", 1)[1].strip("/"))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
    reply = await reader.read()
    writer.close()
    assert reply.startswith(b"HTTP/1.1 400 ")


async def test_overload_answers_503(servers: list[object], start_helper: StartHelper) -> None:
    silent, port = await serve_raw("silent")
    servers.append(silent)
    helper_url, helper = await start_helper(max_inflight=1, timeouts=Timeouts(http=2.0))
    slow = asyncio.create_task(control(helper_url, f"http://example.test:{port}/", []))
    while helper.inflight == 0:  # noqa: ASYNC110 - the helper exposes a counter, not an event
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient() as client:
        reply = await client.post(helper_url, json={"http_request": "http://example.test/"})
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "5"
    response, failure = await slow  # the slow one still completes
    assert failure is None
    assert response["http_request"]["failure"] == errors.GENERIC_TIMEOUT
    assert helper.inflight == 0


async def test_deadline_answers_504(servers: list[object], start_helper: StartHelper) -> None:
    silent, port = await serve_raw("silent")
    servers.append(silent)
    helper_url, helper = await start_helper(deadline=0.5, timeouts=Timeouts(http=30.0))
    async with httpx.AsyncClient() as client:
        reply = await client.post(helper_url, json={"http_request": f"http://example.test:{port}/"})
    assert reply.status_code == 504
    assert helper.inflight == 0


async def test_https_helper(pki: PKI, servers: list[object], start_helper: StartHelper) -> None:
    port, _ = await target(servers)
    helper_url, _ = await start_helper(tls=pki.good)
    assert helper_url.startswith("https://")
    response, failure = await control(
        helper_url, f"http://example.test:{port}/", [], ca_bundle=pki.bundle
    )
    assert failure is None
    assert response["http_request"]["status_code"] == 200


async def test_logs_never_contain_the_client_address(
    servers: list[object], start_helper: StartHelper, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port, _ = await target(servers)
    helper_url, _ = await start_helper()
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(transport=transport) as client:
        ok = await client.post(helper_url, json={"http_request": f"http://example.test:{port}/"})
        bad = await client.post(helper_url, content=b"{")
    assert (ok.status_code, bad.status_code) == (200, 400)
    # httpx and httpcore log for the test's own client; everything else is the server side.
    server_log = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "POST 200" in server_log and "POST 400" in server_log
    assert "127.0.0.2" not in server_log
    assert "example.test" not in server_log  # nor what was asked about
