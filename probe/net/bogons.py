"""Which addresses are bogons: never valid answers for a public name, never safe to contact.

Pure and shared by the nettests (which do not connect to bogons), by analysis (where a bogon
answer is evidence of DNS tampering) and by the helper's SSRF guard. The decision comes from an
explicit table (the IANA IPv4 and IPv6 Special-Purpose Address Registries, plus the few ranges
those registries leave to others), not from ``ipaddress.is_global``, which calls NAT64, 6to4,
IPv4-compatible and site-local space global. An IPv6 address that carries an IPv4 address (NAT64,
6to4, Teredo, IPv4-mapped or -compatible) is also judged by the IPv4 address it carries: a
translator would deliver it there. The lab and tests exempt their own ranges explicitly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Embedded = Callable[[ipaddress.IPv6Address], tuple[ipaddress.IPv4Address, ...]]

IANA_V4: Final = "IANA IPv4 Special-Purpose Address Registry"
IANA_V6: Final = "IANA IPv6 Special-Purpose Address Registry"
OTHER: Final = "outside the special-purpose registries"


def _low32(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """RFC 6052 /96, IPv4-mapped and IPv4-compatible forms: the last 32 bits."""
    return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)


def _sixtofour(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    return (ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF),)


def _teredo(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The Teredo server and the (obfuscated) client address, RFC 4380 section 4."""
    return (
        ipaddress.IPv4Address((int(ip) >> 64) & 0xFFFFFFFF),
        ipaddress.IPv4Address(~int(ip) & 0xFFFFFFFF),
    )


@dataclass(frozen=True)
class SpecialRange:
    network: Network
    name: str
    rfc: str
    globally_reachable: bool | None
    """The registry's column; None where it says N/A (then the embedded address decides)."""
    registry: str
    embedded: Embedded | None = None
    """The IPv4 addresses a translator or tunnel would deliver packets for this address to."""
    translates: bool = False
    """A translator or relay turns it into IPv4 traffic: the helper never contacts it."""


def _r(
    cidr: str,
    name: str,
    rfc: str,
    reachable: bool | None,
    registry: str,
    embedded: Embedded | None = None,
    translates: bool = False,
) -> SpecialRange:
    return SpecialRange(
        ipaddress.ip_network(cidr), name, rfc, reachable, registry, embedded, translates
    )


# fmt: off
SPECIAL_RANGES: Final[tuple[SpecialRange, ...]] = (
    _r("0.0.0.0/8", "This network", "RFC 791 section 3.2", False, IANA_V4),
    _r("0.0.0.0/32", "This host on this network", "RFC 1122 section 3.2.1.3", False, IANA_V4),
    _r("10.0.0.0/8", "Private-Use", "RFC 1918", False, IANA_V4),
    _r("100.64.0.0/10", "Shared Address Space", "RFC 6598", False, IANA_V4),
    _r("127.0.0.0/8", "Loopback", "RFC 1122 section 3.2.1.3", False, IANA_V4),
    _r("169.254.0.0/16", "Link Local", "RFC 3927", False, IANA_V4),
    _r("172.16.0.0/12", "Private-Use", "RFC 1918", False, IANA_V4),
    _r("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 section 2.1", False, IANA_V4),
    _r("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", False, IANA_V4),
    _r("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", False, IANA_V4),
    _r("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", True, IANA_V4),
    _r("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", True, IANA_V4),
    _r("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880 section 2.2", False, IANA_V4),
    _r("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880 section 2.2", False, IANA_V4),
    _r("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", False, IANA_V4),
    _r("192.31.196.0/24", "AS112-v4", "RFC 7535", True, IANA_V4),
    _r("192.52.193.0/24", "AMT", "RFC 7450", True, IANA_V4),
    _r("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", None, IANA_V4),
    _r("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", False, IANA_V4),
    _r("192.168.0.0/16", "Private-Use", "RFC 1918", False, IANA_V4),
    _r("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", True, IANA_V4),
    _r("198.18.0.0/15", "Benchmarking", "RFC 2544", False, IANA_V4),
    _r("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", False, IANA_V4),
    _r("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", False, IANA_V4),
    _r("240.0.0.0/4", "Reserved", "RFC 1112 section 4", False, IANA_V4),
    _r("255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 section 7", False, IANA_V4),
    _r("224.0.0.0/4", "Multicast (never a unicast destination)", "RFC 5771", False, OTHER),
    _r("::1/128", "Loopback Address", "RFC 4291", False, IANA_V6),
    _r("::/128", "Unspecified Address", "RFC 4291", False, IANA_V6),
    _r("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", False, IANA_V6, _low32),
    _r("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", True, IANA_V6, _low32, True),
    _r("64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", False, IANA_V6, translates=True),
    _r("100::/64", "Discard-Only Address Block", "RFC 6666", False, IANA_V6),
    _r("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", False, IANA_V6),
    _r("2001::/23", "IETF Protocol Assignments", "RFC 2928", False, IANA_V6),
    _r("2001::/32", "TEREDO", "RFC 4380, RFC 8190", None, IANA_V6, _teredo, True),
    _r("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", True, IANA_V6),
    _r("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", True, IANA_V6),
    _r("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", True,
       IANA_V6),
    _r("2001:2::/48", "Benchmarking", "RFC 5180, RFC Errata 1752", False, IANA_V6),
    _r("2001:3::/32", "AMT", "RFC 7450", True, IANA_V6),
    _r("2001:4:112::/48", "AS112-v6", "RFC 7535", True, IANA_V6),
    _r("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", None, IANA_V6),
    _r("2001:20::/28", "ORCHIDv2", "RFC 7343", True, IANA_V6),
    _r("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", True,
       IANA_V6),
    _r("2001:db8::/32", "Documentation", "RFC 3849", False, IANA_V6),
    _r("2002::/16", "6to4", "RFC 3056", None, IANA_V6, _sixtofour, True),
    _r("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", True, IANA_V6),
    _r("3fff::/20", "Documentation", "RFC 9637", False, IANA_V6),
    _r("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", False, IANA_V6),
    _r("fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", False, IANA_V6),
    _r("fe80::/10", "Link-Local Unicast", "RFC 4291", False, IANA_V6),
    _r("::/96", "IPv4-compatible (deprecated)", "RFC 4291 section 2.5.5.1", False, OTHER,
       _low32),
    _r("fec0::/10", "Site-local (deprecated)", "RFC 3879", False, OTHER),
    _r("ff00::/8", "Multicast (never a unicast destination)", "RFC 4291", False, OTHER),
)
# fmt: on

GLOBAL_UNICAST_V6: Final = ipaddress.IPv6Network("2000::/3")
"""The only IPv6 space IANA allocates for global unicast; the rest is reserved by the IETF."""

# Per IP version, most specific first (so the first match is the entry that applies), as
# integers: every DNS answer a run or an analysis sees is looked up here.
_BY_SPECIFICITY: Final = {
    version: [
        (int(r.network.netmask), int(r.network.network_address), r)
        for r in sorted(SPECIAL_RANGES, key=lambda r: -r.network.prefixlen)
        if r.network.version == version
    ]
    for version in (4, 6)
}


@lru_cache(maxsize=32)
def _parse(exempt: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(cidr.strip(), strict=False) for cidr in exempt if cidr.strip()
    )


def parse_exemptions(cidrs: Iterable[str]) -> tuple[str, ...]:
    """Validate CIDRs early so a typo in a flag fails before any measurement."""
    return tuple(str(net) for net in _parse(tuple(cidrs)))


def special_range(ip: Address) -> SpecialRange | None:
    """The most specific table entry holding ``ip``, or None for ordinary unicast space."""
    value = int(ip)
    return next((r for mask, net, r in _BY_SPECIFICITY[ip.version] if value & mask == net), None)


def is_bogon(address: str, exempt: tuple[str, ...] = ()) -> bool:
    """True for any address that is not globally reachable unicast, by the table above."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return _bogon(ip, _parse(exempt))


def is_exempt(address: str, exempt: tuple[str, ...]) -> bool:
    """``address`` itself lies in one of the ``exempt`` CIDRs."""
    try:
        return _exempt(ipaddress.ip_address(address), _parse(exempt))
    except ValueError:
        return False


def uncontactable(address: str, exempt: tuple[str, ...] = ()) -> bool:
    """Never to be connected to: a bogon, unless the address itself is exempt. Unlike the bogon
    flag, an exemption never reaches the IPv4 address a NAT64, 6to4 or Teredo address carries,
    so ``--bogon-exempt 127.0.0.0/8`` lets 127.0.0.1 through, not ``64:ff9b::7f00:1``."""
    return not is_exempt(address, exempt) and is_bogon(address)


def translates(address: str) -> bool:
    """True for NAT64, 6to4 and Teredo space: reaching it means reaching an IPv4 host via a
    translator or relay, whose own policy the helper cannot see."""
    try:
        entry = special_range(ipaddress.ip_address(address))
    except ValueError:
        return False
    return entry is not None and entry.translates


def _exempt(ip: Address, exempt: tuple[Network, ...]) -> bool:
    return any(ip.version == net.version and ip in net for net in exempt)


def _bogon(ip: Address, exempt: tuple[Network, ...]) -> bool:
    if _exempt(ip, exempt):
        return False
    entry = special_range(ip)
    if entry is None:
        return ip.version == 6 and ip not in GLOBAL_UNICAST_V6
    if entry.embedded is not None and isinstance(ip, ipaddress.IPv6Address):
        if any(_bogon(v4, exempt) for v4 in entry.embedded(ip)):
            return True
        return entry.globally_reachable is False
    return entry.globally_reachable is not True
