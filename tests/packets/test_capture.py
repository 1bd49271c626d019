"""Packet capture around real exchanges on loopback (root): what the kernel's sockets hide."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress

import pytest
from lab.labkit import needs_root

from probe.analysis.packets import judge_resets
from probe.net.raw.capture import Capture
from probe.net.raw.exchange import Timing, exchange
from probe.net.rst_forensics import inspect_endpoint

pytestmark = needs_root
LOOPBACK = "127.0.0.1"
TIMING = Timing(connect=2.0, wait=2.0, grace=0.1)


def _server(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    listener = socket.create_server((LOOPBACK, 0))
    listener.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn, suppress(OSError):  # a reference connection is reset before it says anything
            conn.settimeout(5)
            handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    thread.join(timeout=5)
    listener.close()


def _answer_and_close(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.sendall(b"hello")


def _reset(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _silent(conn: socket.socket) -> None:
    """Read the trigger, answer nothing, and record how the client left."""
    conn.recv(1024)
    try:
        while conn.recv(1024):
            pass
        LEFT.append("fin")
    except ConnectionResetError:
        LEFT.append("rst")


LEFT: list[str] = []


@pytest.fixture
def silent() -> Iterator[int]:
    LEFT.clear()
    yield from _server(_silent)


@pytest.fixture
def answering() -> Iterator[int]:
    yield from _server(_answer_and_close)


@pytest.fixture
def resetting() -> Iterator[int]:
    yield from _server(_reset)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])  # released: nothing listens there now


def test_an_answered_exchange_shows_syn_ack_data_and_fin(answering: int) -> None:
    with Capture(LOOPBACK) as capture:
        seen = exchange(capture, answering, b"hi", TIMING, ttl=5)
    assert seen.failure is None and seen.ttl == 5
    assert seen.syn_ack is not None and seen.syn_ack.flags == "SA"
    assert seen.syn_ack.ip_ttl == 64  # loopback: no router decrements it
    assert [p.payload_len for p in seen.packets if p.payload_len] == [5]
    assert any("F" in p.flags for p in seen.packets)
    assert seen.time_exceeded == () and seen.reached_endpoint


def test_a_refused_connect_keeps_the_rst(closed_port: int) -> None:
    with Capture(LOOPBACK) as capture:
        seen = exchange(capture, closed_port, b"hi", TIMING)
    assert seen.failure == "connection_refused" and seen.syn_ack is None
    assert [p.flags for p in seen.packets] == ["RA"]
    assert seen.reached_endpoint


def test_the_servers_own_reset_is_not_flagged(resetting: int) -> None:
    record = inspect_endpoint(LOOPBACK, resetting, b"GET / HTTP/1.1\r\n\r\n", TIMING)
    assert record["failure"] is None and record["reference"] is None
    verdicts = judge_resets(record)
    assert len(verdicts) == 1
    assert verdicts[0]["likely_injected"] is False and verdicts[0]["ip_ttl"] == 64


def test_a_closed_port_is_compared_with_the_reference_port(
    closed_port: int, answering: int
) -> None:
    record = inspect_endpoint(LOOPBACK, closed_port, b"", TIMING, reference_port=answering)
    assert record["exchange"]["failure"] == "connection_refused"
    assert record["reference"]["syn_ack"]["ip_ttl"] == 64
    assert [v["likely_injected"] for v in judge_resets(record)] == [False]


def test_an_unanswered_exchange_ends_with_a_reset_not_retransmissions(silent: int) -> None:
    """Nothing answers the trigger; closing must not leave the kernel sending it again."""
    with Capture(LOOPBACK) as capture:
        seen = exchange(capture, silent, b"hi", Timing(connect=2.0, wait=0.3, grace=0.1), ttl=5)
    assert seen.failure is None and not seen.reached_endpoint  # the kernel's ACK, nothing more
    for _ in range(50):
        if LEFT:
            break
        time.sleep(0.05)
    assert LEFT == ["rst"]
