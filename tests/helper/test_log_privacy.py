"""The promise of docs/helper.md, checked on the real ``probe helper serve --verbose`` process:
hostile input gets a well-formed answer or a 4xx, and no log line carries a URL, a host name or
a client address (only ``--debug`` may).

Everything stays on 127.0.0.1: the targets are loopback servers or names that fail validation
before any lookup, and the helper's resolver is a closed loopback port.
"""

from __future__ import annotations

import asyncio
import sys

import httpx
from loopback.web import serve_http

SECRET = "secret-site"
HOSTILE_BODIES: list[object] = [
    {"http_request": f"http://{SECRET}💩.la/"},  # invalid IDNA 2008
    {"http_request": f"http://{SECRET}.{'a' * 64}.test/"},  # label over 63
    {"http_request": f"http://{SECRET}." + "abcdefghi." * 26 + "test/"},  # name over 253
    {"http_request": f"http://{SECRET}.test:0/"},
    {"http_request": f"http://{SECRET}.test:١٢/"},
    {"http_request": f"http://{SECRET}.test/", "http_request_headers": {"X": ["☃ é"]}},
    {"http_request": f"http://{SECRET}.test/", "tcp_connect": False},
    {"http_request": f"http://{SECRET}.test/", "tcp_connect": ["127.0.0.1:٨٠"]},
]


async def _raw(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    reply = await reader.read()
    writer.close()
    return reply


async def test_hostile_requests_leave_no_url_host_or_address_in_the_verbose_log(
    servers: list[object],
) -> None:
    async def target(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        location = {
            "/bracket": b"http://[::1/",
            "/idna": f"http://{SECRET}💩.la/".encode(),
            "/bytes": b"http://" + SECRET.encode() + b"\xff.test/",
        }.get(path)
        if location is not None:
            writer.write(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: " + location)
            writer.write(b"\r\n\r\n")
        else:  # a header value that is no Latin-1 text, and no title
            writer.write("HTTP/1.1 200 OK\r\nX-Name: ☃ ж\r\nContent-Length: 2\r\n\r\nok".encode())
        await writer.drain()

    server, port = await serve_http(target)
    servers.append(server)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "probe", "helper", "serve", "--listen", "127.0.0.1:0",
        "--allow-private", "--resolver", "127.0.0.1:9", "--verbose",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    async with asyncio.timeout(30):
        while "listening on" not in (line := (await process.stderr.readline()).decode()):
            assert line, "helper exited before listening"
    helper = line.split("listening on ")[1].strip()
    helper_port = int(helper.rsplit(":", 1)[1].strip("/"))
    statuses: list[int] = []
    try:
        async with httpx.AsyncClient(timeout=20) as client:
            bodies = [
                *HOSTILE_BODIES,
                *({"http_request": f"http://127.0.0.1:{port}{p}"} for p in ("/bracket", "/idna")),
                {"http_request": f"http://127.0.0.1:{port}/bytes"},
                {"http_request": f"http://127.0.0.1:{port}/utf8-header"},
            ]
            for body in bodies:
                statuses.append((await client.post(helper, json=body)).status_code)
            statuses.append((await client.post(helper, content=b"\xff\xfe{")).status_code)
        pad = b"X-Pad: " + SECRET.encode() * 1500 + b"\r\n"
        heads = [
            b"POST / HTTP/1.1\r\nHost: " + SECRET.encode() + b".test\r\n" + pad + b"\r\n",
            SECRET.encode() + b" / HTTP/1.1\r\nHost: h\r\n\r\n",
            b"\x16\x03\x01\x00\x05garbage-not-http " + SECRET.encode() + b"\r\n\r\n",
        ]
        for head in heads:
            reply = await _raw(helper_port, head)
            statuses.append(int(reply.split()[1]) if reply.startswith(b"HTTP/1.1 ") else 0)
    finally:
        process.terminate()
        log = (await process.stderr.read()).decode()
        await process.wait()
    assert all(0 < status < 500 for status in statuses), statuses
    assert statuses[len(HOSTILE_BODIES) : len(HOSTILE_BODIES) + 4] == [200] * 4
    lines = log.splitlines()
    assert len([x for x in lines if " POST " in x or "POST 4" in x or "POST 2" in x]) >= 10
    for leak in (SECRET, "127.0.0.1", str(port), ".test", "http://", "Traceback"):
        assert leak not in log, (leak, log)
