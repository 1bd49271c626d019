"""Without raw sockets, every packet test says so clearly instead of raising."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from packets.kit import packet_settings
from probe.net import raw
from probe.net.raw.exchange import Timing
from probe.net.rst_forensics import inspect_endpoint
from probe.nettests.censor_locate import TraceOptions, locate_endpoint
from probe.nettests.session import Session

_real_socket = socket.socket


@pytest.fixture
def no_raw_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_raw(family: int = -1, kind: int = -1, *args: Any) -> socket.socket:
        if kind == socket.SOCK_RAW:
            raise PermissionError(1, "Operation not permitted")
        return _real_socket(family, kind, *args)

    monkeypatch.setattr(socket, "socket", refuse_raw)


@pytest.mark.usefixtures("no_raw_sockets")
def test_forensics_reports_needs_root() -> None:
    record = inspect_endpoint("203.0.113.10", 443, b"", Timing(1, 1, 0.1))
    assert record["failure"] == raw.NEEDS_ROOT
    assert record["failure"].startswith("needs root: ")
    assert record["exchange"] is None


@pytest.mark.usefixtures("no_raw_sockets")
async def test_censor_locate_reports_needs_root_and_sends_nothing() -> None:
    keys = await locate_endpoint(
        "203.0.113.10", 443, "www.tumblr.com", "https", Session(packet_settings()), TraceOptions()
    )
    assert keys["x_failure"] == raw.NEEDS_ROOT
    assert keys["x_test_trace"] == [] and keys["x_control_trace"] == []
    assert keys["x_trigger"] == "tls_sni" and keys["x_address"] == "203.0.113.10:443"
