"""The neutral name's pull: pipelined GETs on one connection, read until enough, EOF or a stall."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from probe.net import errors, events, tcp, volume

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Serve = Callable[[Handler], Awaitable[int]]
HEADERS = (("Host", "example.com"), ("User-Agent", "probe-test"))


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> int:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()


async def pull(port: int, count: int, want: int, timeout: float = 1.0) -> volume.Volume:
    loop = asyncio.get_running_loop()
    _, stream = await tcp.connect("127.0.0.1", port, 2.0, loop.time())
    assert stream is not None
    return await volume.drain(stream, "/", HEADERS, count, want, timeout, loop.time())


async def test_every_request_goes_at_once_and_the_last_asks_to_close(serve: Serve) -> None:
    seen: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def answer_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = b""
        while data.count(b"\r\n\r\n") < 5:
            data += await reader.read(65536)
        seen.set_result(data)
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" * 5)
        await writer.drain()
        writer.close()

    port = await serve(answer_each)
    pulled = await pull(port, 5, 32768)
    requests = (await seen).split(b"\r\n\r\n")[:5]
    assert all(r.startswith(b"GET / HTTP/1.1\r\nHost: example.com") for r in requests)
    assert [b"Connection: close" in r for r in requests] == [False] * 4 + [True]
    assert (pulled.failure, pulled.received) == (errors.EOF_ERROR, 5 * 45)


async def test_a_flow_that_freezes_is_a_timeout_after_its_bytes(serve: Serve) -> None:
    async def freeze(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"x" * 3000)
        await writer.drain()
        await asyncio.sleep(5)

    port = await serve(freeze)
    with events.recording(asyncio.get_running_loop().time()) as trace:
        pulled = await pull(port, 10, 32768, timeout=0.5)
    assert (pulled.failure, pulled.received) == (errors.GENERIC_TIMEOUT, 3000)
    reads = [e for e in trace.events if e["operation"] == "read" and e.get("num_bytes")]
    assert sum(e["num_bytes"] for e in reads) == 3000
    assert pulled.as_ooni()["x_requests"] == 10


async def test_it_stops_once_enough_arrived(serve: Serve) -> None:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"y" * 100_000)
        await writer.drain()
        await asyncio.sleep(5)

    port = await serve(flood)
    pulled = await pull(port, 3, 32768)
    assert pulled.failure is None
    assert pulled.received >= 32768


def test_requests_are_enough_for_the_target_within_the_cap() -> None:
    assert volume.requests_for(32768, 300) == 110
    assert volume.requests_for(32768, 20) == volume.MAX_REQUESTS
    assert volume.requests_for(32768, 100_000) == 1
