"""censor_locate: at which hop does the blocking happen? (CenTrace, CoNEXT 2022)

Fresh TCP connections to the target's address send the triggering ClientHello (https) or HTTP
request (http) with IP TTL 1, 2, 3…, and the same with the neutral name (``neutral_host``) as the
control. Per TTL the traces record what came back: ICMP time-exceeded and from which router, a
RST, a FIN, data, or nothing. Only raw traces are stored; ``probe.analysis.packets.locate`` finds
where they diverge, the router there, and whether the censor is in-path or on-path.

Needs root (raw sockets, see ``probe.net.raw``); without it ``x_failure`` says so.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import urlsplit

from probe.net import dns, tcp
from probe.net.names import is_ip_literal, to_ascii
from probe.net.raw import unavailable
from probe.net.raw.capture import Capture
from probe.net.raw.exchange import Timing
from probe.net.raw.triggers import trigger
from probe.net.raw.ttl_trace import traces
from probe.net.records import DNSQuery, ExchangeRecord
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "censor_locate"
TEST_VERSION = "0.1.0"
DESCRIPTION = "Censor location: TTL-limited trigger and control probes (CenTrace); needs root"


class LocateKeys(TypedDict):
    """The traces of one endpoint (docs/packet-tests.md), also ``x_packet_tests.censor_locate``."""

    x_address: str
    x_trigger: str
    x_test_name: str
    x_control_name: str
    x_test_trace: list[ExchangeRecord]
    x_control_trace: list[ExchangeRecord]
    x_failure: str | None


class Unresolved(TypedDict):
    """censor_locate's ``test_keys`` when the name gave no IPv4 address to trace."""

    queries: list[DNSQuery]
    x_failure: str | None


class CensorLocateKeys(Unresolved, LocateKeys):
    """censor_locate's ``test_keys``: the name's query and the traces of its first address."""


@dataclass(frozen=True)
class TraceOptions:
    max_ttl: int = 30
    """Stop here even if the control never reached the server."""
    pace: float = 0.5
    """Seconds between probes: routers send few ICMP messages per second to one host."""
    wait: float = 2.0
    """How long one probe waits for any answer (a silent hop costs this much)."""
    grace: float = 0.3
    """After the first answer, how long to listen for a second one."""

    @classmethod
    def of(cls, session: Session) -> TraceOptions:
        settings = session.settings
        default = cls()
        return cls(
            max_ttl=settings.packet_max_ttl,
            pace=settings.packet_pace,
            wait=min(default.wait, settings.timeouts.tcp),
            grace=default.grace,
        )


async def measure(url: str, session: Session) -> Unresolved | CensorLocateKeys:
    parts = urlsplit(url)
    host = to_ascii(parts.hostname or url)
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    port = parts.port or (443 if scheme == "https" else 80)
    queries: list[DNSQuery] = []
    if is_ip_literal(host):
        address = host
    else:
        query = await dns.udp_query(
            host,
            "A",
            session.resolver or "",
            session.settings.timeouts.dns,
            time.monotonic(),
            own=session.own_addresses,
            backend=session.backend,
        )
        queries.append(query.as_ooni())
        addresses = [a.value for a in query.answers if a.answer_type == "A"]
        if not addresses:
            return Unresolved(queries=queries, x_failure=query.failure or "dns_no_answer")
        address = addresses[0]
    located = await locate_endpoint(address, port, host, scheme, session, TraceOptions.of(session))
    return {"queries": queries, **located}


async def locate_endpoint(
    ip: str, port: int, host: str, scheme: str, session: Session, options: TraceOptions
) -> LocateKeys:
    """The trace keys for one IPv4 endpoint: what the web nettest adds for a blocked target.

    ``x_test_trace`` and ``x_control_trace`` hold one exchange per TTL (see
    ``probe.net.raw.exchange.Exchange.as_dict``); ``x_failure`` is null or why nothing was traced.
    """
    neutral = session.settings.neutral_host
    keys = LocateKeys(
        x_address=tcp.endpoint(ip, port),
        x_trigger="tls_sni" if scheme == "https" else "http_host",
        x_test_name=host,
        x_control_name=neutral,
        x_test_trace=[],
        x_control_trace=[],
        x_failure=unavailable(),
    )
    if keys["x_failure"]:
        return keys
    agent = session.settings.user_agent
    payloads = {"test": trigger(scheme, host, agent), "control": trigger(scheme, neutral, agent)}
    timing = Timing(session.settings.timeouts.tcp, options.wait, options.grace)

    def run() -> dict[str, list[ExchangeRecord]]:
        t_zero = time.monotonic()
        with Capture(ip, session.own_addresses) as capture:
            found = traces(
                capture, port, payloads, timing, options.max_ttl, options.pace, until="control"
            )
        return {name: [e.as_dict(t_zero) for e in trace] for name, trace in found.items()}

    found = await asyncio.to_thread(run)
    keys["x_test_trace"], keys["x_control_trace"] = found["test"], found["control"]
    return keys


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, False, measure)
