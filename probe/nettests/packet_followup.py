"""``--packet-tests``: what the packet-level tests add to a web target found blocked.

DNS tampering gets the injection test; a reset, a stall or a blockpage on a name gets the
censor-location traces; every reset gets RST forensics. Which of these a target needs is the
pipeline's call (it reads the verdict; nettests do not import the analysis). Raw observations
only, stored under ``x_packet_tests``; the analysis turns them into ``dns.inject``,
``x_censor_location`` and ``x_rst_judgements``. Without root each part records why it could not
run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, TypedDict
from urllib.parse import urlsplit

from probe.net import errors
from probe.net.names import to_ascii
from probe.net.raw.exchange import Timing
from probe.net.raw.triggers import trigger
from probe.net.records import RSTForensics
from probe.net.rst_forensics import inspect_endpoint
from probe.nettests import censor_locate, dns_injection
from probe.nettests.session import Session

RESET = errors.CONNECTION_RESET


class PacketTests(TypedDict, total=False):
    """``x_packet_tests``: the parts that fitted the verdict (docs/packet-tests.md)."""

    dns_injection: dns_injection.DNSInjectionKeys
    censor_locate: censor_locate.LocateKeys
    rst_forensics: list[RSTForensics]


def _steps(keys: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [*(keys.get("tls_handshakes") or []), *(keys.get("requests") or [])]


def _failed_endpoint(keys: Mapping[str, Any]) -> str | None:
    for record in _steps(keys):
        if record.get("failure"):
            return str(record.get("address") or record.get("x_address"))
    return None


def _reset_endpoints(keys: Mapping[str, Any]) -> list[str]:
    found = [
        f"{c['ip']}:{c['port']}"
        for c in keys.get("tcp_connect") or []
        if (c.get("status") or {}).get("failure") == RESET
    ]
    found += [
        str(r.get("address") or r.get("x_address"))
        for r in _steps(keys)
        if r.get("failure") == RESET
    ]
    return list(dict.fromkeys(found))


async def follow_up(
    url: str, keys: Mapping[str, Any], session: Session, *, dns: bool, locate: bool
) -> PacketTests:
    """The packet tests that fit the verdict: ``dns`` for DNS tampering, ``locate`` for blocking
    triggered by the name; RST forensics for every reset in ``keys``."""
    parts = urlsplit(url)
    scheme = parts.scheme
    host = to_ascii(parts.hostname or "")
    found = PacketTests()
    if dns:
        found["dns_injection"] = await dns_injection.measure(url, session)
    endpoint = _failed_endpoint(keys)
    if locate and endpoint and ":" in endpoint:
        ip, _, port = endpoint.rpartition(":")
        options = censor_locate.TraceOptions.of(session)
        found["censor_locate"] = await censor_locate.locate_endpoint(
            ip.strip("[]"), int(port), host, scheme, session, options
        )
    settings = session.settings
    timing = Timing(settings.timeouts.tcp, settings.timeouts.tls, 0.3)
    payload = trigger(scheme, host, settings.user_agent)
    forensics = []
    for address in _reset_endpoints(keys):
        ip, _, port = address.rpartition(":")
        forensics.append(
            await asyncio.to_thread(
                inspect_endpoint,
                ip.strip("[]"),
                int(port),
                payload,
                timing,
                own=session.own_addresses,
            )
        )
    if forensics:
        found["rst_forensics"] = forensics
    return found
