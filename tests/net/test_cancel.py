"""A task cancelled mid-connect or mid-handshake leaves no socket open (counted in /proc)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator

import pytest

from probe.net import tcp, tls

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


async def _cancelled(step: asyncio.Task[object]) -> None:
    await asyncio.sleep(0.05)
    step.cancel()
    with pytest.raises(asyncio.CancelledError):
        await step


async def test_a_connect_cancelled_midway_closes_its_socket(blackhole_port: int) -> None:
    before = open_fds()
    for _ in range(5):
        await _cancelled(asyncio.ensure_future(tcp.connect("127.0.0.1", blackhole_port, 5.0, 0.0)))
    assert open_fds() == before


async def test_a_handshake_cancelled_midway_closes_its_socket(silent_port: int) -> None:
    context = tls.client_context(None)

    async def connect_and_handshake() -> object:
        _, raw = await tcp.connect("127.0.0.1", silent_port, 2.0, 0.0)
        assert raw is not None
        return await tls.handshake(raw, "x", "example.test", context, 5.0, 0.0)

    before = open_fds()
    for _ in range(5):
        await _cancelled(asyncio.ensure_future(connect_and_handshake()))
    assert open_fds() == before
