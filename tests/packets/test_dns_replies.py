"""Every reply to one query, on loopback: a racing forgery and the genuine answer both count."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import dns.message
import dns.rrset
import pytest

from packets.kit import packet_settings
from probe.analysis.packets import dns_injection
from probe.net.raw.dns_responses import all_replies
from probe.nettests import dns_injection as nettest
from probe.nettests.session import Session
from probe.settings import Timeouts

NAME = "www.azattyq.org"
FORGED, GENUINE = "10.10.34.35", "203.0.113.10"
WINDOW = 0.5


def _reply(query: dns.message.Message, address: str) -> bytes:
    reply = dns.message.make_response(query)
    reply.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A", address))
    return reply.to_wire()


@pytest.fixture
def racing_server() -> Iterator[str]:
    """Answers each query with junk, a reply to another query, the forgery, then the truth."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)

    def serve() -> None:
        try:
            wire, client = sock.recvfrom(4096)
        except OSError:
            return
        query = dns.message.from_wire(wire)
        other = dns.message.make_query(NAME, "A")
        other.id = (query.id + 1) % 65536
        for packet in (b"junk", _reply(other, FORGED), _reply(query, FORGED)):
            sock.sendto(packet, client)
        sock.sendto(_reply(query, GENUINE), client)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback UDP port where nothing answers (bound, so nothing else can take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_every_matching_reply_is_kept_in_order(racing_server: str) -> None:
    host, port = racing_server.split(":")
    found = all_replies(host, int(port), NAME, "A", WINDOW)
    addresses = [[r.to_text() for rrset in m.answer for r in rrset] for _, m in found.replies]
    assert addresses == [[FORGED], [GENUINE]]
    assert found.sent <= found.replies[0][0] <= found.replies[1][0]


def _session(resolver: str, no_dns: str | None) -> Session:
    settings = packet_settings(
        resolver=resolver, no_dns_address=no_dns, timeouts=Timeouts(dns=WINDOW)
    )
    return Session(settings)


async def test_a_reply_where_no_dns_server_runs_is_injected(
    racing_server: str, silent_port: int
) -> None:
    keys = await nettest.measure(
        f"https://{NAME}/", _session(f"127.0.0.1:{silent_port}", racing_server)
    )
    assert keys["injected"] is True
    assert keys["x_no_dns_address"] == racing_server
    at_no_dns, at_resolver = keys["x_dns_duplicate_responses"]
    assert at_no_dns["x_no_dns_server"] is True and at_no_dns["resolver_address"] == racing_server
    assert [r["answers"][0]["ipv4"] for r in at_no_dns["responses"]] == [FORGED, GENUINE]
    assert at_resolver["responses"] == []
    first, silent = keys["queries"]
    assert first["answers"][0]["ipv4"] == FORGED
    assert first["x_late_answers"] == [{"answer_type": "A", "ipv4": GENUINE, "ttl": 60}]
    assert silent["failure"] == "generic_timeout_error" and "x_late_answers" not in silent
    assert dns_injection(keys) is not None


async def test_duplicate_replies_at_the_resolver_prove_injection(
    racing_server: str, silent_port: int
) -> None:
    keys = await nettest.measure(
        f"https://{NAME}/", _session(racing_server, f"127.0.0.1:{silent_port}")
    )
    assert keys["injected"] is False  # the address without a DNS server stayed silent
    evidence = dns_injection(keys)
    assert evidence is not None and f"{FORGED} then {GENUINE}" in evidence


async def test_without_an_address_lacking_dns_injected_is_unknown(racing_server: str) -> None:
    keys = await nettest.measure(f"https://{NAME}/", _session(racing_server, None))
    assert keys["injected"] is None
    assert len(keys["x_dns_duplicate_responses"]) == 1


async def test_an_ip_literal_is_not_queried(silent_port: int) -> None:
    keys = await nettest.measure(
        "https://203.0.113.10/", _session(f"127.0.0.1:{silent_port}", None)
    )
    assert keys["x_failure"] == "not_a_domain_name" and keys["queries"] == []
