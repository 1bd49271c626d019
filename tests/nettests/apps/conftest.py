"""Fixtures: a loopback resolver and servers standing in for app endpoints and Tor authorities."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct

import pytest
from loopback import dns_server
from loopback.dns_server import Zone

from nettests.apps.stand_ins import Serve


@pytest.fixture
async def resolver(servers: list[object]) -> str:
    """A loopback resolver: every test sets it, so no name is ever resolved off the machine."""
    zone = Zone(
        {
            "example.test": ["127.0.0.1"],
            "nx.test": dns_server.NXDOMAIN,
            "bogon.test": ["10.10.34.35"],
        }
    )
    transport, address = await dns_server.serve(zone)
    servers.append(transport)
    return address


@pytest.fixture
def serve(servers: list[object]) -> Serve:
    """Start a server on a loopback address: ``body`` answers any request, ``tls`` wraps it,
    ``reset`` sends RST on the first byte."""

    async def start(
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        body: bytes | None = None,
        reset: bool = False,
    ) -> int:
        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                if reset:
                    await reader.read(1)
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                if body is not None:
                    await reader.readuntil(b"\r\n\r\n")
                    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n"
                    writer.write(head.encode() + body)
                    await writer.drain()
                else:
                    await reader.read(1)
            except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(on_client, host, 0, ssl=tls)
        servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    return start
