"""``sni-throttle`` at socket level: only flows whose ClientHello names the domain are shaped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.labkit import http_get, needs_root
from probe.lab import netns, scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
THROTTLED = "twitter.com"
NEIGHBOUR = "www.example.org"
SIZE = 256 * 1024
RATE_BITS = 1_000_000
"""1 mbit/s: 256 KiB take about two seconds, where unshaped they take milliseconds."""


@pytest.fixture(scope="module")
def shaped() -> Iterator[Lab]:
    # Both on the lab's CDN, so the throttled name's address serves the neighbour too; dual-stack,
    # so the same holds over IPv6.
    sites = [
        {"domain": d, "body_bytes": SIZE, "cdn": True, "ipv6": True} for d in (THROTTLED, NEIGHBOUR)
    ]
    rule = {"action": "sni-throttle", "domains": [THROTTLED], "rate": "1mbit"}
    data = {"name": "sni-throttle", "site": sites, "rule": [rule]}
    with running(scenario.parse(data, Path("sni-throttle.toml"))) as lab:
        yield lab


def _download(lab: Lab, name: str, v6: bool = False) -> float:
    """Bytes per second of a whole HTTPS fetch of ``name`` from the throttled name's address."""
    address = (lab.addresses6 if v6 else lab.addresses)[THROTTLED]
    start = time.monotonic()
    response = http_get(lab, address, name, tls=True)
    seconds = time.monotonic() - start
    assert len(response) > SIZE and response.rstrip().endswith(b"</html>")
    return len(response) / seconds


def _shaped_bytes(lab: Lab) -> int:
    """Bytes through the shaped class, once the last packets of earlier flows (the server's
    final ACK, 66 bytes) have passed."""
    seen = -1
    while True:
        out = netns.sh(["tc", "-s", "class", "show", "dev", "eth0"], ns=lab.ns("censor"))
        sent = int(out.split("class htb 1:2 ")[1].split("Sent ")[1].split(" bytes")[0])
        if sent == seen:
            return sent
        seen = sent
        time.sleep(0.3)


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_only_the_named_flows_are_shaped_to_the_rate(shaped: Lab, v6: bool) -> None:
    before = _shaped_bytes(shaped)
    neighbour = _download(shaped, NEIGHBOUR, v6)
    assert _shaped_bytes(shaped) == before  # same address, another name: not shaped
    throttled = _download(shaped, THROTTLED, v6)
    assert _shaped_bytes(shaped) - before > SIZE  # the download went through the class
    assert neighbour >= 5 * throttled
    # A slow machine only lowers both rates; the shaper keeps the throttled one near its rate.
    assert throttled * 8 < 1.5 * RATE_BITS


def test_uploads_and_other_addresses_are_not_shaped(shaped: Lab) -> None:
    before = _shaped_bytes(shaped)
    response = http_get(shaped, shaped.addresses[NEIGHBOUR], NEIGHBOUR, tls=True)
    assert len(response) > SIZE
    assert _shaped_bytes(shaped) == before
    out = netns.sh(["tc", "qdisc", "show", "dev", "eth1"], ns=shaped.ns("censor"))
    assert "htb" not in out
