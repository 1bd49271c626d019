"""``probability`` at socket level: a rule at 0.5 hits some flows and spares others, and it
decides once per flow: a flow it drops stays dropped, one it spares carries its whole exchange."""

from __future__ import annotations

import errno
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.labkit import lab_tls_handshake_outcome, needs_root
from probe.lab import netns, scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
BLOCKED = "www.tumblr.com"
DROPPED = "vimeo.com"
RESET = "www.facebook.com"
FLOWS = 40
WAIT = 4.0
"""Long enough for two SYN retransmissions (at 1 s and 3 s): a per-packet draw would let 7 in 8
of the flows through by then, a per-flow draw about half."""


@pytest.fixture(scope="module")
def half() -> Iterator[Lab]:
    rules = [
        {"action": "sni-reset", "domains": [BLOCKED], "probability": 0.5},
        {"action": "ip-drop", "domains": [DROPPED], "probability": 0.5},
        {"action": "ip-reset", "domains": [RESET], "probability": 0.5},
    ]
    loaded = scenario.parse({"name": "half", "rule": rules}, Path("half.toml"))
    with running(loaded) as lab:
        yield lab


def test_half_of_the_flows_are_reset(half: Lab) -> None:
    address = half.addresses[BLOCKED]
    outcomes = [lab_tls_handshake_outcome(half, address, BLOCKED) for _ in range(FLOWS)]
    # 40 fair coins all landing the same way: 2 in 2**40.
    assert 0 < outcomes.count("reset") < FLOWS
    assert set(outcomes) == {"reset", "ok"}


def _connect_all(lab: Lab, address: str) -> dict[str, list[socket.socket]]:
    """Open FLOWS connections at once; sort them by outcome after WAIT seconds."""
    with netns.inside(lab.ns("client")):
        socks = [socket.socket() for _ in range(FLOWS)]
    for sock in socks:
        sock.setblocking(False)
        assert sock.connect_ex((address, 80)) == errno.EINPROGRESS
    outcomes: dict[str, list[socket.socket]] = {"ok": [], "refused": [], "timeout": []}
    pending = list(socks)
    deadline = time.monotonic() + WAIT
    while pending and (left := deadline - time.monotonic()) > 0:
        for sock in select.select([], pending, [], left)[1]:
            pending.remove(sock)
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            name = {0: "ok", errno.ECONNREFUSED: "refused"}.get(code) or errno.errorcode.get(
                code, str(code)
            )
            outcomes.setdefault(name, []).append(sock)
    outcomes["timeout"] = pending
    return outcomes


def _fetches(sock: socket.socket, host: str) -> bool:
    sock.setblocking(True)
    sock.settimeout(2.0)
    sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    response = b""
    while chunk := sock.recv(65536):
        response += chunk
    return response.rstrip().endswith(b"</html>")


@pytest.mark.parametrize(("domain", "failure"), [(DROPPED, "timeout"), (RESET, "refused")])
def test_address_rules_pick_whole_flows(half: Lab, domain: str, failure: str) -> None:
    outcomes = _connect_all(half, half.addresses[domain])
    try:
        assert set(outcomes) == {"ok", "refused", "timeout"}  # no other error
        failed, ok = len(outcomes[failure]), len(outcomes["ok"])
        assert ok + failed == FLOWS
        # Per flow, failures follow Binomial(40, 0.5): below 10 or above 30 is under 1 in 1000.
        assert 10 <= failed <= 30, outcomes
        # A spared flow is spared for good: its whole exchange goes through.
        assert all(_fetches(sock, domain) for sock in outcomes["ok"])
    finally:
        for socks in outcomes.values():
            for sock in socks:
                sock.close()
