"""web_connectivity: DNS, TCP, TLS and HTTP for one URL, following redirects hop by hop.

Only raw observations are stored here. Whether anything is blocked is decided later, by pure
analysis of these keys, so old measurements can always be re-analysed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from probe.control.attempts import Attempt
from probe.control.doh import doh_queries
from probe.control.helper_client import HelperAnswer, query_helpers
from probe.control.redirect import next_url, parse_hop, request_url
from probe.control.title import extract_title
from probe.net import dns, errors, events, http, tcp, tls
from probe.net.bogons import is_bogon
from probe.net.names import is_ip_literal, to_ascii
from probe.net.stream import SocketStream
from probe.nettests.resolution import contactable, lookups, skip_bogon, skipped_keys
from probe.nettests.session import CONTROL_TIMEOUT, Session
from probe.settings import Settings

REDIRECT_BODY_CAP: Final = 65536
"""Bytes stored of a redirect's body: ten hops of 1 MiB bodies must not make a 10 MB line."""

TEST_NAME = "web_connectivity"
TEST_VERSION = "0.5.28"  # OONI's version of the experiment this follows (docs/data-format.md)


@dataclass
class _Observations:
    t_zero: float
    queries: list[dns.Query] = field(default_factory=list)
    lingering: list[dns.Exchange] = field(default_factory=list)
    tcp_connect: list[dict[str, Any]] = field(default_factory=list)
    tls_handshakes: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    skipped_bogons: list[str] = field(default_factory=list)
    resolved: dict[str, list[str]] = field(default_factory=dict)
    self_control: dict[str, Any] = field(default_factory=dict)
    control: asyncio.Task[HelperAnswer] | None = None
    failed_endpoint: tuple[str, int, str] | None = None
    """(ip, port, scheme) where a connection opened but TLS or HTTP then failed."""

    def failed(self, ip: str, port: int, scheme: str) -> None:
        if self.failed_endpoint is None:
            self.failed_endpoint = (ip, port, scheme)

    redirects_exhausted: bool = False
    failure: str | None = None
    """A failure of the measurement as a whole, not of one step."""

    def test_keys(self) -> dict[str, Any]:
        return {
            "queries": [q.as_ooni() for q in self.queries],
            "tcp_connect": self.tcp_connect,
            "tls_handshakes": self.tls_handshakes,
            "requests": self.requests,
            **skipped_keys(self.skipped_bogons),
            "x_redirects_exhausted": self.redirects_exhausted,
            "x_failure": self.failure,
            "x_self_control": self.self_control,
        }


async def measure(url: str, session: Session) -> dict[str, Any]:
    """Measure one URL and return its ``test_keys``."""
    obs = _Observations(asyncio.get_running_loop().time())
    # DoH is the DNS control when there is no helper, and the fallback when the helper fails:
    # with a working helper it would only repeat the helper's own resolution, at a CPU cost.
    helper = bool(session.settings.helper_urls)
    doh = None if helper else asyncio.ensure_future(_doh(url, session, obs.t_zero))
    with events.recording(obs.t_zero) as trace:
        try:
            await _follow(url, session, obs)
            if obs.failed_endpoint is not None:
                obs.self_control = await _self_control(*obs.failed_endpoint, session, obs)
            answer = await obs.control if obs.control else HelperAnswer({}, None, ())
            if doh is None and (answer.failure is not None or obs.control is None):
                doh = asyncio.ensure_future(_doh(url, session, obs.t_zero))
            doh_records, doh_attempts = await doh if doh else ([], [])
            await _linger(obs)
        finally:
            if doh:
                doh.cancel()
            if obs.control:
                obs.control.cancel()
            for exchange in obs.lingering:
                exchange.close()
    keys = {
        "agent": "redirect",
        "client_resolver": dns.resolver_ip(session.resolver),
        "socksproxy": None,
        **obs.test_keys(),
        "network_events": trace.events,
    }
    keys["x_doh_queries"] = doh_records
    keys["control"] = answer.response or {}
    keys["control_failure"] = answer.failure
    keys["x_controls"] = [a.as_json() for a in (*answer.attempts, *doh_attempts)]
    return keys


async def _linger(obs: _Observations) -> None:
    """Wait for late DNS replies only if the measurement ended before they were due.

    The TCP, TLS and HTTP steps take several round trips, so this costs nothing on a normal
    measurement; only one that stopped right after DNS (an NXDOMAIN, a bogon) waits.
    """
    if obs.lingering:
        due = max(e.linger_until() for e in obs.lingering)
        await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))


DOH_QUERY_TYPES = ("A",)
"""A only: each DoH query costs about a millisecond of CPU (HTTP/2 in Python), and the IPv4
answer is what consistency needs; the helper's DNS control covers every family."""


async def _doh(
    url: str, session: Session, t_zero: float
) -> tuple[list[dict[str, Any]], list[Attempt]]:
    """The uncensored view of the target's name, fetched while the probe resolves it."""
    host = urlsplit(url).hostname
    if not host or is_ip_literal(host) or not session.settings.doh_urls:
        return [], []
    queries, attempts = await doh_queries(
        session.settings.doh_urls,
        to_ascii(host),
        DOH_QUERY_TYPES,
        session.settings.timeouts.dns,
        t_zero,
        session.health,
        client=session.control_client,
    )
    return [q.as_ooni() for q in queries], attempts


def _start_control(
    url: str, addresses: list[str], port: int, session: Session, obs: _Observations
) -> None:
    """Ask the helper once the probe's own addresses are known; it runs beside the probe's steps."""
    helpers = session.settings.helper_urls
    if not helpers or obs.control is not None:
        return
    endpoints = [tcp.endpoint(ip, port) for ip in addresses]
    headers = {k: [v] for k, v in _request_headers("", port, "", session.settings) if k != "Host"}
    obs.control = asyncio.ensure_future(
        query_helpers(
            helpers,
            url,
            endpoints,
            session.settings,
            CONTROL_TIMEOUT,
            session.health,
            headers=headers,
            client=session.control_client,
        )
    )


async def _follow(url: str, session: Session, obs: _Observations) -> None:
    """The redirect chain, each hop measured in full. A hop that cannot be followed (a malformed
    ``Location``, a bogon IP literal) ends the chain with its failure in ``x_failure``; the
    earlier hops' observations stay."""
    current = url
    settings = session.settings
    for hop in range(settings.max_redirects + 1):
        try:
            target = parse_hop(current)
        except ValueError:
            obs.failure = errors.HTTP_INVALID_REDIRECT
            return
        host, scheme = target.host, target.scheme
        if is_ip_literal(host) and is_bogon(host, settings.bogon_exempt):
            skip_bogon(host, obs.skipped_bogons)
            obs.failure = errors.BOGON_ADDRESS_REFUSED
            return
        port = target.port or (443 if scheme == "https" else 80)
        wire_url = request_url(target)
        addresses = await _resolve(host, session, obs)
        _start_control(wire_url, addresses, port, session, obs)
        stream, address = await _connect(host, port, scheme, addresses, session, obs)
        if stream is None:
            break
        request = await http.get(
            stream,
            wire_url,
            address,
            _request_headers(host, port, scheme, settings),
            settings.body_cap,
            settings.timeouts.http,
            obs.t_zero,
        )
        response = request.response
        location = response.header("location") if response else None
        followed = response is not None and 300 <= response.code < 400 and bool(location)
        record = request.as_ooni(REDIRECT_BODY_CAP if followed else None)
        if response is not None:
            record["response"]["x_title"] = extract_title(response.body)
        obs.requests.insert(0, record)  # OONI order: the final request first
        if request.failure is not None:
            obs.failed(*_split_endpoint(address), scheme)
        if not followed or location is None:
            break
        try:
            current = next_url(current, location)
        except ValueError:
            obs.failure = errors.HTTP_INVALID_REDIRECT
            return
        if hop == settings.max_redirects:
            obs.redirects_exhausted = True
            obs.failure = errors.HTTP_TOO_MANY_REDIRECTS


async def _resolve(host: str, session: Session, obs: _Observations) -> list[str]:
    """Every engine's answers, IPv4 first, bogons set aside, capped; cached per host."""
    if is_ip_literal(host):
        return [host.strip("[]")]
    if host in obs.resolved:
        return obs.resolved[host]
    queries = await lookups(host, session, obs.t_zero, obs.lingering)
    obs.queries.extend(queries)
    obs.resolved[host] = contactable(queries, session.settings, obs.skipped_bogons)
    return obs.resolved[host]


async def _connect(
    host: str,
    port: int,
    scheme: str,
    addresses: list[str],
    session: Session,
    obs: _Observations,
) -> tuple[SocketStream | None, str]:
    """Connect (and for https, handshake) to every address at once; keep the first that works."""
    sni = "" if is_ip_literal(host) else host
    first_handshake = len(obs.tls_handshakes)
    attempts = await asyncio.gather(
        *(_connect_one(ip, port, scheme, sni, session, obs) for ip in addresses)
    )
    if not any(attempts):
        failed = [h for h in obs.tls_handshakes[first_handshake:] if h["failure"]]
        if failed:
            obs.failed(*_split_endpoint(failed[0]["address"]), scheme)
    chosen: tuple[SocketStream | None, str] = (None, "")
    for ip, stream in zip(addresses, attempts, strict=True):
        if stream is None:
            continue
        if chosen[0] is None:
            chosen = (stream, tcp.endpoint(ip, port))
        else:
            await stream.aclose()
    return chosen


async def _connect_one(
    ip: str, port: int, scheme: str, sni: str, session: Session, obs: _Observations
) -> SocketStream | None:
    timeouts = session.settings.timeouts
    record, sock = await tcp.connect(ip, port, timeouts.tcp, obs.t_zero, session.own_addresses)
    obs.tcp_connect.append(record.as_ooni())
    if sock is None:
        return None
    if scheme != "https":
        return SocketStream(sock)
    hs, stream = await tls.handshake(
        sock, tcp.endpoint(ip, port), sni, session.tls_context, timeouts.tls, obs.t_zero
    )
    obs.tls_handshakes.append(hs.as_ooni())
    return stream


async def _self_control(
    ip: str, port: int, scheme: str, session: Session, obs: _Observations
) -> dict[str, Any]:
    """Repeat the failed exchange to the same address with a neutral SNI and Host.

    If the neutral exchange works where the real one was reset or stalled, the trigger was the
    name (SNI or Host), not the address: the distinction Hyperquack and CenTrace draw.
    """
    neutral = session.settings.neutral_host
    timeouts = session.settings.timeouts
    result: dict[str, Any] = {
        "server_name": neutral,
        "host": neutral,
        "tls_handshakes": [],
        "requests": [],
    }
    record, sock = await tcp.connect(ip, port, timeouts.tcp, obs.t_zero, session.own_addresses)
    result["tcp_connect"] = [record.as_ooni()]
    if sock is None:
        return result
    stream: SocketStream | None = SocketStream(sock)
    if scheme == "https":
        context = tls.client_context(session.settings.ca_bundle, verify=False)
        hs, stream = await tls.handshake(
            sock, tcp.endpoint(ip, port), neutral, context, timeouts.tls, obs.t_zero
        )
        result["tls_handshakes"].append(hs.as_ooni())
    if stream is not None:
        headers = _request_headers(neutral, port, scheme, session.settings)
        request = await http.get(
            stream,
            f"{scheme}://{headers[0][1]}/",
            tcp.endpoint(ip, port),
            headers,
            session.settings.body_cap,
            timeouts.http,
            obs.t_zero,
        )
        result["requests"].append(request.as_ooni())
    return result


def _split_endpoint(address: str) -> tuple[str, int]:
    ip, _, port = address.rpartition(":")
    return ip.strip("[]"), int(port)


def _request_headers(
    host: str, port: int, scheme: str, settings: Settings
) -> tuple[tuple[str, str], ...]:
    default = 443 if scheme == "https" else 80
    host_header = host if port == default else f"{host}:{port}"
    return (
        ("Host", host_header),
        ("User-Agent", settings.user_agent),
        ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("Accept-Language", "ru-KZ,ru;q=0.9,kk;q=0.8,en;q=0.7"),
    )
