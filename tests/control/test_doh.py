"""DoH against a loopback responder over trustme TLS; answers come from the loopback Zone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import dns.message
import pytest
from conftest import PKI
from loopback.dns_server import Zone

from probe.control.doh import ENGINE, HTTP_REQUEST_FAILED, doh_query
from probe.helper.http11 import Incoming, Reply, start
from probe.net import errors

Responder = Callable[[Incoming], Reply]


def zone_responder(zone: Zone, seen: list[Incoming]) -> Responder:
    def answer(incoming: Incoming) -> Reply:
        seen.append(incoming)
        if incoming.target != "/dns-query":
            return Reply(404)
        return Reply(200, zone.reply(incoming.body) or b"", "application/dns-message")

    return answer


@pytest.fixture
async def doh(pki: PKI) -> AsyncIterator[tuple[str, list[Responder], list[Incoming]]]:
    """A DoH server whose behaviour a test sets by appending a responder."""
    seen: list[Incoming] = []
    responders: list[Responder] = [
        zone_responder(
            Zone({"example.test": ["203.0.113.10", "2001:db8::10"], "v4.test": ["203.0.113.11"]}),
            seen,
        )
    ]

    async def handler(incoming: Incoming) -> Reply:
        return responders[-1](incoming)

    server = await start(handler, "127.0.0.1", 0, max_body=4096, read_timeout=5, tls=pki.good)
    port = server.sockets[0].getsockname()[1]
    yield f"https://localhost:{port}/dns-query", responders, seen
    server.close()
    await server.wait_closed()


def now() -> float:
    return asyncio.get_running_loop().time()


async def test_answers_are_recorded_like_a_udp_query(
    pki: PKI, doh: tuple[str, list[Responder], list[Incoming]]
) -> None:
    url, _, seen = doh
    query = await doh_query(url, "example.test", "A", 5.0, now(), ca_bundle=pki.bundle)
    assert query.failure is None
    assert (query.engine, query.resolver_address, query.rcode) == (ENGINE, url, "NOERROR")
    assert query.addresses() == ["203.0.113.10"]
    assert query.answers[0].ttl == 300
    record = query.as_ooni()
    assert record["answers"] == [{"answer_type": "A", "ipv4": "203.0.113.10", "ttl": 300}]
    assert record["engine"] == "doh"
    sent = seen[0]
    assert sent.method == "POST"
    assert ("content-type", "application/dns-message") in [(k.lower(), v) for k, v in sent.headers]
    assert dns.message.from_wire(sent.body).id == 0
    six = await doh_query(url, "example.test", "AAAA", 5.0, now(), ca_bundle=pki.bundle)
    assert six.addresses() == ["2001:db8::10"]


async def test_rcode_and_empty_answers(
    pki: PKI, doh: tuple[str, list[Responder], list[Incoming]]
) -> None:
    url = doh[0]
    nx = await doh_query(url, "missing.test", "A", 5.0, now(), ca_bundle=pki.bundle)
    assert (nx.failure, nx.rcode) == (errors.DNS_NXDOMAIN, "NXDOMAIN")
    empty = await doh_query(url, "v4.test", "AAAA", 5.0, now(), ca_bundle=pki.bundle)
    assert (empty.failure, empty.rcode) == (errors.DNS_NO_ANSWER, "NOERROR")


@pytest.mark.parametrize(
    ("reply", "failure"),
    [
        (Reply(500, b"oops", "text/plain"), HTTP_REQUEST_FAILED),
        (Reply(200, b"<html>blocked</html>", "text/html"), errors.DNS_REPLY_MALFORMED),
        (Reply(200, b"\x00\x01garbage", "application/dns-message"), errors.DNS_REPLY_MALFORMED),
    ],
)
async def test_server_trouble_is_a_failure(
    pki: PKI, doh: tuple[str, list[Responder], list[Incoming]], reply: Reply, failure: str
) -> None:
    url, responders, _ = doh
    responders.append(lambda incoming: reply)
    query = await doh_query(url, "example.test", "A", 5.0, now(), ca_bundle=pki.bundle)
    assert (query.failure, query.answers) == (failure, ())


async def test_reply_to_another_question_is_malformed(
    pki: PKI, doh: tuple[str, list[Responder], list[Incoming]]
) -> None:
    url, responders, _ = doh
    other = dns.message.make_response(dns.message.make_query("other.test", "A")).to_wire()
    responders.append(lambda incoming: Reply(200, other, "application/dns-message"))
    query = await doh_query(url, "example.test", "A", 5.0, now(), ca_bundle=pki.bundle)
    assert query.failure == errors.DNS_REPLY_MALFORMED


async def test_untrusted_doh_server_fails_tls(
    doh: tuple[str, list[Responder], list[Incoming]],
) -> None:
    url, _, seen = doh
    query = await doh_query(url, "example.test", "A", 5.0, now())  # certifi: trustme is unknown
    assert query.failure == errors.SSL_UNKNOWN_AUTHORITY
    assert seen == []


async def test_unreachable_doh_server() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    query = await doh_query(f"https://127.0.0.1:{port}/dns-query", "example.test", "A", 2.0, now())
    assert query.failure == errors.CONNECTION_REFUSED
