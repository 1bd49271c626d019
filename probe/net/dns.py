"""DNS lookups: the system resolver (getaddrinfo) and a direct UDP query with dnspython.

Both engines are recorded because a censor may tamper with one and not the other, and the
raw answers (with TTLs and rcode) are what DNS-consistency analysis needs later.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any, Final

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from probe.net import errors
from probe.net.own_addresses import OwnAddresses

_RCODE_FAILURES = {
    dns.rcode.NXDOMAIN: errors.DNS_NXDOMAIN,
    dns.rcode.REFUSED: errors.DNS_REFUSED,
    dns.rcode.SERVFAIL: errors.DNS_SERVFAIL,
}


MAX_ANSWERS: Final = 64
"""Answers stored per query (and late answers per query): a reply with 3,000 records must not
make a huge line. Analysis needs the set of addresses, and real names have a handful."""


@dataclass(frozen=True)
class Answer:
    answer_type: str
    value: str
    ttl: int | None

    def as_ooni(self) -> dict[str, Any]:
        key = {"A": "ipv4", "AAAA": "ipv6"}.get(self.answer_type, "hostname")
        return {"answer_type": self.answer_type, key: self.value, "ttl": self.ttl}


@dataclass(frozen=True)
class Query:
    """One DNS query as df-002 describes it."""

    hostname: str
    query_type: str
    engine: str
    resolver_address: str
    failure: str | None
    answers: tuple[Answer, ...] = ()
    rcode: str | None = None
    t0: float = 0.0
    t: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    late: list[dict[str, Any]] = field(default_factory=list)
    """Answers of further replies to the same query, after the first (see ``Exchange``)."""

    def addresses(self) -> list[str]:
        return [a.value for a in self.answers if a.answer_type in ("A", "AAAA")]

    def as_ooni(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "query_type": self.query_type,
            "engine": self.engine,
            "resolver_address": self.resolver_address,
            "failure": self.failure,
            "answers": [a.as_ooni() for a in self.answers[:MAX_ANSWERS]],
            "x_rcode": self.rcode,
            "t0": round(self.t0, 6),
            "t": round(self.t, 6),
            **self.extra,
            **({"x_late_answers": self.late[:MAX_ANSWERS]} if self.late else {}),
            **({"x_answers_truncated": True} if self.truncated() else {}),
        }

    def truncated(self) -> bool:
        return len(self.answers) > MAX_ANSWERS or len(self.late) > MAX_ANSWERS


def system_resolver() -> str | None:
    """The first nameserver of the OS configuration, used when no resolver is configured."""
    try:
        nameservers = dns.resolver.Resolver(configure=True).nameservers
    except (dns.resolver.NoResolverConfiguration, OSError):
        return None
    return str(nameservers[0]) if nameservers else None


UNKNOWN_RESOLVER_IP = "127.0.0.2"
"""OONI's ``resolver_ip`` when the engine does not know its resolver."""


def resolver_ip(resolver: str | None) -> str:
    """OONI's ``resolver_ip`` and ``client_resolver``: the address of the resolver the probe
    asks (``--resolver`` or the system's first nameserver), without its port."""
    return split_hostport(resolver, 53)[0] if resolver else UNKNOWN_RESOLVER_IP


def split_hostport(address: str, default_port: int) -> tuple[str, int]:
    """Parse ``host``, ``host:port`` or ``[v6]:port``."""
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if address.count(":") == 1:
        host, port = address.split(":")
        return host, int(port)
    return address, default_port


async def getaddrinfo(
    hostname: str, timeout: float, t_zero: float, executor: Executor | None = None
) -> list[Query]:
    """Resolve through the OS: one ``ANY`` query holding the A and AAAA answers, as df-002 says
    a getaddrinfo lookup is recorded (it is one operation, not two queries)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() - t_zero
    failure: str | None = None
    infos: list[Any] = []
    try:
        infos = await asyncio.wait_for(
            loop.run_in_executor(
                executor,
                socket.getaddrinfo,
                hostname,
                None,
                socket.AF_UNSPEC,
                socket.SOCK_STREAM,
            ),
            timeout,
        )
    except (OSError, TimeoutError, UnicodeError) as exc:
        failure = errors.classify(exc)
    t = loop.time() - t_zero
    answers: list[Answer] = []
    for family, *_rest, sockaddr in infos:
        answer = Answer("A" if family == socket.AF_INET else "AAAA", str(sockaddr[0]), None)
        if answer not in answers:
            answers.append(answer)
    if failure is None and not infos:
        failure = errors.DNS_NO_ANSWER
    return [Query(hostname, "ANY", "getaddrinfo", "", failure, tuple(answers), None, t0, t)]


LATE_SLACK = 0.05


class Exchange(asyncio.DatagramProtocol):
    """One UDP query that keeps listening after its first reply.

    An on-path injector's forged answer races the resolver's real one and usually wins; the real
    one still arrives a little later. Keeping the socket open until the measurement ends records
    both, so injection can be proven (``x_late_answers``) without adding any wait.
    """

    def __init__(self, request: dns.message.Message, source: str, t_zero: float) -> None:
        self.request = request
        self.source = source
        self.t_zero = t_zero
        self.first: asyncio.Future[dns.message.Message] = asyncio.get_running_loop().create_future()
        self.late: list[dict[str, Any]] = []
        self.sent_at = 0.0
        self.first_at = 0.0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if addr[0] != self.source:
            return
        try:
            message = dns.message.from_wire(data)
        except Exception:  # junk is skipped, as a stub resolver does
            return
        if not self.request.is_response(message):
            return
        now = asyncio.get_running_loop().time()
        if not self.first.done():
            self.first_at = now
            self.first.set_result(message)
            return
        room = MAX_ANSWERS + 1 - len(self.late)  # one past the cap shows the cut
        self.late.extend(
            itertools.islice(
                (
                    Answer(dns.rdatatype.to_text(r.rdtype), _rdata_text(d), r.ttl).as_ooni()
                    for r in message.answer
                    for d in r
                ),
                max(0, room),
            )
        )

    def error_received(self, exc: Exception) -> None:
        if not self.first.done():
            self.first.set_exception(exc)

    def linger_until(self) -> float:
        """When a real reply racing behind the first one should have arrived: one more round
        trip of the same length, plus a little slack for the resolver's own lookup."""
        return self.first_at + (self.first_at - self.sent_at) + LATE_SLACK

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def udp_query(
    hostname: str,
    qtype: str,
    resolver: str,
    timeout: float,
    t_zero: float,
    lingering: list[Exchange] | None = None,
    own: OwnAddresses | None = None,
) -> Query:
    """Ask one resolver directly; falls back to TCP only when the UDP reply is truncated.

    With ``lingering``, the socket stays open after the first reply and is appended there; the
    caller closes it when its measurement ends, and late replies land in ``Query.late``. ``own``
    learns the socket's local address, for the scrubber.
    """
    loop = asyncio.get_running_loop()
    host, port = split_hostport(resolver, 53)
    t0 = loop.time() - t_zero
    request = dns.message.make_query(hostname, qtype)
    extra: dict[str, Any] = {}
    exchange = Exchange(request, host, t_zero)
    keep = False
    try:
        await loop.create_datagram_endpoint(lambda: exchange, remote_addr=(host, port))
        assert exchange.transport is not None
        if own is not None:
            own.add([str(exchange.transport.get_extra_info("sockname")[0])])
        exchange.sent_at = loop.time()
        exchange.transport.sendto(request.to_wire())
        response = await asyncio.wait_for(asyncio.shield(exchange.first), timeout)
        if response.flags & dns.flags.TC:
            extra["x_truncated"] = True
            response = await dns.asyncquery.tcp(request, host, timeout=timeout, port=port)
        elif lingering is not None:
            lingering.append(exchange)
            keep = True
    except Exception as exc:  # every failure is data here, never a crash
        return Query(
            hostname,
            qtype,
            "udp",
            f"{host}:{port}",
            errors.classify(exc),
            (),
            None,
            t0,
            loop.time() - t_zero,
            extra,
        )
    finally:
        if not keep:
            exchange.close()
    query = from_message(
        hostname, qtype, "udp", f"{host}:{port}", response, t0, loop.time() - t_zero, extra
    )
    return replace(query, late=exchange.late)


def from_message(
    hostname: str,
    qtype: str,
    engine: str,
    resolver_address: str,
    response: dns.message.Message,
    t0: float,
    t: float,
    extra: dict[str, Any] | None = None,
) -> Query:
    """Turn a parsed reply into a query record; shared by every engine that speaks DNS wire."""
    rcode = response.rcode()
    answers = tuple(
        Answer(dns.rdatatype.to_text(rrset.rdtype), _rdata_text(rdata), rrset.ttl)
        for rrset in response.answer
        for rdata in rrset
    )
    failure = _RCODE_FAILURES.get(rcode)
    if failure is None and rcode != dns.rcode.NOERROR:
        failure = errors.DNS_SERVER_MISBEHAVING  # FORMERR, NOTIMP and the rest: no usable answer
    if failure is None and not any(a.answer_type == qtype for a in answers):
        failure = errors.DNS_NO_ANSWER
    return Query(
        hostname,
        qtype,
        engine,
        resolver_address,
        failure,
        answers,
        dns.rcode.to_text(rcode),
        t0,
        t,
        extra or {},
    )


def _rdata_text(rdata: Any) -> str:
    if hasattr(rdata, "address"):
        return str(rdata.address)
    if hasattr(rdata, "target"):
        return str(rdata.target).rstrip(".")
    return str(rdata.to_text())
