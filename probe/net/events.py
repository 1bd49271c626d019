"""Network events (df-008): each connect, read and write of a measurement, with its timing.

A nettest opens a :func:`recording` around what it measures; the network steps underneath
(``tcp.connect``, the streams' reads and writes, the TLS handshake, the HTTP exchange) add their
events to it without being handed it, through a context variable, so tasks a measurement starts
record into its trace and concurrent measurements never mix. Outside a recording nothing is kept.
The events are what OONI's pipeline reads to see *when* bytes stopped flowing (throttling, a
reset in the middle of a transfer), which the per-step records do not show.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

CONNECT = "connect"
READ = "read"
WRITE = "write"
TLS_HANDSHAKE_START = "tls_handshake_start"
TLS_HANDSHAKE_DONE = "tls_handshake_done"
HTTP_TRANSACTION_START = "http_transaction_start"
HTTP_TRANSACTION_DONE = "http_transaction_done"
"""The operation names OONI's engine writes (df-008 and netxlite)."""


@dataclass
class Trace:
    """The events of one measurement; times are seconds since ``t_zero`` (the loop's clock)."""

    t_zero: float
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        operation: str,
        address: str,
        failure: str | None,
        t0: float,
        t: float,
        num_bytes: int | None = None,
    ) -> None:
        event: dict[str, Any] = {
            "address": address,
            "failure": failure,
            "operation": operation,
            "proto": "tcp",
            "t0": round(t0 - self.t_zero, 6),
            "t": round(t - self.t_zero, 6),
            "tags": [],
        }
        if num_bytes is not None:
            event["num_bytes"] = num_bytes
        self.events.append(event)


_CURRENT: ContextVar[Trace | None] = ContextVar("probe_network_events", default=None)


@contextmanager
def recording(t_zero: float) -> Iterator[Trace]:
    """Record the events of the steps run inside the ``with`` block (and the tasks it starts)."""
    trace = Trace(t_zero)
    token = _CURRENT.set(trace)
    try:
        yield trace
    finally:
        _CURRENT.reset(token)


def note(
    operation: str,
    address: str,
    failure: str | None,
    started: float,
    num_bytes: int | None = None,
) -> None:
    """Add one event that began at ``started`` (loop time) and ends now, if recording."""
    trace = _CURRENT.get()
    if trace is not None:
        now = asyncio.get_running_loop().time()
        trace.add(operation, address, failure, started, now, num_bytes)


def endpoint(ip: str, port: int) -> str:
    """``ip:port`` with brackets for IPv6, as OONI writes addresses."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def peer(sock: socket.socket) -> str:
    """The endpoint a socket is connected to; "" when it is not connected, or when nothing
    records (which spares a system call per read)."""
    if _CURRENT.get() is None:
        return ""
    try:
        ip, port, *_ = sock.getpeername()
    except OSError:
        return ""
    return endpoint(str(ip), int(port))
