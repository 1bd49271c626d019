"""The probe learns its own addresses from its interfaces and from every socket it opens."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest

from probe.net.own_addresses import OwnAddresses, interface_addresses, own_candidate


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("198.51.100.23", "198.51.100.23"),
        ("[2001:DB8::5]", "2001:db8::5"),
        ("fe80::fc:ff:fe00:1%eth0", "fe80::fc:ff:fe00:1"),  # link-local holds the MAC: kept
        ("::ffff:192.0.2.5", "192.0.2.5"),
        ("10.1.2.3", "10.1.2.3"),
        ("127.0.0.1", None),  # identifies nobody; a censor's 127.0.0.1 answer is evidence
        ("::1", None),
        ("0.0.0.0", None),
        ("0.1.2.3", None),
        ("::", None),
        ("224.0.0.1", None),
        ("not an address", None),
    ],
)
def test_candidates(address: str, expected: str | None) -> None:
    assert own_candidate(address) == expected


def test_interfaces_are_read_with_both_families() -> None:
    found = interface_addresses()
    assert "127.0.0.1" in found  # every machine has lo; the collector itself leaves it out
    assert all(own_candidate(a) is None or ":" in a or "." in a for a in found)
    assert "127.0.0.1" not in OwnAddresses(found).snapshot()


def test_a_loopback_socket_teaches_nothing() -> None:
    own = OwnAddresses()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()) as client:
            own.note_socket(client)
    own.note_socket(socket.socket())  # never connected: nothing to learn, no error
    assert own.snapshot() == frozenset()


NETNS_SCRIPT = textwrap.dedent(
    """
    import asyncio, socket, subprocess
    from probe.net import dns, tcp
    from probe.net.own_addresses import OwnAddresses

    def ip(*args):
        subprocess.run(["ip", *args], check=True)

    ip("link", "set", "lo", "up")
    ip("addr", "add", "192.0.2.5/32", "dev", "lo")
    ip("addr", "add", "203.0.113.7/32", "dev", "lo")
    ip("-6", "addr", "add", "2001:db8::5/128", "dev", "lo", "nodad")

    async def main():
        own = OwnAddresses()
        for family, host in ((socket.AF_INET, "192.0.2.5"), (socket.AF_INET6, "2001:db8::5")):
            server = await asyncio.start_server(lambda r, w: w.close(), host, 0, family=family)
            port = server.sockets[0].getsockname()[1]
            _, stream = await tcp.connect(host, port, 2.0, 0.0, own)
            await stream.aclose()
            server.close()
        await dns.udp_query("x.test", "A", "203.0.113.7:9", 0.2, 0.0, own=own)
        print(",".join(sorted(own.snapshot())))

    asyncio.run(main())
    """
)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root")
def test_the_local_address_of_every_socket_is_learned() -> None:
    # A private network namespace whose only link is its loopback, carrying TEST-NET addresses:
    # a connection there goes out from them, as from a volunteer's public address.
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", NETNS_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "192.0.2.5,2001:db8::5,203.0.113.7"  # TCP, TCP, DNS
