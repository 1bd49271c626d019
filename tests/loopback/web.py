"""A tiny HTTP/1.1 responder with scripted paths, plain or over trustme TLS.

The lab uses nginx; unit tests only need precise, hostile-on-demand behaviour on loopback.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable

Handler = Callable[[str, dict[str, str], asyncio.StreamWriter], Awaitable[None]]


def page(title: str, size: int = 0) -> bytes:
    body = f"<html><head><title>{title}</title></head><body>{'x' * size}</body></html>"
    return body.encode()


async def respond(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    for key, value in (headers or {}).items():
        head += f"{key}: {value}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()


async def default_handler(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
    """Paths: / (a page naming the Host), /to/<path> (302), /loop (302 to itself),
    /big (2 MiB), /trickle (one byte a second), /hugeheaders (200 KiB of headers)."""
    host = headers.get("host", "")
    if path.startswith("/to/"):
        await respond(writer, 302, headers={"Location": path[3:]})
    elif path == "/loop":
        await respond(writer, 302, headers={"Location": "/loop"})
    elif path == "/big":
        await respond(writer, 200, b"a" * (2 << 20))
    elif path == "/hugeheaders":
        await respond(writer, 200, b"ok", {f"X-Pad-{i}": "p" * 1000 for i in range(200)})
    elif path == "/trickle":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100000):
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(1)
    else:
        await respond(writer, 200, page(f"Hello {host}"), {"Server": "loopback"})


async def serve_http(
    handler: Handler = default_handler, tls: ssl.SSLContext | None = None
) -> tuple[asyncio.Server, int]:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            }
            await handler(path, headers, writer)
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0, ssl=tls)
    return server, server.sockets[0].getsockname()[1]


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a RST (linger 0), as a censor's injected reset arrives; a plain abort is a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def serve_raw(behaviour: str) -> tuple[asyncio.Server, int]:
    """``reset``: RST on accept; ``silent``: accept and say nothing; ``garbage``: junk bytes;
    ``close``: accept then close cleanly (EOF)."""

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if behaviour == "reset":
            await reader.read(1)
            reset(writer)
            return
        if behaviour == "garbage":
            await reader.read(1)
            writer.write(b"this is not a TLS ServerHello\r\n" * 4)
            await writer.drain()
        if behaviour == "silent":
            await asyncio.sleep(3600)
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]
