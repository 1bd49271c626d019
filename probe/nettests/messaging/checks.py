"""One reachability check (DNS, then TCP, then TLS and/or HTTP) on an app or Tor endpoint.

Apps and Tor are judged per endpoint, not per URL, so each check returns a small record of how far
it got (``failed_operation``, OONI's operation names) while the raw steps go into the shared OONI
lists (``queries``, ``tcp_connect``, ``tls_handshakes``, ``requests``).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from probe.net import errors, http, tcp, tls
from probe.net.names import is_ip_literal
from probe.net.stream import SocketStream
from probe.nettests.resolution import contactable, lookups
from probe.nettests.session import Session

Kind = Literal["dns", "tcp", "tls", "http", "https"]
KINDS: tuple[Kind, ...] = ("dns", "tcp", "tls", "http", "https")

# OONI's operation names (netxlite), ordered by how far a check got before failing.
RESOLVE = "resolve"
CONNECT = "connect"
TLS_HANDSHAKE = "tls_handshake"
HTTP_ROUND_TRIP = "http_round_trip"
_DEPTH = {RESOLVE: 0, CONNECT: 1, TLS_HANDSHAKE: 2, HTTP_ROUND_TRIP: 3}

DNS_BOGON = "dns_bogon_error"
"""OONI's name for answers that are all private or reserved addresses (never contacted)."""

APP_BODY_CAP = 16 * 1024
"""Apps are judged on whether a response arrives, so only the start of a body is kept."""


@dataclass(frozen=True)
class Check:
    """Reach ``host`` on ``port`` and speak ``kind`` there."""

    role: str
    host: str
    port: int
    kind: Kind
    path: str = "/"
    verify: bool = True
    address: str | None = None
    """Connect here instead of resolving ``host`` (which stays the SNI and Host)."""
    body_cap: int = APP_BODY_CAP
    method: str = "GET"
    """OONI's request for this endpoint: Telegram's data centres are sent POST (ts-020)."""
    ca: Path | None = None
    """Validate against these roots instead of the probe's trust store: the app's own CA, which
    its servers' chains lead to (Signal's)."""


@dataclass(frozen=True)
class Outcome:
    failure: str | None
    operation: str | None
    address: str | None = None


@dataclass
class Observations:
    """The OONI lists that a set of checks fills, and the names already resolved."""

    t_zero: float
    queries: list[dict[str, Any]] = field(default_factory=list)
    tcp_connect: list[dict[str, Any]] = field(default_factory=list)
    tls_handshakes: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    skipped_bogons: list[str] = field(default_factory=list)
    resolved: dict[str, list[str]] = field(default_factory=dict)


def new_observations() -> Observations:
    return Observations(asyncio.get_running_loop().time())


async def resolve(host: str, session: Session, obs: Observations) -> list[str]:
    """Addresses to contact for ``host`` (see ``probe.nettests.resolution``), cached per name."""
    if is_ip_literal(host):
        return [host.strip("[]")]
    if host in obs.resolved:
        return obs.resolved[host]
    queries = await lookups(host, session, obs.t_zero)
    obs.queries.extend(q.as_ooni() for q in queries)
    obs.resolved[host] = contactable(queries, session.settings, obs.skipped_bogons)
    return obs.resolved[host]


async def run_check(check: Check, session: Session, obs: Observations) -> dict[str, Any]:
    """Run one check, appending its raw steps to ``obs``; returns its result record."""
    if check.address is not None:
        addresses = [check.address]
    else:
        addresses = await resolve(check.host, session, obs)
    outcome = await _attempts(check, addresses, session, obs)
    return {
        "role": check.role,
        "hostname": check.host,
        "port": check.port if check.kind != "dns" else None,
        "kind": check.kind,
        "address": outcome.address,
        "failure": outcome.failure,
        "failed_operation": outcome.operation,
    }


async def _attempts(
    check: Check, addresses: list[str], session: Session, obs: Observations
) -> Outcome:
    if not addresses:
        return Outcome(_dns_failure(check.host, obs), RESOLVE)
    if check.kind == "dns":
        return Outcome(None, None)
    outcomes = await asyncio.gather(*(_attempt(check, ip, session, obs) for ip in addresses))
    for outcome in outcomes:
        if outcome.failure is None:
            return outcome
    return max(outcomes, key=lambda o: _DEPTH[o.operation or RESOLVE])


async def _attempt(check: Check, ip: str, session: Session, obs: Observations) -> Outcome:
    timeouts = session.settings.timeouts
    address = tcp.endpoint(ip, check.port)
    record, sock = await tcp.connect(
        ip, check.port, timeouts.tcp, obs.t_zero, session.own_addresses
    )
    obs.tcp_connect.append(record.as_ooni())
    if sock is None:
        return Outcome(record.failure, CONNECT, address)
    stream = SocketStream(sock)
    if check.kind in ("tls", "https"):
        sni = "" if is_ip_literal(check.host) else check.host
        hs, tls_stream = await tls.handshake(
            sock, address, sni, _context(check, session), timeouts.tls, obs.t_zero
        )
        obs.tls_handshakes.append(hs.as_ooni())
        if tls_stream is None:
            return Outcome(hs.failure, TLS_HANDSHAKE, address)
        stream = tls_stream
    if check.kind in ("tcp", "tls"):
        await stream.aclose()
        return Outcome(None, None, address)
    request = await http.get(
        stream,
        url(check),
        address,
        _headers(check, session),
        check.body_cap,
        timeouts.http,
        obs.t_zero,
        check.method,
    )
    obs.requests.append(request.as_ooni())
    if request.failure is not None:
        return Outcome(request.failure, HTTP_ROUND_TRIP, address)
    return Outcome(None, None, address)


def _context(check: Check, session: Session) -> ssl.SSLContext:
    if not check.verify:
        return tls.client_context(session.settings.ca_bundle, verify=False)
    return tls.client_context(check.ca) if check.ca else session.tls_context


def _dns_failure(host: str, obs: Observations) -> str:
    """Why resolving gave nothing usable: the first query failure, else only bogon answers."""
    queries = [q for q in obs.queries if q["hostname"] == host]
    failures = [q["failure"] for q in queries if q["failure"]]
    if any(q["answers"] for q in queries):
        return DNS_BOGON
    return failures[0] if failures else errors.DNS_NO_ANSWER


def _authority(check: Check) -> str:
    host = f"[{check.host}]" if ":" in check.host else check.host
    default = 443 if check.kind == "https" else 80
    return host if check.port == default else f"{host}:{check.port}"


def url(check: Check) -> str:
    scheme = "https" if check.kind == "https" else "http"
    return f"{scheme}://{_authority(check)}{check.path}"


def _headers(check: Check, session: Session) -> tuple[tuple[str, str], ...]:
    headers = (
        ("Host", _authority(check)),
        ("User-Agent", session.settings.user_agent),
        ("Accept", "*/*"),
    )
    return headers if check.method == "GET" else (*headers, ("Content-Length", "0"))
