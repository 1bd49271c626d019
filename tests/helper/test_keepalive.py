"""The helper keeps a connection open after a 200, so a probe pays one handshake per run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import h11

from probe.helper.server import Helper

StartHelper = Callable[..., Awaitable[tuple[str, Helper]]]
GET = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
PARTIAL_HEAD = b"GET / HTTP/1.1\r\nHost: h\r\n"


def port_of(url: str) -> int:
    return urlsplit(url).port or 0


async def responses(reader: asyncio.StreamReader, count: int) -> list[h11.Response]:
    """Read ``count`` whole responses off one connection."""
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "h")]))
    got: list[h11.Response] = []
    async with asyncio.timeout(5):
        while len(got) < count:
            event = client.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                assert data, f"closed after {len(got)} responses"
                client.receive_data(data)
            elif isinstance(event, h11.Response):
                got.append(event)
            elif isinstance(event, h11.EndOfMessage) and len(got) < count:
                client.start_next_cycle()
                client.send(h11.Request(method="GET", target="/", headers=[("Host", "h")]))
    return got


async def test_requests_one_after_another_share_a_connection(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper()
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
    try:
        for _ in range(3):
            writer.write(GET)
            [reply] = await responses(reader, 1)
            assert reply.status_code == 200
            assert (b"connection", b"close") not in reply.headers
    finally:
        writer.close()


async def test_an_idle_connection_is_closed_after_the_head_deadline(
    start_helper: StartHelper,
) -> None:
    helper_url, helper = await start_helper(head_timeout=0.3, read_timeout=30.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
    writer.write(GET)
    await responses(reader, 1)
    started = time.monotonic()
    async with asyncio.timeout(5):
        assert await reader.read() == b""  # closed without a 408: no request was begun
    writer.close()
    assert time.monotonic() - started < 2
    assert helper.admission.open == 0


async def test_a_second_head_left_unfinished_gets_408(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper(head_timeout=0.3, read_timeout=30.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
    writer.write(GET)
    await responses(reader, 1)
    writer.write(PARTIAL_HEAD)
    async with asyncio.timeout(5):
        rest = await reader.read()
    writer.close()
    assert rest.startswith(b"HTTP/1.1 408 ")


async def test_an_error_or_the_clients_close_ends_the_connection(
    start_helper: StartHelper,
) -> None:
    helper_url, _ = await start_helper()
    not_found = b"GET /other HTTP/1.1\r\nHost: h\r\n\r\n"
    for request in (not_found, GET[:-2] + b"Connection: close\r\n\r\n"):
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
        writer.write(request)
        async with asyncio.timeout(5):
            reply = await reader.read()  # the whole reply, then the server's FIN
        writer.close()
        assert b"\r\nconnection: close\r\n" in reply.lower()


async def test_an_idle_kept_alive_connection_gives_way_to_a_newcomer(
    start_helper: StartHelper,
) -> None:
    helper_url, helper = await start_helper(max_pending=1, head_timeout=30.0)
    port = port_of(helper_url)
    idle_reader, idle = await asyncio.open_connection("127.0.0.1", port)
    idle.write(GET)
    await responses(idle_reader, 1)
    _, slow = await asyncio.open_connection("127.0.0.1", port)
    slow.write(PARTIAL_HEAD)
    try:
        async with asyncio.timeout(5):
            assert await idle_reader.read() == b""  # dropped for the newcomer
        assert helper.admission.evicted == 1
    finally:
        idle.close()
        slow.close()
