"""Shared fixtures: a trustme PKI and loopback servers. Nothing here leaves 127.0.0.1.

The probe's CLI defaults name real public services (OONI's helpers, public DoH, DNS geolocation).
Every test starts with them turned off or pointed at loopback in the environment, which
subprocesses inherit, and a guard fails any test in which a default control's name is looked up
anyway.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme

from probe.control.defaults import OFF, default_hosts
from probe.options import (
    ENV_DOH_URLS,
    ENV_GEOIP_ASN_ZONE,
    ENV_GEOIP_MYADDR,
    ENV_GEOIP_NAME_ZONE,
    ENV_HELPER_URL,
)

NAMES = ["example.test", "two.test", "localhost", "127.0.0.1"]
CONTROLS_OFF = {
    ENV_HELPER_URL: OFF,
    ENV_DOH_URLS: OFF,
    # Geolocation asks Google's and Team Cymru's DNS by default: a forgotten --no-geoip now asks
    # the discard port on loopback for names that exist nowhere, and gets AS0/ZZ.
    ENV_GEOIP_MYADDR: "myaddr.invalid@127.0.0.1:9",
    ENV_GEOIP_ASN_ZONE: "asn.invalid",
    ENV_GEOIP_NAME_ZONE: "name.invalid",
}


@dataclass
class DefaultEndpointGuard:
    """Refuses to resolve a default control's name in this process, and remembers who asked."""

    hosts: frozenset[str]
    contacted: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, real: Any) -> Any:
        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name.lower().rstrip(".") in self.hosts:
                with self._lock:
                    self.contacted.append(name)
                raise socket.gaierror(socket.EAI_NONAME, "a test may not resolve a default control")
            return real(host, *args, **kwargs)

        return getaddrinfo


GUARD = DefaultEndpointGuard(default_hosts())
_saved: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Before collection, so module-level code and fixtures of every scope are covered too.

    Every connection to a named control starts with resolving its name, in-process through
    ``socket.getaddrinfo`` (httpx, asyncio and ``socket.create_connection`` all call it).
    """
    _saved.update({name: os.environ.get(name) for name in CONTROLS_OFF})
    _saved["getaddrinfo"] = socket.getaddrinfo
    os.environ.update(CONTROLS_OFF)
    socket.getaddrinfo = GUARD.wrap(socket.getaddrinfo)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if GUARD.contacted:
        print(f"\na test tried to reach default controls: {sorted(set(GUARD.contacted))}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.getaddrinfo = _saved.pop("getaddrinfo", socket.getaddrinfo)
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def default_endpoint_guard() -> Iterator[DefaultEndpointGuard]:
    """Fails the test during which a default control was looked up (a fixture of a wider scope
    that did it fails the test it was set up for; one tearing down last fails the session)."""
    yield GUARD
    if GUARD.contacted:
        contacted = sorted(set(GUARD.contacted))
        GUARD.contacted.clear()
        pytest.fail(f"a test tried to reach default controls: {contacted}")


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
def refusing_ports() -> Iterator[Callable[[], int]]:
    """Makes loopback ports that refuse connections until the test ends.

    Each is held by a socket that is bound but never listens: the kernel answers a SYN with a
    RST, and no server started later in the test can be given the port. A port bound and then
    released can be (CI once saw a "closed" helper URL answer as the good one)."""
    held: list[socket.socket] = []

    def make() -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        held.append(sock)
        return int(sock.getsockname()[1])

    yield make
    for sock in held:
        sock.close()


@pytest.fixture
def closed_port(refusing_ports: Callable[[], int]) -> int:
    """One loopback port that refuses connections for the whole test."""
    return refusing_ports()


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
