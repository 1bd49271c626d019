"""The one TCP → TLS → HTTP chain every nettest runs, over the session's backend.

web_connectivity (each hop and its self-control), the app tests and Tor all reach an address
the same way: connect to exactly the IP DNS gave, handshake with the SNI the test chose, send one
request on that connection. Each step's OONI record goes into a :class:`Steps`, in the order the
steps ended; the caller decides what the records mean.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TypedDict

from probe.net import http, tcp
from probe.net.dial import TLS as TLS  # the chain's own word for it: chain.TLS
from probe.net.dial import dial
from probe.net.records import HTTPRequest, TCPConnect, TLSHandshake
from probe.net.stream import Stream
from probe.nettests.session import Session

# OONI's operation names (netxlite), ordered by how far an attempt got before failing.
RESOLVE = "resolve"
CONNECT = "connect"
TLS_HANDSHAKE = "tls_handshake"
HTTP_ROUND_TRIP = "http_round_trip"
DEPTH = {RESOLVE: 0, CONNECT: 1, TLS_HANDSHAKE: 2, HTTP_ROUND_TRIP: 3}


@dataclass
class Steps:
    """The OONI lists a chain fills."""

    t_zero: float
    tcp_connect: list[TCPConnect] = field(default_factory=list)
    tls_handshakes: list[TLSHandshake] = field(default_factory=list)
    requests: list[HTTPRequest] = field(default_factory=list)

    def as_ooni(self) -> StepLists:
        return StepLists(
            tcp_connect=self.tcp_connect,
            tls_handshakes=self.tls_handshakes,
            requests=self.requests,
        )


class StepLists(TypedDict):
    tcp_connect: list[TCPConnect]
    tls_handshakes: list[TLSHandshake]
    requests: list[HTTPRequest]


@dataclass(frozen=True)
class Fetch:
    """The one request an attempt sends once connected."""

    url: str
    headers: tuple[tuple[str, str], ...]
    body_cap: int
    method: str = "GET"


@dataclass(frozen=True)
class Plan:
    """What an attempt does on each address: connect to ``port``, handshake when ``secure``,
    send ``request`` when given (else close once connected)."""

    port: int
    secure: TLS | None = None
    request: Fetch | None = None


@dataclass(frozen=True)
class Outcome:
    """How far an attempt on one address got: ``operation`` names the step that failed."""

    failure: str | None
    operation: str | None
    address: str | None = None


async def open_stream(
    ip: str, port: int, secure: TLS | None, session: Session, steps: Steps
) -> tuple[Outcome, Stream | None]:
    """Connect, and handshake when ``secure`` is given; the stream is open on success."""
    address = tcp.endpoint(ip, port)
    opened = await dial(
        ip,
        port,
        secure,
        session.settings.timeouts,
        steps.t_zero,
        session.own_addresses,
        session.backend,
    )
    steps.tcp_connect.append(opened.connect.as_ooni())
    if opened.connect.failure is not None:
        return Outcome(opened.connect.failure, CONNECT, address), None
    if opened.handshake is not None:
        steps.tls_handshakes.append(opened.handshake.as_ooni())
        if opened.stream is None:
            return Outcome(opened.handshake.failure, TLS_HANDSHAKE, address), None
    return Outcome(None, None, address), opened.stream


async def open_first(
    ips: list[str], port: int, secure: TLS | None, session: Session, steps: Steps
) -> tuple[Stream | None, str]:
    """Open every address at once; keep the first (in ``ips`` order) that works, close the rest."""
    opened = await asyncio.gather(*(open_stream(ip, port, secure, session, steps) for ip in ips))
    chosen: tuple[Stream | None, str] = (None, "")
    for outcome, stream in opened:
        if stream is None:
            continue
        if chosen[0] is None:
            chosen = (stream, outcome.address or "")
        else:
            await stream.aclose()
    return chosen


async def fetch(stream: Stream, request: Fetch, session: Session, steps: Steps) -> http.Request:
    """Send ``request`` on an open stream (which it consumes); the caller stores the record."""
    return await http.get(
        stream,
        request.url,
        stream.address,
        request.headers,
        request.body_cap,
        session.settings.timeouts.http,
        steps.t_zero,
        request.method,
    )


async def attempt(ip: str, plan: Plan, session: Session, steps: Steps) -> Outcome:
    """The whole chain on one address, as ``plan`` says."""
    outcome, stream = await open_stream(ip, plan.port, plan.secure, session, steps)
    if stream is None:
        return outcome
    if plan.request is None:
        await stream.aclose()
        return outcome
    sent = await fetch(stream, plan.request, session, steps)
    steps.requests.append(sent.as_ooni())
    if sent.failure is not None:
        return Outcome(sent.failure, HTTP_ROUND_TRIP, outcome.address)
    return outcome


async def first_success(ips: list[str], plan: Plan, session: Session, steps: Steps) -> Outcome:
    """Attempt every address at once: the first (in ``ips`` order) that worked, else the
    failure that got furthest."""
    outcomes = await asyncio.gather(*(attempt(ip, plan, session, steps) for ip in ips))
    for outcome in outcomes:
        if outcome.failure is None:
            return outcome
    return max(outcomes, key=lambda o: DEPTH[o.operation or RESOLVE])
