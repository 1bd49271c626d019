"""Spellings of an address as sites, DNS and scripts write them, made with the standard library
only, so the tests check the scrubber against an independent idea of each spelling."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable

Spelling = Callable[[ipaddress.IPv4Address], str]
Spelling6 = Callable[[ipaddress.IPv6Address], str]


def _octets(ip: ipaddress.IPv4Address) -> list[int]:
    return list(ip.packed)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


IPV4: dict[str, Spelling] = {
    "dotted": str,
    "zero-padded": lambda ip: ".".join(f"{o:03d}" for o in _octets(ip)),
    "dashed host name": lambda ip: "ip-" + "-".join(map(str, _octets(ip))) + ".isp.kz",
    "in-addr.arpa": lambda ip: ip.reverse_pointer,
    "decimal integer": lambda ip: str(int(ip)),
    "hex 0x": lambda ip: f"0x{int(ip):08X}",
    "dotted 0x": lambda ip: ".".join(f"0x{o:x}" for o in _octets(ip)),
    "octal": lambda ip: ".".join(f"0{o:o}" for o in _octets(ip)),
    "url-encoded": lambda ip: str(ip).replace(".", "%2E"),
    "mapped hex": lambda ip: f"::ffff:{int(ip) >> 16:x}:{int(ip) & 0xFFFF:x}",
    "mapped dotted": lambda ip: f"::FFFF:{ip}",
    "mapped exploded": lambda ip: ipaddress.IPv6Address(f"::ffff:{ip}").exploded,
    "base64": lambda ip: _b64(str(ip).encode()),
    "base64url": lambda ip: _b64url(str(ip).encode()),
    "base64 packed": lambda ip: _b64(ip.packed),
    "base64url packed": lambda ip: _b64url(ip.packed),
    "base64 inside a blob": lambda ip: _b64(f"session=1&ip={ip}&t=2".encode()),
    "base64url inside a blob": lambda ip: _b64url(f'{{"ip":"{ip}"}}'.encode()),
}

IPV4_WITH_HEX_LETTERS: dict[str, Spelling] = {
    # Without 0x, hex made only of digits is a decimal number: scrubbed only when it has a letter.
    "hex": lambda ip: f"{int(ip):08x}",
    "dotted hex": lambda ip: ".".join(f"{o:02x}" for o in _octets(ip)),
}


IPV6: dict[str, Spelling6] = {
    "compressed": str,
    "exploded": lambda ip: ip.exploded,
    "upper case": lambda ip: str(ip).upper(),
    "upper exploded": lambda ip: ip.exploded.upper(),
    "uncompressed": lambda ip: ":".join(f"{int(g, 16):x}" for g in ip.exploded.split(":")),
    "bracketed with port": lambda ip: f"[{ip}]:443",
    "url-encoded": lambda ip: str(ip).replace(":", "%3A"),
    "ipv6-literal host name": lambda ip: str(ip).replace(":", "-") + ".ipv6-literal.net",
    "ip6.arpa": lambda ip: ip.reverse_pointer,
    "hex": lambda ip: ip.packed.hex(),
    "decimal integer": lambda ip: str(int(ip)),
    "base64": lambda ip: _b64(str(ip).encode()),
    "base64 packed": lambda ip: _b64(ip.packed),
    "base64url packed": lambda ip: _b64url(ip.packed),
    "base64 inside a blob": lambda ip: _b64(f"addr={ip};".encode()),
}


def every_spelling(address: str) -> list[str]:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        found = [f(ip) for f in IPV4.values()]
        return found + [f(ip) for f in IPV4_WITH_HEX_LETTERS.values() if f(ip).strip("0123456789.")]
    # A fragment of a longer blob needs 7 bytes of address to be told from noise.
    return [f(ip) for k, f in IPV6.items() if k != "base64 inside a blob" or len(str(ip)) >= 7]
