"""facebook_messenger: the hosts Facebook Messenger uses (OONI ts-019)."""

from __future__ import annotations

import asyncio

from probe.net.geoip import asn_of
from probe.nettests.messaging.app import AppKeys, measure_app
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "facebook_messenger"
TEST_VERSION = "0.2.1"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Facebook Messenger: its API, MQTT edge, CDN and STUN hosts"


class FacebookKeys(AppKeys):
    x_asns: dict[str, int | None]
    socksproxy: None


async def measure(input: str, session: Session) -> FacebookKeys:
    """Measure Facebook Messenger; ``input`` is unused (the hosts are built in).

    ``x_asns`` maps each resolved address to the AS announcing it (null: unknown), looked up in
    ``Settings.asn_zone`` when geolocation is on; ``{}`` when it is off. Whether a name is
    consistent with Facebook's AS is judged in ``probe.analysis.app_keys``."""
    keys = await measure_app(TEST_NAME, session)
    resolved = (a.get("ipv4") or a.get("ipv6") for q in keys["queries"] for a in q["answers"])
    asns = await _asns([ip for ip in dict.fromkeys(resolved) if ip], session)
    return {**keys, "x_asns": asns, "socksproxy": None}  # socksproxy (ts-019): none is used


async def _asns(addresses: list[str], session: Session) -> dict[str, int | None]:
    zone, resolver = session.settings.asn_zone, session.resolver
    if not zone or not resolver:
        return {}
    timeout = session.settings.timeouts.dns
    found = await asyncio.gather(*(asn_of(ip, zone, resolver, timeout) for ip in addresses))
    return dict(zip(addresses, found, strict=True))


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
