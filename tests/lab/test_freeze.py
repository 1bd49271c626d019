"""``freeze`` at socket level: a flow carries its first bytes from the server, then stalls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.labkit import connection, http_get, needs_root
from probe.lab import scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
FROZEN = "www.tumblr.com"
LIMIT = 16384
OTHER = "www.example.org"


@pytest.fixture(scope="module")
def frozen() -> Iterator[Lab]:
    rule = {"action": "freeze", "domains": [FROZEN], "bytes": LIMIT}
    sites = [{"domain": d, "body_bytes": 4 * LIMIT} for d in (FROZEN, OTHER)]
    data = {"name": "freeze", "site": sites, "rule": [rule]}
    loaded = scenario.parse(data, Path("freeze.toml"))
    with running(loaded) as lab:
        yield lab


def test_the_flow_stalls_after_the_first_bytes(frozen: Lab) -> None:
    address = frozen.addresses[FROZEN]
    with connection(frozen, address, 80) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {FROZEN}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        with pytest.raises(TimeoutError):
            while chunk := sock.recv(65536):
                received += chunk
    assert LIMIT // 2 < len(received) <= LIMIT  # IP and TCP headers count too
    assert received.startswith(b"HTTP/1.1 200")


def test_other_addresses_are_not_frozen(frozen: Lab) -> None:
    response = http_get(frozen, frozen.addresses[OTHER], OTHER)
    assert len(response) > 4 * LIMIT
    assert response.rstrip().endswith(b"</html>")
