"""The helper's own DNS lookup, built on the probe's primitives (it dials with probe.net.dial)."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field

from probe.helper.config import HelperConfig
from probe.net import dns
from probe.net.names import is_ip_literal


@dataclass(frozen=True)
class Resolved:
    addrs: tuple[str, ...]
    failure: str | None
    """In the probe's vocabulary (probe.net.errors); None when there are addresses."""


@dataclass
class Lookups:
    """Names resolved during one control request, so redirect hops reuse the first answer."""

    config: HelperConfig
    t_zero: float
    done: dict[str, Resolved] = field(default_factory=dict)

    async def resolve(self, host: str) -> Resolved:
        if host not in self.done:
            self.done[host] = await _resolve(host, self.config, self.t_zero)
        return self.done[host]


async def _resolve(host: str, config: HelperConfig, t_zero: float) -> Resolved:
    if is_ip_literal(host):
        return Resolved((host.strip("[]"),), None)
    timeout = config.timeouts.dns
    queries: list[dns.Query]
    if config.resolver:
        queries = list(
            await asyncio.gather(
                *(dns.udp_query(host, q, config.resolver, timeout, t_zero) for q in ("A", "AAAA"))
            )
        )
    else:
        queries = await dns.getaddrinfo(host, timeout, t_zero)
    # One spelling per address (dnspython writes ::ffff:127.0.0.1, ipaddress ::ffff:7f00:1),
    # so the probe's endpoints and our answers meet in one ip_info entry.
    seen = dict.fromkeys(ipaddress.ip_address(a) for q in queries for a in q.addresses())
    addrs = tuple(str(a) for a in sorted(seen, key=lambda a: a.version))
    return Resolved(addrs, None if addrs else queries[0].failure)
