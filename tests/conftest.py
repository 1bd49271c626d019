"""Shared fixtures: a trustme PKI and loopback servers. Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

NAMES = ["example.test", "two.test", "localhost", "127.0.0.1"]


@dataclass
class PKI:
    ca: trustme.CA
    bundle: Path
    good: ssl.SSLContext
    wrong_name: ssl.SSLContext
    expired: ssl.SSLContext
    unknown_ca: ssl.SSLContext


def _server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PKI]:
    ca = trustme.CA()
    bundle = tmp_path_factory.mktemp("pki") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    yield PKI(
        ca=ca,
        bundle=bundle,
        good=_server_context(ca.issue_cert(*NAMES)),
        wrong_name=_server_context(ca.issue_cert("other.test")),
        expired=_server_context(
            ca.issue_cert(*NAMES, not_before=past, not_after=past + datetime.timedelta(days=1))
        ),
        unknown_ca=_server_context(trustme.CA().issue_cert(*NAMES)),
    )


@pytest.fixture
async def servers() -> AsyncIterator[list[object]]:
    """Collects servers started by a test and closes them afterwards."""
    started: list[object] = []
    yield started
    for server in started:
        close = server.close
        close()


@pytest.fixture
def blackhole_port() -> Iterator[int]:
    """A loopback port whose SYNs go unanswered: its accept queue is full and never drained."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()
