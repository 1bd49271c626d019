"""A measurement that failed closes its socket abortively, so nothing is sent after it ended.

A plain close of a connection whose ClientHello or request went unanswered sends a FIN behind the
unacknowledged bytes, and the kernel goes on retransmitting them, at the normal TTL, long after the
probe exited. On loopback the peer acknowledges everything, so what tells the two closes apart is
what the server reads next: end of stream after a FIN, a reset after an abortive close.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from conftest import PKI

from probe.net import errors, http, tcp, tls
from probe.net.stream import SocketStream

Ending = asyncio.Future[str]


def now() -> float:
    return asyncio.get_running_loop().time()


@pytest.fixture
async def silent() -> AsyncIterator[tuple[int, Ending]]:
    """A server that reads the first bytes, never answers, and says how the client left."""
    ending: Ending = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(1)
            while await reader.read(65536):
                pass
            ending.set_result("fin")
        except ConnectionResetError:
            ending.set_result("rst")
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], ending
    server.close()


async def _connected(port: int) -> socket.socket:
    _, sock = await tcp.connect("127.0.0.1", port, 2.0, now())
    assert sock is not None
    return sock


async def test_a_timed_out_tls_handshake_resets_the_connection(
    silent: tuple[int, Ending], pki: PKI
) -> None:
    port, ending = silent
    sock = await _connected(port)
    context = tls.client_context(pki.bundle)
    record, stream = await tls.handshake(sock, "x", "example.test", context, 0.3, now())
    assert (record.failure, stream) == (errors.GENERIC_TIMEOUT, None)
    assert await asyncio.wait_for(ending, 2) == "rst"
    assert sock.fileno() == -1


async def test_a_timed_out_http_request_resets_the_connection(silent: tuple[int, Ending]) -> None:
    port, ending = silent
    stream = SocketStream(await _connected(port))
    url = f"http://127.0.0.1:{port}/"
    request = await http.get(stream, url, "x", (("Host", "example.test"),), 1000, 0.3, now())
    assert request.failure == errors.GENERIC_TIMEOUT
    assert await asyncio.wait_for(ending, 2) == "rst"


async def test_a_finished_measurement_still_closes_gracefully(silent: tuple[int, Ending]) -> None:
    """Only failures are aborted: a connection the measurement is done with says goodbye."""
    port, ending = silent
    stream = SocketStream(await _connected(port))
    await stream.write(b"x")
    await stream.aclose()
    assert await asyncio.wait_for(ending, 2) == "fin"
