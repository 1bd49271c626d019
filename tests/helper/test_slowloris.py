"""Slow and idle clients cannot starve a helper: pending cap, head deadline, 503 shedding."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from conftest import PKI
from typer.testing import CliRunner

from probe.cli.helper import helper_app
from probe.helper import http11
from probe.helper.config import HelperConfig
from probe.helper.http11 import Admission, Incoming, Reply
from probe.helper.server import Helper, admission

StartHelper = Callable[..., Awaitable[tuple[str, Helper]]]
PARTIAL_HEAD = b"POST / HTTP/1.1\r\nHost: h\r\n"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].strip("/"))


@pytest.fixture
async def slow_clients() -> AsyncIterator[list[asyncio.StreamWriter]]:
    writers: list[asyncio.StreamWriter] = []
    yield writers
    for writer in writers:
        writer.close()


async def open_slow(port: int, count: int, into: list[asyncio.StreamWriter]) -> None:
    """Connections that send part of a head and then nothing."""
    for _ in range(count):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(PARTIAL_HEAD)
        await writer.drain()
        into.append(writer)


async def test_an_unfinished_head_gets_408_after_the_head_deadline(
    start_helper: StartHelper,
) -> None:
    helper_url, _ = await start_helper(head_timeout=0.3, read_timeout=30.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
    writer.write(PARTIAL_HEAD)
    started = time.monotonic()
    async with asyncio.timeout(5):
        reply = await reader.read()
    writer.close()
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 2  # the head deadline, not the 30 s read timeout


async def test_a_trickled_head_is_cut_at_the_deadline(start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper(head_timeout=0.5, read_timeout=30.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))

    async def trickle() -> None:  # a byte every 20 ms: always busy, never done
        with contextlib.suppress(ConnectionError):
            for byte in PARTIAL_HEAD * 100:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.02)

    sender = asyncio.create_task(trickle())
    started = time.monotonic()
    async with asyncio.timeout(5):
        reply = await reader.read()
    sender.cancel()
    writer.close()
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 2


async def test_the_tls_handshake_has_the_head_deadline(pki: PKI, start_helper: StartHelper) -> None:
    helper_url, _ = await start_helper(tls=pki.good, head_timeout=0.3, read_timeout=30.0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(helper_url))
    started = time.monotonic()
    async with asyncio.timeout(5):
        assert await reader.read() == b""  # no ClientHello: closed, nothing to answer over
    writer.close()
    assert time.monotonic() - started < 2


async def test_slow_clients_beyond_the_pending_cap_give_way_to_real_requests(
    start_helper: StartHelper, slow_clients: list[asyncio.StreamWriter]
) -> None:
    helper_url, helper = await start_helper(max_pending=8, head_timeout=30.0)
    await open_slow(port_of(helper_url), 30, slow_clients)
    await asyncio.sleep(0.1)
    assert len(helper.admission.pending) <= 8
    assert helper.admission.evicted >= 22
    async with httpx.AsyncClient() as client:
        replies = [
            await client.post(helper_url, json={"http_request": "http://nx.test/"})
            for _ in range(5)
        ]
    assert [r.status_code for r in replies] == [200] * 5


async def request_raw(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}")
    async with asyncio.timeout(5):
        reply = await reader.read()
    writer.close()
    return reply


async def test_past_the_connection_budget_slow_ones_go_first_then_newcomers_get_503(
    slow_clients: list[asyncio.StreamWriter],
) -> None:
    async def handler(incoming: Incoming) -> Reply:
        return Reply(200, b"{}")

    gate = Admission(head_timeout=30.0, max_pending=100, max_connections=5)
    server = await http11.start(
        handler, "127.0.0.1", 0, max_body=1024, read_timeout=30.0, admission=gate
    )
    port = server.sockets[0].getsockname()[1]
    try:
        await open_slow(port, 5, slow_clients)  # read from, head unfinished: pending
        await asyncio.sleep(0.1)
        assert (await request_raw(port)).startswith(b"HTTP/1.1 200 ")
        assert (gate.evicted, gate.shed) == (1, 0)
        for slow in slow_clients:
            slow.close()
        slow_clients.clear()
        for _ in range(5):  # silent: never read from, so never judged, and never dropped
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            slow_clients.append(writer)
        await asyncio.sleep(0.1)
        reply = await request_raw(port)
        assert reply.startswith(b"HTTP/1.1 503 ")
        assert b"retry-after: 5\r\n" in reply.lower()
        assert (gate.evicted, gate.shed) == (1, 1)
        async with asyncio.timeout(5):
            while gate.open > 5:  # noqa: ASYNC110 - the shed one lingers until we close
                await asyncio.sleep(0.01)
        for silent in slow_clients:
            silent.close()
        async with asyncio.timeout(5):
            while gate.open:  # noqa: ASYNC110 - every session ends with its client
                await asyncio.sleep(0.01)
    finally:
        server.close()


def test_limits_follow_rlimit_nofile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http11, "descriptor_limit", lambda: 1024)
    gate = admission(HelperConfig())  # 16 in flight x 35 descriptors > half of 1024
    assert (gate.max_connections, gate.max_pending, gate.head_timeout) == (448, 224, 5.0)
    assert admission(HelperConfig(max_pending=1000)).max_pending == 448
    monkeypatch.setattr(http11, "descriptor_limit", lambda: 65536)
    assert admission(HelperConfig()).max_connections == 65536 - 64 - 16 * 35
    monkeypatch.setattr(http11, "descriptor_limit", lambda: 100)
    with pytest.raises(ValueError, match="RLIMIT_NOFILE is 100"):
        admission(HelperConfig())


def test_serve_refuses_to_start_with_too_few_descriptors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http11, "descriptor_limit", lambda: 100)
    result = CliRunner().invoke(helper_app, ["serve", "--listen", "127.0.0.1:0"])
    assert result.exit_code == 2
    assert "RLIMIT_NOFILE is 100" in result.output
