from __future__ import annotations

import asyncio

import dns.message as dns_message
import dns.rrset as dns_rrset
import pytest
from loopback import dns_server
from loopback.dns_server import Zone

from probe.net import dns, errors


@pytest.fixture
async def resolver(servers: list[object]) -> tuple[Zone, str]:
    zone = Zone(
        {
            "ok.test": ["127.0.0.2", "127.0.0.3", "::1"],
            "nx.test": dns_server.NXDOMAIN,
            "refused.test": dns_server.REFUSED,
            "servfail.test": dns_server.SERVFAIL,
            "silent.test": dns_server.SILENT,
            "wrongid.test": dns_server.WRONG_ID,
            "malformed.test": dns_server.MALFORMED,
            "truncated.test": dns_server.TRUNCATED,
            "v4only.test": ["127.0.0.9"],
        }
    )
    transport, address = await dns_server.serve(zone)
    servers.append(transport)
    return zone, address


async def query(address: str, name: str, qtype: str = "A", timeout: float = 1.0) -> dns.Query:
    return await dns.udp_query(name, qtype, address, timeout, asyncio.get_running_loop().time())


async def test_answers_keep_ttl_and_rcode(resolver: tuple[Zone, str]) -> None:
    _, address = resolver
    q = await query(address, "ok.test")
    assert q.failure is None
    assert q.rcode == "NOERROR"
    assert sorted(q.addresses()) == ["127.0.0.2", "127.0.0.3"]
    record = q.as_ooni()
    assert {"answer_type": "A", "ipv4": "127.0.0.2", "ttl": 300} in record["answers"]
    assert record["engine"] == "udp" and record["resolver_address"] == address
    assert record["t"] >= record["t0"] >= 0


async def test_aaaa_answer_uses_ipv6_key(resolver: tuple[Zone, str]) -> None:
    _, address = resolver
    q = await query(address, "ok.test", "AAAA")
    assert q.as_ooni()["answers"] == [{"answer_type": "AAAA", "ipv6": "::1", "ttl": 300}]


@pytest.mark.parametrize(
    ("name", "qtype", "failure", "rcode"),
    [
        ("nx.test", "A", errors.DNS_NXDOMAIN, "NXDOMAIN"),
        ("refused.test", "A", errors.DNS_REFUSED, "REFUSED"),
        ("servfail.test", "A", errors.DNS_SERVFAIL, "SERVFAIL"),
        ("v4only.test", "AAAA", errors.DNS_NO_ANSWER, "NOERROR"),
    ],
)
async def test_rcode_failures(
    resolver: tuple[Zone, str], name: str, qtype: str, failure: str, rcode: str
) -> None:
    _, address = resolver
    q = await query(address, name, qtype)
    assert (q.failure, q.rcode, q.answers) == (failure, rcode, ())


@pytest.mark.parametrize("name", ["silent.test", "wrongid.test", "malformed.test"])
async def test_silence_and_junk_replies_time_out(resolver: tuple[Zone, str], name: str) -> None:
    """Wrong-ID and malformed replies are skipped like a stub resolver does, never a crash."""
    zone, address = resolver
    q = await query(address, name, timeout=0.3)
    assert q.failure == errors.GENERIC_TIMEOUT
    assert q.answers == ()
    assert (name, "A") in zone.queries


async def test_truncated_reply_retries_over_tcp(resolver: tuple[Zone, str]) -> None:
    _, address = resolver
    q = await query(address, "truncated.test")
    # The loopback server has no TCP listener, so the retry is refused; the flag is recorded.
    assert q.extra == {"x_truncated": True}
    assert q.failure == errors.CONNECTION_REFUSED


async def test_getaddrinfo_is_one_any_query_with_both_families() -> None:
    queries = await dns.getaddrinfo("localhost", 2.0, asyncio.get_running_loop().time())
    assert [(q.query_type, q.engine) for q in queries] == [("ANY", "getaddrinfo")]
    assert "127.0.0.1" in queries[0].addresses()
    record = queries[0].as_ooni()
    assert {a["answer_type"] for a in record["answers"]} <= {"A", "AAAA"}
    assert all(a["ttl"] is None for a in record["answers"])


async def test_getaddrinfo_failure_is_classified() -> None:
    # A syntactically invalid name fails inside the resolver library, with no query sent.
    queries = await dns.getaddrinfo("bad..name", 2.0, asyncio.get_running_loop().time())
    assert {q.failure for q in queries} == {errors.DNS_NON_RECOVERABLE}


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("192.0.2.1", ("192.0.2.1", 53)),
        ("192.0.2.1:5353", ("192.0.2.1", 5353)),
        ("[::1]:53", ("::1", 53)),
        ("::1", ("::1", 53)),
    ],
)
def test_split_hostport(text: str, parsed: tuple[str, int]) -> None:
    assert dns.split_hostport(text, 53) == parsed


async def test_a_late_second_reply_is_kept_when_lingering(servers: list[object]) -> None:
    """An injector's forged answer wins the race; the real one arrives later and is recorded."""
    loop = asyncio.get_running_loop()

    class Injected(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            query = dns_message.from_wire(data)
            for address, delay in (("10.10.34.35", 0.0), ("127.0.0.7", 0.05)):
                reply = dns_message.make_response(query)
                reply.answer.append(
                    dns_rrset.from_text(query.question[0].name, 60, "IN", "A", address)
                )
                loop.call_later(delay, self.transport.sendto, reply.to_wire(), addr)  # type: ignore[attr-defined]

    transport, _ = await loop.create_datagram_endpoint(Injected, local_addr=("127.0.0.1", 0))
    servers.append(transport)
    address = f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"
    lingering: list[dns.Exchange] = []
    q = await dns.udp_query("inject.test", "A", address, 1.0, loop.time(), lingering)
    assert q.addresses() == ["10.10.34.35"]
    await asyncio.sleep(0.2)
    for exchange in lingering:
        exchange.close()
    assert q.as_ooni()["x_late_answers"] == [{"answer_type": "A", "ipv4": "127.0.0.7", "ttl": 60}]
    # Without lingering the socket closes at once and nothing late is recorded.
    q = await dns.udp_query("inject.test", "A", address, 1.0, loop.time())
    await asyncio.sleep(0.2)
    assert "x_late_answers" not in q.as_ooni()
