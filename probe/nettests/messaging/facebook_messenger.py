"""facebook_messenger: the hosts Facebook Messenger uses (OONI ts-019)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from probe.net.geoip import asn_of
from probe.nettests.messaging.app import Result, by_role, measure_app
from probe.nettests.messaging.checks import RESOLVE
from probe.nettests.session import Session

TEST_NAME = "facebook_messenger"
TEST_VERSION = "0.2.1"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Facebook Messenger: its API, MQTT edge, CDN and STUN hosts"
FACEBOOK_ASN = 32934
"""ts-019: a name is DNS-consistent when its addresses belong to Facebook's AS."""


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure Facebook Messenger; ``input`` is unused (the hosts are built in).

    ``x_asns`` maps each resolved address to the AS announcing it (null: unknown), looked up in
    ``Settings.asn_zone`` when geolocation is on; ``{}`` when it is off."""
    keys = await measure_app(TEST_NAME, session, lambda _: {})
    resolved = addresses_by_host(keys["queries"])
    asns = await _asns(list(dict.fromkeys(a for ips in resolved.values() for a in ips)), session)
    keys["x_asns"] = asns
    return keys | ooni_keys(keys["x_endpoints"], resolved, asns)


def addresses_by_host(queries: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for query in queries:
        ips = found.setdefault(query["hostname"], [])
        for answer in query["answers"]:
            ip = answer.get("ipv4") or answer.get("ipv6")
            if ip and ip not in ips:
                ips.append(ip)
    return found


async def _asns(addresses: list[str], session: Session) -> dict[str, int | None]:
    zone, resolver = session.settings.asn_zone, session.resolver
    if not zone or not resolver:
        return {}
    timeout = session.settings.timeouts.dns
    found = await asyncio.gather(*(asn_of(ip, zone, resolver, timeout) for ip in addresses))
    return dict(zip(addresses, found, strict=True))


def ooni_keys(
    results: list[Result],
    resolved: Mapping[str, list[str]] | None = None,
    asns: Mapping[str, int | None] | None = None,
) -> dict[str, Any]:
    """ts-019's keys. A name is DNS-consistent when it resolved and no address of it is known to
    be outside AS32934; an address whose AS is unknown (no lookup, or none answered) does not
    count against it, so without geolocation the check is that the name resolved."""
    resolved, asns = resolved or {}, asns or {}
    keys: dict[str, Any] = {}
    for role in dict.fromkeys(r["role"] for r in results):
        part = by_role(results, role)
        known = [asns[ip] for r in part for ip in resolved.get(r["hostname"], []) if asns.get(ip)]
        keys[f"facebook_{role}_dns_consistent"] = any(
            r["failed_operation"] != RESOLVE for r in part
        ) and all(asn == FACEBOOK_ASN for asn in known)
        keys[f"facebook_{role}_reachable"] = (
            None if part[0]["kind"] == "dns" else any(r["failure"] is None for r in part)
        )
    dns = [v for k, v in keys.items() if k.endswith("_dns_consistent")]
    tcp = [v for k, v in keys.items() if k.endswith("_reachable") and v is not None]
    keys["facebook_dns_blocking"] = not all(dns)
    keys["facebook_tcp_blocking"] = not all(tcp)
    return keys
