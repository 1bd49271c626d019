"""web_connectivity: DNS, TCP, TLS and HTTP for one URL, following redirects hop by hop.

Only raw observations are stored here. Whether anything is blocked is decided later, by pure
analysis of these keys, so old measurements can always be re-analysed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Final, Never
from urllib.parse import urlsplit

from probe.control.attempts import Attempt, AttemptRecord
from probe.control.doh import doh_queries
from probe.control.helper_client import HelperAnswer, query_helpers
from probe.control.redirect import next_url, parse_hop, request_url
from probe.control.title import extract_title
from probe.net import dns, errors, events, http, tcp, tls, volume
from probe.net.bogons import uncontactable
from probe.net.names import is_ip_literal, to_ascii
from probe.net.records import DNSQuery, TraceKeys, VolumeKeys
from probe.net.stream import Stream
from probe.nettests import chain
from probe.nettests.chain import StepLists, Steps
from probe.nettests.nettest import Nettest
from probe.nettests.resolution import (
    SkippedBogons,
    contactable,
    lookups,
    skip_bogon,
    skipped_keys,
)
from probe.nettests.session import CONTROL_TIMEOUT, Session
from probe.settings import Settings

VOLUME_BYTES: Final = 32768
"""What the neutral name must pull from a stalled address: past the ~16-20 KiB freezes seen."""
REDIRECT_BODY_CAP: Final = 65536
"""Bytes stored of a redirect's body: ten hops of 1 MiB bodies must not make a 10 MB line."""

TEST_NAME = "web_connectivity"
TEST_VERSION = "0.5.28"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Web sites: DNS, TCP, TLS and HTTP for every URL of the list"


class WebConnectivityKeys(StepLists, SkippedBogons, TraceKeys):
    """web_connectivity's ``test_keys`` (docs/data-format.md), as the nettest writes them."""

    agent: str
    client_resolver: str
    retries: None
    socksproxy: None
    queries: list[DNSQuery]
    x_redirects_exhausted: bool
    x_failure: str | None
    x_self_control: SelfControl | dict[str, Never]
    """Empty when nothing failed."""
    x_doh_queries: list[DNSQuery]
    control: dict[str, Any]
    """The helper's answer as it arrived (JSON, checked by probe.control.protocol)."""
    control_failure: str | None
    x_controls: list[AttemptRecord]


class SelfControl(StepLists, VolumeKeys):
    """``x_self_control``: the failed exchange repeated with a neutral SNI and Host."""

    server_name: str
    host: str


@dataclass
class _Observations(Steps):
    queries: list[dns.Query] = field(default_factory=list)
    lingering: list[dns.Exchange] = field(default_factory=list)
    skipped_bogons: list[str] = field(default_factory=list)
    resolved: dict[str, list[str]] = field(default_factory=dict)
    self_control: SelfControl | None = None
    control: asyncio.Task[HelperAnswer] | None = None
    failed_endpoint: tuple[str, int, str, bool] | None = None
    """(ip, port, scheme, after the handshake) where a connection opened but TLS or HTTP then
    failed; the last is true when it was the HTTP exchange that failed."""

    def failed(self, ip: str, port: int, scheme: str, request: bool = False) -> None:
        if self.failed_endpoint is None:
            self.failed_endpoint = (ip, port, scheme, request)

    redirects_exhausted: bool = False
    failure: str | None = None
    """A failure of the measurement as a whole, not of one step."""


async def measure(url: str, session: Session) -> WebConnectivityKeys:
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
    return WebConnectivityKeys(
        agent="redirect",
        client_resolver=dns.resolver_ip(session.resolver),
        retries=None,
        socksproxy=None,
        queries=[q.as_ooni() for q in obs.queries],
        **obs.as_ooni(),
        **skipped_keys(obs.skipped_bogons),
        x_redirects_exhausted=obs.redirects_exhausted,
        x_failure=obs.failure,
        x_self_control=obs.self_control or {},
        **trace.keys(),
        x_doh_queries=doh_records,
        control=answer.response or {},
        control_failure=answer.failure,
        x_controls=[a.as_json() for a in (*answer.attempts, *doh_attempts)],
    )


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


async def _doh(url: str, session: Session, t_zero: float) -> tuple[list[DNSQuery], list[Attempt]]:
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
        client=session.doh_client,
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
    obs.control = asyncio.ensure_future(_control(url, endpoints, headers, session))


async def _control(
    url: str, endpoints: list[str], headers: dict[str, list[str]], session: Session
) -> HelperAnswer:
    settings = session.settings
    async with session.helper_client() as client:
        return await query_helpers(
            settings.helper_urls,
            url,
            endpoints,
            settings,
            CONTROL_TIMEOUT,
            session.health,
            headers=headers,
            client=client,
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
        if is_ip_literal(host) and uncontactable(host, settings.bogon_exempt):
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
        headers = _request_headers(host, port, scheme, settings)
        request = await chain.fetch(
            stream, chain.Fetch(wire_url, headers, settings.body_cap), session, obs
        )
        response = request.response
        location = response.header("location") if response else None
        followed = response is not None and 300 <= response.code < 400 and bool(location)
        record = request.as_ooni(REDIRECT_BODY_CAP if followed else None)
        if response is not None:
            record["response"]["x_title"] = extract_title(response.body)
        obs.requests.insert(0, record)  # OONI order: the final request first
        if request.failure is not None:
            obs.failed(*_split_endpoint(address), scheme, request=True)
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
) -> tuple[Stream | None, str]:
    """Connect (and for https, handshake) to every address at once; keep the first that works."""
    sni = "" if is_ip_literal(host) else host
    secure = chain.TLS(sni, session.tls_context) if scheme == "https" else None
    first_handshake = len(obs.tls_handshakes)
    stream, address = await chain.open_first(addresses, port, secure, session, obs)
    if stream is None:
        failed = [h for h in obs.tls_handshakes[first_handshake:] if h["failure"]]
        if failed:
            obs.failed(*_split_endpoint(failed[0]["address"]), scheme)
    return stream, address


async def _self_control(
    ip: str, port: int, scheme: str, request_failed: bool, session: Session, obs: _Observations
) -> SelfControl:
    """Repeat the failed exchange to the same address with a neutral SNI and Host.

    If the neutral exchange works where the real one was reset or stalled, the trigger was the
    name (SNI or Host), not the address: the distinction Hyperquack and CenTrace draw. When the
    HTTP exchange failed and the neutral page is small, a second neutral connection pulls
    ``VOLUME_BYTES`` (``x_volume``): a freeze that counts bytes shows only past its threshold.
    """
    neutral = session.settings.neutral_host
    secure = None
    if scheme == "https":
        secure = chain.TLS(neutral, tls.client_context(session.settings.ca_bundle, verify=False))
    headers = _request_headers(neutral, port, scheme, session.settings)
    request = chain.Fetch(f"{scheme}://{headers[0][1]}/", headers, session.settings.body_cap)
    steps = Steps(obs.t_zero)
    pulled: volume.Volume | None = None
    _, stream = await chain.open_stream(ip, port, secure, session, steps)
    if stream is not None:
        sent = await chain.fetch(stream, request, session, steps)
        steps.requests.append(sent.as_ooni())
        size = _response_size(sent.response)
        if request_failed and sent.response is not None and size < VOLUME_BYTES:
            _, again = await chain.open_stream(ip, port, secure, session, steps)
            if again is not None:
                count = volume.requests_for(VOLUME_BYTES, size)
                timeout = session.settings.timeouts.http
                pulled = await volume.drain(
                    again, "/", headers, count, VOLUME_BYTES, timeout, obs.t_zero
                )
    pull = VolumeKeys(x_volume=pulled.as_ooni()) if pulled is not None else VolumeKeys()
    return SelfControl(server_name=neutral, host=neutral, **steps.as_ooni(), **pull)


def _response_size(response: http.Response | None) -> int:
    """The bytes of a response as it came: status line, headers and body."""
    if response is None:
        return 0
    return 17 + sum(len(k) + len(v) + 4 for k, v in response.headers) + response.wire_length


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


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, False, measure)
