from __future__ import annotations

import asyncio
import json
import ssl

import pytest
from conftest import PKI
from loopback.web import respond, serve_http, serve_raw

from probe.control import helper_client
from probe.control.helper_client import (
    HTTP_REQUEST_FAILED,
    INVALID_RESPONSE,
    JSON_PARSE_ERROR,
    query_helper,
)
from probe.net import errors
from probe.settings import Settings

VALID = {
    "dns": {"failure": None, "addrs": ["203.0.113.10"]},
    "tcp_connect": {"203.0.113.10:443": {"status": True, "failure": None}},
    "http_request": {
        "body_length": 10,
        "failure": None,
        "title": "t",
        "headers": {},
        "status_code": 200,
    },
}


async def helper_answering(
    servers: list[object], status: int, body: bytes, tls: ssl.SSLContext | None = None
) -> int:
    async def handler(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        await respond(writer, status, body, {"Content-Type": "application/json"})

    server, port = await serve_http(handler, tls=tls)
    servers.append(server)
    return port


async def ask(
    url: str, settings: Settings = Settings(), timeout: float = 5.0
) -> tuple[object, object]:
    return await query_helper(url, "https://example.test/", ["203.0.113.10:443"], settings, timeout)


async def test_valid_reply_is_returned_normalised(servers: list[object]) -> None:
    port = await helper_answering(servers, 200, json.dumps({**VALID, "extra": 1}).encode())
    response, failure = await ask(f"http://127.0.0.1:{port}/")
    assert failure is None
    assert response == {**VALID, "tls_handshake": {}, "ip_info": {}}


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        (200, b"<html>not json</html>", JSON_PARSE_ERROR),
        (200, b"[" * 5000, JSON_PARSE_ERROR),
        (200, b'{"dns": {}}', INVALID_RESPONSE),
        (200, json.dumps({**VALID, "tcp_connect": {"x": 1}}).encode(), INVALID_RESPONSE),
        (500, json.dumps(VALID).encode(), HTTP_REQUEST_FAILED),
        (403, b'{"error": "no"}', HTTP_REQUEST_FAILED),
    ],
)
async def test_garbage_from_the_helper_is_a_control_failure(
    servers: list[object], status: int, body: bytes, failure: str
) -> None:
    port = await helper_answering(servers, status, body)
    assert await ask(f"http://127.0.0.1:{port}/") == (None, failure)


async def test_oversized_reply_is_refused(
    servers: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helper_client, "MAX_RESPONSE_BYTES", 100)
    port = await helper_answering(servers, 200, json.dumps({**VALID, "pad": "x" * 200}).encode())
    assert await ask(f"http://127.0.0.1:{port}/") == (None, INVALID_RESPONSE)


async def test_unreachable_and_silent_helpers(servers: list[object]) -> None:
    server, port = await serve_raw("close")
    server.close()
    await server.wait_closed()
    assert await ask(f"http://127.0.0.1:{port}/") == (None, errors.CONNECTION_REFUSED)
    silent, silent_port = await serve_raw("silent")
    servers.append(silent)
    assert await ask(f"http://127.0.0.1:{silent_port}/", timeout=0.3) == (
        None,
        errors.GENERIC_TIMEOUT,
    )


async def test_https_helper_is_verified_with_the_probes_ca(pki: PKI, servers: list[object]) -> None:
    port = await helper_answering(servers, 200, json.dumps(VALID).encode(), tls=pki.good)
    url = f"https://localhost:{port}/"
    response, failure = await ask(url, Settings(ca_bundle=pki.bundle))
    assert failure is None and response is not None
    assert await ask(url) == (None, errors.SSL_UNKNOWN_AUTHORITY)  # certifi does not know it


async def test_request_carries_the_probes_headers_and_endpoints(servers: list[object]) -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        seen.append(await reader.readexactly(length))
        await respond(writer, 200, json.dumps(VALID).encode())
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    servers.append(server)
    port = server.sockets[0].getsockname()[1]
    await query_helper(
        f"http://127.0.0.1:{port}/",
        "https://example.test/",
        ["203.0.113.10:443"],
        Settings(),
        5.0,
        headers={"User-Agent": ["UA/1"], "Accept-Language": ["kk"]},
    )
    assert json.loads(seen[0]) == {
        "http_request": "https://example.test/",
        "http_request_headers": {"User-Agent": ["UA/1"], "Accept-Language": ["kk"]},
        "tcp_connect": ["203.0.113.10:443"],
    }
