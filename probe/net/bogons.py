"""Which addresses are bogons: never valid answers for a public name.

Pure and shared by the nettest (which does not connect to bogons) and by analysis (where a bogon
answer is evidence of DNS tampering). The lab and tests exempt their own ranges explicitly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def _parse(exempt: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(cidr.strip(), strict=False) for cidr in exempt if cidr.strip()
    )


def parse_exemptions(cidrs: Iterable[str]) -> tuple[str, ...]:
    """Validate CIDRs early so a typo in a flag fails before any measurement."""
    return tuple(str(net) for net in _parse(tuple(cidrs)))


def is_bogon(address: str, exempt: tuple[str, ...] = ()) -> bool:
    """True for private, loopback, link-local, reserved, documentation and multicast space."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if any(ip in net for net in _parse(exempt)):
        return False
    return not ip.is_global or ip.is_multicast
