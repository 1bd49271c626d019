"""Hostile input to a helper on 127.0.0.1: a well-formed answer or a 4xx, never a 500, and no
URL, host name or client address in any log line unless debug logging was asked for."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from loopback.web import respond, serve_http

from probe.helper import measure as measure_module
from probe.helper.failures import UNKNOWN_ERROR
from probe.helper.http11 import MAX_HEAD_BYTES
from probe.helper.server import Helper

StartHelper = Callable[..., Awaitable[tuple[str, Helper]]]


async def post(url: str, body: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=20) as client:
        if isinstance(body, bytes):
            return await client.post(url, content=body)
        return await client.post(url, json=body)


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the helper logged (httpx and httpcore log for the test's own client)."""
    return "\n".join(
        f"{r.levelname} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )


@pytest.mark.parametrize(
    "request_json",
    [
        {"http_request": "http://💩.la/"},  # invalid IDNA 2008
        {"http_request": "http://xn--a.xn--b\u0378.test/"},
        {"http_request": f"http://{'a' * 64}.test/"},  # label over 63
        {"http_request": "http://" + "abcdefghi." * 26 + "test/"},  # name over 253
        {"http_request": "http://ex..test/"},
        {"http_request": "http://example.test:0/"},  # port 0 is no port
        {"http_request": "http://example.test:١٢/"},  # Arabic-Indic digits
        {"http_request": "http://example.test/a b"},
        {"http_request": "http://example.test/\x00"},
        {"http_request": "http://[::1/"},
        {"http_request": "http://example.test/" + "é" * 1100},  # 2200 bytes once encoded
        {"http_request": "http://example.test/", "http_request_headers": {"User-Agent": ["☃"]}},
        {"http_request": "http://example.test/", "http_request_headers": {"User-Agent": ["é"]}},
        {"http_request": "http://example.test/", "http_request_headers": {"A": ["x\r\nB: y"]}},
        {"http_request": "http://example.test/", "http_request_headers": {"A B": ["x"]}},
        {"http_request": "http://example.test/", "http_request_headers": {"": ["x"]}},
        {"http_request": "http://example.test/", "http_request_headers": ""},
        {"http_request": "http://example.test/", "http_request_headers": 0},
        {"http_request": "http://example.test/", "http_request_headers": []},
        {"http_request": "http://example.test/", "http_request_headers": False},
        {"http_request": "http://example.test/", "tcp_connect": 0},
        {"http_request": "http://example.test/", "tcp_connect": ""},
        {"http_request": "http://example.test/", "tcp_connect": False},
        {"http_request": "http://example.test/", "tcp_connect": {}},
        {"http_request": "http://example.test/", "tcp_connect": ["127.0.0.1:٨٠"]},
        {"http_request": "http://example.test/", "tcp_connect": ["127.0.0.1:0"]},
        {"http_request": "http://example.test/", "tcp_connect": ["127.0.0.1:000000080"]},
        {"http_request": "http://example.test/", "tcp_connect": ["127.0.0.1:+80"]},
    ],
)
async def test_bad_requests_get_400_naming_the_field(
    start_helper: StartHelper, caplog: pytest.LogCaptureFixture, request_json: Any
) -> None:
    caplog.set_level(logging.INFO)
    helper_url, helper = await start_helper()
    reply = await post(helper_url, request_json)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"].startswith(("request", "http_request"))
    assert helper.inflight == 0
    assert "POST 400" in server_log(caplog)
    assert "ERROR" not in server_log(caplog)


async def test_null_lists_are_empty_as_go_sends_them(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper(allow_private=False)
    body = {"http_request": "http://nx.test/", "http_request_headers": None, "tcp_connect": None}
    reply = await post(helper_url, body)
    assert reply.status_code == 200
    assert reply.json()["dns"]["failure"] == "dns_name_error"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1"])
async def test_json_that_is_not_utf8_is_refused(start_helper: StartHelper, encoding: str) -> None:
    helper_url, _ = await start_helper()
    body = json.dumps({"http_request": "http://example.test/é"}, ensure_ascii=False)
    reply = await post(helper_url, body.encode(encoding))
    assert reply.status_code == 400
    assert reply.json()["error"] == "body is not UTF-8 JSON"


async def raw_exchange(helper_url: str, data: bytes) -> bytes:
    port = int(helper_url.rsplit(":", 1)[1].strip("/"))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    reply = await reader.read()
    writer.close()
    return reply


@pytest.mark.parametrize("pad_size", [MAX_HEAD_BYTES - 40, 20_000, 70_000])
async def test_a_head_over_16_kib_is_refused_however_it_arrives(
    start_helper: StartHelper, pad_size: int
) -> None:
    helper_url, _ = await start_helper()
    pad = b"X-Pad: " + b"p" * pad_size + b"\r\n"
    head = b"POST / HTTP/1.1\r\nHost: h\r\n" + pad + b"Content-Length: 2\r\n\r\n{}"
    assert len(head) > MAX_HEAD_BYTES
    reply = await raw_exchange(helper_url, head)  # one write: one read may hold it all
    assert reply.startswith(b"HTTP/1.1 431 ")


async def test_a_head_just_under_the_cap_is_read(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper()
    body = b'{"http_request": "http://nx.test/"}'
    start = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n" % len(body)
    pad = b"X-Pad: " + b"p" * (MAX_HEAD_BYTES - len(start) - 11) + b"\r\n\r\n"
    assert len(start + pad) == MAX_HEAD_BYTES
    reply = await raw_exchange(helper_url, start + pad + body)
    assert reply.startswith(b"HTTP/1.1 200 ")


LOCATIONS = {
    "/bracket": "http://[::1/",
    "/idna": "http://💩.la/",
    "/long": f"http://{'a' * 64}.test/",
    "/port0": "http://example.test:0/",
    "/digits": "http://example.test:١٢/",
    "/bigport": "http://example.test:99999/",
    "/scheme": "gopher://example.test/",
}


async def redirecting(servers: list[object]) -> tuple[int, list[str]]:
    """Every path in LOCATIONS redirects there; ``/unicode`` to a non-ASCII path; others 200."""
    asked: list[str] = []

    async def handler(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        asked.append(path)
        if path in LOCATIONS:
            await writer_redirect(writer, LOCATIONS[path].encode())
        elif path == "/unicode":
            await writer_redirect(writer, "/путь?q=ж ж".encode())
        elif path == "/latin1":
            await writer_redirect(writer, "/café".encode("latin-1"))  # not UTF-8
        else:
            await respond(writer, 200, b"<title>landed</title>")

    server, port = await serve_http(handler)
    servers.append(server)
    return port, asked


async def writer_redirect(writer: asyncio.StreamWriter, location: bytes) -> None:
    """A 302 with raw Location bytes (UTF-8 where a server sends them so)."""
    writer.write(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: " + location + b"\r\n\r\n")
    await writer.drain()


@pytest.mark.parametrize("path", sorted(LOCATIONS))
async def test_a_malformed_location_fails_the_fetch_not_the_request(
    start_helper: StartHelper,
    servers: list[object],
    caplog: pytest.LogCaptureFixture,
    path: str,
) -> None:
    caplog.set_level(logging.INFO)
    port, asked = await redirecting(servers)
    helper_url, _ = await start_helper()
    reply = await post(helper_url, {"http_request": f"http://example.test:{port}{path}"})
    assert reply.status_code == 200
    assert reply.json()["http_request"]["failure"] == UNKNOWN_ERROR
    assert asked == [path]
    assert "ERROR" not in server_log(caplog)


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("/unicode", "/%D0%BF%D1%83%D1%82%D1%8C?q=%D0%B6%20%D0%B6"),  # UTF-8, and a raw space
        ("/latin1", "/caf%E9"),  # not UTF-8: its bytes as sent
    ],
)
async def test_a_non_ascii_location_is_escaped_and_followed(
    start_helper: StartHelper, servers: list[object], path: str, escaped: str
) -> None:
    port, asked = await redirecting(servers)
    helper_url, _ = await start_helper()
    reply = await post(helper_url, {"http_request": f"http://example.test:{port}{path}"})
    assert reply.json()["http_request"]["title"] == "landed"
    assert asked == [path, escaped]


async def test_a_bug_answers_500_and_logs_no_url_unless_debugging(
    start_helper: StartHelper, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> Any:
        raise RuntimeError("failed on http://secret-site.test/ for 127.0.0.2")

    monkeypatch.setattr(measure_module, "fetch", broken)
    helper_url, _ = await start_helper()
    caplog.set_level(logging.INFO)
    reply = await post(helper_url, {"http_request": "http://nx.test/"})
    assert reply.status_code == 500
    assert reply.json() == {"error": "Internal Server Error"}
    logged = server_log(caplog)
    assert "handler failed: RuntimeError" in logged
    assert "secret-site" not in logged and "nx.test" not in logged and "127.0.0.2" not in logged
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    await post(helper_url, {"http_request": "http://nx.test/"})
    assert "secret-site" in server_log(caplog)  # the operator asked for debug logs


async def test_an_odd_method_is_not_logged(
    start_helper: StartHelper, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    helper_url, _ = await start_helper()
    reply = await raw_exchange(helper_url, b"secret-site.test / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 405 ")
    assert "other 405" in server_log(caplog)
    assert "secret-site" not in server_log(caplog)
