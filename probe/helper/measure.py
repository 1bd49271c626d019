"""One control request: the helper's DNS, TCP, TLS and HTTP view of the probe's target."""

from __future__ import annotations

import asyncio
import ssl
from typing import NamedTuple

from probe.control.protocol import (
    FLAG_IS_BOGON,
    FLAG_RESOLVED_BY_PROBE,
    FLAG_RESOLVED_BY_TH,
    FLAG_VALID_FOR_DOMAIN,
    ControlRequest,
    ControlResponse,
    DNSResult,
    IPInfo,
    Target,
    TCPResult,
    TLSResult,
    parse_endpoint,
    parse_target_url,
)
from probe.helper.config import HelperConfig
from probe.helper.failures import dns_failure, tcp_failure
from probe.helper.fetch import fetch
from probe.helper.guard import allowed
from probe.helper.steps import Lookups
from probe.net import tcp, tls
from probe.net.bogons import is_bogon
from probe.net.dial import TLS, dial
from probe.net.names import is_ip_literal


class TargetRefused(Exception):
    """The URL names an address this helper must not contact."""


class _Endpoint(NamedTuple):
    ip: str
    port: int
    tls: bool


async def measure(request: ControlRequest, config: HelperConfig) -> ControlResponse:
    """Resolve, connect to every allowed address (the probe's and ours), handshake, fetch."""
    t_zero = asyncio.get_running_loop().time()
    parts = parse_target_url(request.http_request)  # checked when the request was parsed
    host = parts.host
    lookups = Lookups(config, t_zero)
    if is_ip_literal(host):
        if not allowed(host, config):
            raise TargetRefused(host)
        dns_result = DNSResult(None, ())  # OONI: no lookup for an IP literal
    else:
        resolved = await lookups.resolve(host)
        dns_result = DNSResult(dns_failure(resolved.failure), resolved.addrs)
    flags = _discovered(request.tcp_connect, dns_result.addrs, config)
    plan = _plan(parts, [ip for ip in flags if allowed(ip, config)], config)
    context = tls.client_context(config.ca_bundle)
    results, http_result = await asyncio.gather(
        asyncio.gather(*(_connect(e, host, context, config, t_zero) for e in plan)),
        fetch(request.http_request, request.http_request_headers, context, lookups),
    )
    tcp_results: dict[str, TCPResult] = {}
    tls_results: dict[str, TLSResult] = {}
    for endpoint, (tcp_result, tls_result) in zip(plan, results, strict=True):
        key = tcp.endpoint(endpoint.ip, endpoint.port)
        tcp_results[key] = tcp_result
        if tls_result is not None:
            tls_results[key] = tls_result
            if tls_result.status:
                flags[endpoint.ip] |= FLAG_VALID_FOR_DOMAIN
    return ControlResponse(
        dns_result,
        tcp_results,
        tls_results,
        http_result,
        {ip: IPInfo(0, flag) for ip, flag in flags.items()},  # ASN 0: no ASN database here
    )


def _discovered(
    endpoints: tuple[str, ...], own: tuple[str, ...], config: HelperConfig
) -> dict[str, int]:
    flags: dict[str, int] = {}
    for endpoint in endpoints:
        ip, _ = parse_endpoint(endpoint)
        flags[ip] = flags.get(ip, 0) | FLAG_RESOLVED_BY_PROBE
    for ip in own:
        flags[ip] = flags.get(ip, 0) | FLAG_RESOLVED_BY_TH
    for ip in flags:
        if is_bogon(ip, config.bogon_exempt):
            flags[ip] |= FLAG_IS_BOGON
    return flags


def _plan(parts: Target, ips: list[str], config: HelperConfig) -> list[_Endpoint]:
    """OONI's ports: the URL's own port, else 443 for https, else 80 and 443 (443 tells
    whether the address serves the domain). TLS on 443, and on the port of an https URL."""
    if parts.port is not None:
        ports = [parts.port]
    else:
        ports = [443] if parts.scheme == "https" else [80, 443]
    return [
        _Endpoint(ip, port, port == 443 or parts.scheme == "https")
        for ip in ips[: config.max_addresses]
        for port in ports
    ]


async def _connect(
    endpoint: _Endpoint, host: str, context: ssl.SSLContext, config: HelperConfig, t_zero: float
) -> tuple[TCPResult, TLSResult | None]:
    secure = TLS(host, context) if endpoint.tls else None
    opened = await dial(endpoint.ip, endpoint.port, secure, config.timeouts, t_zero)
    if opened.stream is not None:
        await opened.stream.aclose()
    connect, handshake = opened.connect, opened.handshake
    tcp_result = TCPResult(connect.failure is None, tcp_failure(connect.failure))
    if handshake is None:
        return tcp_result, None
    return tcp_result, TLSResult(host, handshake.failure is None, handshake.failure)
