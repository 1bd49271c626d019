"""Resolving a target the way every nettest must: all engines at once, bogons never contacted."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable
from typing import Any, Final

from probe.net import dns
from probe.net.bogons import is_bogon
from probe.nettests.session import Session
from probe.settings import Settings


async def lookups(
    host: str, session: Session, t_zero: float, lingering: list[dns.Exchange] | None = None
) -> list[dns.Query]:
    """The OS resolver (unless turned off) and A and AAAA to the configured resolver, at once."""
    timeout = session.settings.timeouts.dns
    pending: list[Awaitable[list[dns.Query]]] = []
    if session.settings.system_dns:
        pending.append(dns.getaddrinfo(host, timeout, t_zero, session.executor))
    if session.resolver:
        resolver = session.resolver

        async def direct(qtype: str) -> list[dns.Query]:
            own = session.own_addresses
            return [await dns.udp_query(host, qtype, resolver, timeout, t_zero, lingering, own)]

        pending += [direct("A"), direct("AAAA")]
    return [q for result in await asyncio.gather(*pending) for q in result]


MAX_SKIPPED_BOGONS: Final = 64
"""Stored skipped bogons per measurement: a reply of 3,000 bogons must not make a huge line
(the queries keep their own, capped, answers)."""


def contactable(queries: list[dns.Query], settings: Settings, skipped: list[str]) -> list[str]:
    """Every engine's addresses, IPv4 first, capped at ``max_addresses``.

    Private and reserved answers go to ``skipped`` instead: a censor's injected 10.x or 127.x
    answer must never make the probe talk to the volunteer's own network.
    """
    found = dict.fromkeys(a for q in queries for a in q.addresses())
    usable = []
    for address in sorted(found, key=lambda a: ipaddress.ip_address(a).version):
        if not is_bogon(address, settings.bogon_exempt):
            usable.append(address)
        else:
            skip_bogon(address, skipped)
    return usable[: settings.max_addresses]


def skip_bogon(address: str, skipped: list[str]) -> None:
    """Note a bogon that was not contacted; one past the cap is kept to show the list is cut."""
    if len(skipped) <= MAX_SKIPPED_BOGONS and address not in skipped:
        skipped.append(address)


def skipped_keys(skipped: list[str]) -> dict[str, Any]:
    """``x_skipped_bogons``, capped, and ``x_skipped_bogons_truncated`` when the cap cut it."""
    cut = len(skipped) > MAX_SKIPPED_BOGONS
    return {
        "x_skipped_bogons": skipped[:MAX_SKIPPED_BOGONS],
        **({"x_skipped_bogons_truncated": True} if cut else {}),
    }
