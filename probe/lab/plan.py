"""The lab's address plan: TEST-NET only, identical in every lab.

Each lab lives in its own namespaces with no link to the host, so two labs can reuse the same
addresses; only the namespace names must differ.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

LAB_RANGES_V4 = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
"""The three TEST-NET ranges."""
LAB_RANGE_V6 = "2001:db8::/32"
"""The IPv6 documentation prefix (RFC 3849)."""
LAB_RANGES = (*LAB_RANGES_V4, LAB_RANGE_V6)
"""Nothing outside these is ever addressed or routed."""

NS_PREFIX = "plab-"
"""Every namespace, work folder and /etc/netns entry of a lab starts with this."""

ROLES = ("client", "hop", "censor", "internet")

CLIENT = "192.0.2.2"
HOP_CLIENT_SIDE = "192.0.2.1"
HOP_CENSOR_SIDE = "192.0.2.9"
CENSOR_HOP_SIDE = "192.0.2.10"
ISP_RESOLVER = "192.0.2.53"
CENSOR_INTERNET_SIDE = "198.51.100.1"
INTERNET_CENSOR_SIDE = "198.51.100.2"
HONEST_RESOLVER = "198.51.100.53"
NO_DNS_ADDRESS = INTERNET_CENSOR_SIDE
"""Runs no DNS server: any answer from it was forged on the way (the dns_injection test)."""
DOH_URL = f"https://{HONEST_RESOLVER}/dns-query"
HELPER = "198.51.100.80"
HELPER_PORT = 443
HELPER_URL = f"https://{HELPER}/"
"""The control helper, on the uncensored side like a helper deployed abroad, over HTTPS as
OONI's are (so a censor that resets every TLS handshake cuts it off too)."""
COLLECTOR = "198.51.100.81"
COLLECTOR_URL = f"https://{COLLECTOR}/"
"""The collector, deployed abroad like the helper, over HTTPS as bk-003 requires."""
SOCKS = "198.51.100.82"
SOCKS_PORT = 1080
SOCKS_URL = f"socks5://{SOCKS}:{SOCKS_PORT}"
"""microsocks, a real SOCKS5 server, standing in for a Tor client's exit for --upload-proxy."""
WEB_NET = "203.0.113.0/24"
"""Routed as local in the internet namespace, so every address in it reaches nginx."""
WEB_POOL = tuple(f"203.0.113.{i}" for i in range(10, 251))
# IPv6 mirrors the IPv4 plan: 2001:db8:2:: is the ISP side, 2001:db8:100:: the internet side,
# 2001:db8:113:: the web hosts. Each link is a /64.
CLIENT6 = "2001:db8:2::2"
HOP6_CLIENT_SIDE = "2001:db8:2::1"
CLIENT_NET6 = "2001:db8:2::/64"
HOP6_CENSOR_SIDE = "2001:db8:2:1::9"
CENSOR6_HOP_SIDE = "2001:db8:2:1::10"
ISP_SIDE_NET6 = "2001:db8:2::/48"
CENSOR6_INTERNET_SIDE = "2001:db8:100::1"
INTERNET6_CENSOR_SIDE = "2001:db8:100::2"
WEB_NET6 = "2001:db8:113::/64"
"""Routed as local in the internet namespace, like WEB_NET."""
BLOCKPAGE_PORT_BASE = 8100
MITM_PORT = 8443


def in_lab(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(r) for r in LAB_RANGES)


def web_v6(address: str) -> str:
    """The IPv6 twin of a web address: 203.0.113.N is 2001:db8:113::N (N read as written)."""
    return f"2001:db8:113::{address.rpartition('.')[2]}"


def allocate(domains: Iterable[str], dedicated: Sequence[str]) -> dict[str, str]:
    """Give every domain a web address, deterministically.

    Domains in ``dedicated`` (targets of address-level rules) get an address of their own so the
    rule touches nothing else; the rest share the remaining pool round-robin in sorted order, as
    thousands of domains must fit in one /24.
    """
    plan: dict[str, str] = {}
    pool = list(WEB_POOL)
    for domain in dict.fromkeys(dedicated):
        if len(pool) < 2:
            raise ValueError("too many domains need an address of their own")
        plan[domain] = pool.pop(0)
    for i, domain in enumerate(sorted(set(domains) - set(plan))):
        plan[domain] = pool[i % len(pool)]
    return plan
