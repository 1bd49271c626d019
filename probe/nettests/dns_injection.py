"""dns_injection: is something on the path answering DNS queries it was never sent?

Keys follow OONI's dns_injection (ts-012): ``queries`` and ``injected``. Two probes per name:
1. a query to an address that runs no DNS server (``no_dns_address``): any reply is forged, and
   ``injected`` says whether one came (null when no such address is configured);
2. a normal query to the run's resolver, after which the socket keeps listening for the whole DNS
   budget. Every reply of both is kept in ``x_dns_duplicate_responses``; differing replies to one
   query prove injection (``probe.analysis.packets.dns_injection`` judges).

Plain UDP sockets suffice, so this test does not need root.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import TypedDict
from urllib.parse import urlsplit

from dns.message import Message

from probe.net import dns, errors
from probe.net.names import is_ip_literal, to_ascii
from probe.net.raw.dns_responses import Replies, all_replies
from probe.net.records import DNSAnswer, DNSQuery
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "dns_injection"
TEST_VERSION = "0.1.0"
DESCRIPTION = "DNS injection: replies from an address with no DNS server, and duplicate replies"
QUERY_TYPE = "A"


class Response(TypedDict):
    """One reply as it arrived: ``t`` seconds after the test began."""

    t: float
    x_rcode: str | None
    answers: list[DNSAnswer]


class DuplicateResponses(TypedDict):
    """Every reply one query got (``x_dns_duplicate_responses``)."""

    hostname: str
    query_type: str
    resolver_address: str
    x_no_dns_server: bool
    responses: list[Response]


class DNSInjectionKeys(TypedDict):
    """dns_injection's ``test_keys`` (ts-012, and docs/packet-tests.md)."""

    queries: list[DNSQuery]
    injected: bool | None
    x_no_dns_address: str | None
    x_dns_duplicate_responses: list[DuplicateResponses]
    x_failure: str | None


async def measure(url: str, session: Session) -> DNSInjectionKeys:
    t_zero = time.monotonic()
    name = to_ascii(urlsplit(url).hostname or url)
    no_dns = session.settings.no_dns_address
    keys = DNSInjectionKeys(
        queries=[],
        injected=None,
        x_no_dns_address=no_dns,
        x_dns_duplicate_responses=[],
        x_failure=None,
    )
    if is_ip_literal(name):
        keys["x_failure"] = "not_a_domain_name"
        return keys
    servers = [s for s in (no_dns, session.resolver) if s]
    window = session.settings.timeouts.dns
    results = await asyncio.gather(
        *(asyncio.to_thread(_ask, server, name, window) for server in servers)
    )
    for server, (address, replies) in zip(servers, results, strict=True):
        silent = server == no_dns
        keys["queries"].append(_query(name, address, replies, window, t_zero))
        keys["x_dns_duplicate_responses"].append(
            DuplicateResponses(
                hostname=name,
                query_type=QUERY_TYPE,
                resolver_address=address,
                x_no_dns_server=silent,
                responses=[_response(m, t - t_zero) for t, m in replies.replies],
            )
        )
        if silent:
            keys["injected"] = bool(replies.replies)
    return keys


def _ask(server: str, name: str, window: float) -> tuple[str, Replies]:
    host, port = dns.split_hostport(server, 53)
    return f"{host}:{port}", all_replies(host, port, name, QUERY_TYPE, window)


def _query(name: str, address: str, replies: Replies, window: float, t_zero: float) -> DNSQuery:
    """The df-002 record of the first reply; later replies' answers go to ``x_late_answers``."""
    t0 = replies.sent - t_zero
    if not replies.replies:
        query = dns.Query(
            name, QUERY_TYPE, "udp", address, errors.GENERIC_TIMEOUT, (), None, t0, t0 + window
        )
        return query.as_ooni()
    (first_t, first), *late = replies.replies
    record = dns.from_message(name, QUERY_TYPE, "udp", address, first, t0, first_t - t_zero)
    later = [a for _, m in late for a in _response(m, 0.0)["answers"]]
    return replace(record, late=later).as_ooni()


def _response(message: Message, t: float) -> Response:
    parsed = dns.from_message("", QUERY_TYPE, "udp", "", message, 0.0, 0.0)
    return Response(
        t=round(t, 6), x_rcode=parsed.rcode, answers=[a.as_ooni() for a in parsed.answers]
    )


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, False, measure)
