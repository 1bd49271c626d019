"""``residual`` at socket level: after a banned ClientHello, the server's address is cut off for
a while, whatever the name or port; then it is reachable again."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.labkit import lab_tls_handshake_outcome, needs_root, tls_handshake
from probe.lab import netns, scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
BANNED = "www.tumblr.com"
NEUTRAL = "www.example.org"
WINDOW = 4
"""Seconds: room for two one-second connect attempts inside the window."""


@pytest.fixture(scope="module")
def residual() -> Iterator[Lab]:
    rule = {"action": "sni-reset", "domains": [BANNED], "residual": WINDOW}
    data = {"name": "residual", "rule": [rule], "site": [{"domain": NEUTRAL}]}
    with running(scenario.parse(data, Path("residual.toml"))) as lab:
        yield lab


def _connects(lab: Lab, address: str, port: int) -> bool:
    with netns.inside(lab.ns("client")):
        sock = socket.socket()
    with sock:
        sock.settimeout(1.0)
        try:
            sock.connect((address, port))
        except TimeoutError:
            return False
        return True


def _neutral_handshake(lab: Lab, address: str) -> None:
    """A handshake naming a site this host does not serve: only the censor's verdict matters."""
    tls_handshake(lab, address, NEUTRAL, verify=False).close()


def test_the_address_is_cut_off_for_the_window_after_the_trigger(residual: Lab) -> None:
    address = residual.addresses[BANNED]
    other = residual.addresses[NEUTRAL]
    assert address != other
    _neutral_handshake(residual, address)
    triggered = time.monotonic()
    assert lab_tls_handshake_outcome(residual, address, BANNED) == "reset"
    assert not _connects(residual, address, 443)  # a neutral retry, same port
    assert not _connects(residual, address, 80)  # any port
    assert time.monotonic() - triggered < WINDOW
    assert _connects(residual, other, 443)  # other servers are untouched
    # The list lives in the censor's namespace, so it goes with the lab.
    listed = netns.sh(["cat", "/proc/net/xt_recent/LAB_RESIDUAL1"], ns=residual.ns("censor"))
    assert f"src={address} " in listed
    assert not Path("/proc/net/xt_recent/LAB_RESIDUAL1").exists()
    time.sleep(max(0.0, triggered + WINDOW + 0.5 - time.monotonic()))
    _neutral_handshake(residual, address)
    assert _connects(residual, address, 80)
