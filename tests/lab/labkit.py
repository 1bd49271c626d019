"""Socket-level tools for lab tests: each opens its socket inside a lab namespace.

They use plain sockets, ssl and dnspython, never the probe, so a test built on them shows what
the censor does independently of the code under test.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rcode
import pytest

from probe.lab import netns, scenario
from probe.lab.lab import Lab, running

TIMEOUT = 2.0
"""Long enough for any exchange in the lab (sub-millisecond links), short enough for drops."""

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the lab needs root (network namespaces); CI runs as root"
)


@contextmanager
def shipped_lab(name: str) -> Iterator[Lab]:
    with running(scenario.load(scenario.shipped()[name])) as lab:
        yield lab


@contextmanager
def connection(lab: Lab, address: str, port: int) -> Iterator[socket.socket]:
    with netns.inside(lab.ns("client")):
        sock = socket.create_connection((address, port), timeout=TIMEOUT)
    try:
        yield sock
    finally:
        sock.close()


def tls_context(cafile: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cafile))


def tls_handshake(
    lab: Lab, address: str, sni: str, cafile: Path | None = None, verify: bool = True
) -> ssl.SSLSocket:
    """A finished handshake (caller closes); raises what the censor causes.

    ``verify=False`` accepts any certificate: for SNIs the lab does not serve, where only getting
    through the censor matters.
    """
    context = tls_context(cafile or lab.web_root_pem)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with netns.inside(lab.ns("client")):
        raw = socket.create_connection((address, 443), timeout=TIMEOUT)
    try:
        return context.wrap_socket(raw, server_hostname=sni)
    except BaseException:
        raw.close()
        raise


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def http_get(lab: Lab, address: str, host: str, tls: bool = False) -> bytes:
    """Raw response to ``GET /`` with ``Host: host`` (Connection: close)."""
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    if tls:
        with tls_handshake(lab, address, host) as sock:
            sock.sendall(request)
            return _read_all(sock)
    with connection(lab, address, 80) as sock:
        sock.sendall(request)
        return _read_all(sock)


def title(response: bytes) -> str:
    text = response.decode("utf-8", "replace")
    start = text.find("<title>") + len("<title>")
    return text[start : text.find("</title>")]


def resolve(lab: Lab, server: str, name: str, qtype: str = "A") -> tuple[str, list[str]]:
    """(rcode, addresses) for one UDP query; raises dns.exception.Timeout on silence."""
    with netns.inside(lab.ns("client")):
        response = dns.query.udp(dns.message.make_query(name, qtype), server, timeout=TIMEOUT)
    addresses = [r.to_text() for rrset in response.answer for r in rrset]
    return dns.rcode.to_text(response.rcode()), addresses


def all_responses(lab: Lab, server: str, name: str, wait: float = 1.0) -> list[list[str]]:
    """Every answer that arrives for one query within ``wait`` seconds, in arrival order."""
    query = dns.message.make_query(name, "A")
    with netns.inside(lab.ns("client")):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answers: list[list[str]] = []
    with sock:
        sock.settimeout(wait)
        sock.sendto(query.to_wire(), (server, 53))
        while True:
            try:
                wire = sock.recv(4096)
            except TimeoutError:
                return answers
            reply = dns.message.from_wire(wire)
            answers.append([r.to_text() for rrset in reply.answer for r in rrset])


def lab_fixture(scenario_name: str) -> Any:
    """A module-scoped fixture named after the shipped scenario (``ip-drop`` -> ``ip_drop``):
    one lab per test module, shared by its tests."""

    @pytest.fixture(scope="module", name=scenario_name.replace("-", "_"))
    def fixture() -> Iterator[Lab]:
        with shipped_lab(scenario_name) as lab:
            yield lab

    return fixture


def lab_tls_handshake_outcome(lab: Lab, address: str, sni: str) -> str:
    """ "reset" when the censor resets the handshake, "ok" when it completes."""
    try:
        tls_handshake(lab, address, sni).close()
    except ConnectionResetError:
        return "reset"
    return "ok"
