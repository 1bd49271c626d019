"""Host names on the wire: IDNA 2008 (UTS 46), because DNS, SNI and Host all need ASCII."""

from __future__ import annotations

import ipaddress

import idna


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def to_ascii(host: str) -> str:
    """Punycode for IDN hosts (``сайт.қаз`` -> ``xn--80aswg.xn--80ao21a``); IPs pass through."""
    host = host.rstrip(".")
    if is_ip_literal(host) or host.isascii():
        return host.lower()
    return idna.encode(host, uts46=True).decode("ascii")
