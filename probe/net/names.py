"""Host names on the wire: IDNA 2008 (UTS 46), because DNS, SNI and Host all need ASCII."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import idna

MAX_NAME_OCTETS = 253
MAX_LABEL_OCTETS = 63
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
"""Letters, digits, hyphen (RFC 1123) and the underscore real names use; nothing a header or
SNI would choke on."""


@lru_cache(maxsize=4096)
def is_ip_literal(host: str) -> bool:
    """Asked several times per target and per record analysed; parsing (a ValueError for every
    name) is what costs, so answers are remembered."""
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


def wire_name(host: str) -> str:
    """:func:`to_ascii`, refusing with ValueError what DNS, SNI and Host cannot carry: invalid
    IDNA, empty labels, a label over 63 octets or a name over 253 (RFC 1035 section 2.3.4)."""
    try:
        name = to_ascii(host)
    except UnicodeError as exc:  # idna.IDNAError is one
        raise ValueError(f"host is not a valid IDNA name: {exc}") from None
    if is_ip_literal(name):
        return name
    if not name or len(name) > MAX_NAME_OCTETS:
        raise ValueError(f"host name must be 1-{MAX_NAME_OCTETS} octets")
    if not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise ValueError(
            f"host name labels must be 1-{MAX_LABEL_OCTETS} letters, digits, '-' or '_'"
        )
    return name
