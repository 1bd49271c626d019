"""The helper's HTTP fetch: the probe's redirect walk, with the SSRF guard on every hop."""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from typing import Final

from probe.control.protocol import HTTPResult
from probe.control.redirect import netloc, next_url, parse_hop, request_url
from probe.control.title import extract_title
from probe.helper.failures import DNS_LOOKUP_ERROR, UNKNOWN_ERROR, http_failure
from probe.helper.guard import allowed
from probe.helper.steps import Lookups
from probe.net import http, tcp
from probe.net.dial import TLS, dial
from probe.net.stream import Stream

# Only these of the probe's headers are replayed, as OONI's helper does: the rest could be
# used to smuggle credentials or odd requests through the helper.
FORWARDED_HEADERS: Final = frozenset({"user-agent", "accept", "accept-language"})
HOP_BY_HOP: Final = frozenset({"connection", "transfer-encoding"})
"""Headers of the connection, not of the page: oohelperd (Go's HTTP client) never reports them."""


async def fetch(
    url: str,
    headers: Mapping[str, Sequence[str]],
    context: ssl.SSLContext,
    lookups: Lookups,
) -> HTTPResult:
    """GET ``url`` and follow redirects; failures use OONI's helper vocabulary."""
    config = lookups.config
    current = url
    for _ in range(config.max_redirects + 1):
        try:  # the first URL passed the protocol's check; a Location header has not
            target = parse_hop(current)
        except ValueError:  # ProtocolError is one
            return HTTPResult.failed(UNKNOWN_ERROR)
        host, port = target.host, target.port or (443 if target.scheme == "https" else 80)
        resolved = await lookups.resolve(host)
        usable = [a for a in resolved.addrs if allowed(a, config)]
        if not usable:  # no name, or only addresses we must not contact
            return HTTPResult.failed(DNS_LOOKUP_ERROR)
        secure = TLS(host, context) if target.scheme == "https" else None
        stream, address, failure = await _open(
            usable[: config.max_addresses], port, secure, lookups
        )
        if stream is None:
            return HTTPResult.failed(http_failure(failure) or UNKNOWN_ERROR)
        request = await http.get(
            stream,
            request_url(target),
            address,
            _request_headers(host, target.port, headers, config.user_agent),
            config.body_cap,
            config.timeouts.http,
            lookups.t_zero,
        )
        response = request.response
        if response is None:
            return HTTPResult.failed(http_failure(request.failure) or UNKNOWN_ERROR)
        location = response.header("location")
        if request.failure is None and 300 <= response.code < 400 and location:
            try:
                current = next_url(current, location)
            except ValueError:  # e.g. an unclosed IPv6 bracket
                return HTTPResult.failed(UNKNOWN_ERROR)
            continue
        first: dict[str, str] = {}
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP:
                first.setdefault(name, value)
        return HTTPResult(
            len(response.body),
            http_failure(request.failure),
            extract_title(response.body),
            first,
            response.code,
        )
    return HTTPResult.failed(UNKNOWN_ERROR)  # too many redirects


async def _open(
    addrs: list[str], port: int, secure: TLS | None, lookups: Lookups
) -> tuple[Stream | None, str, str | None]:
    """The first address that connects (and handshakes), tried in turn; else the last failure."""
    failure: str | None = None
    for ip in addrs:
        opened = await dial(ip, port, secure, lookups.config.timeouts, lookups.t_zero)
        if opened.stream is not None:
            return opened.stream, tcp.endpoint(ip, port), None
        failure = (opened.handshake or opened.connect).failure
    return None, "", failure


def _request_headers(
    host: str, port: int | None, headers: Mapping[str, Sequence[str]], user_agent: str
) -> tuple[tuple[str, str], ...]:
    forwarded = [
        (name, value)
        for name, values in headers.items()
        if name.lower() in FORWARDED_HEADERS
        for value in values
    ]
    if not any(name.lower() == "user-agent" for name, _ in forwarded):
        forwarded.append(("User-Agent", user_agent))
    return (("Host", netloc(host, port)), *forwarded)
