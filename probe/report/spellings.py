"""Every way an IP address can be spelled in stored text, as one regular expression per address.

A site that echoes its visitor rarely writes the address the way the probe would: hostnames dash
it (``192-0-2-5.isp.kz``), reverse zones turn it around (``5.2.0.192.in-addr.arpa``), scripts
print it as an integer or in hex, cookies base64 it, URLs percent-encode it, and IPv6 has upper
case, leading zeros, any ``::`` compression and the IPv4-mapped form. Each spelling is an
alternative of one pattern, fenced so that 192.0.2.5 never matches inside 192.0.2.55.

The pattern is ASCII, so the same source compiles for text and for decoded binary bodies.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from functools import lru_cache

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

_SEP4 = r"(?:[._-]|%2[eE])"
"""Between IPv4 octets: a dot, a dash or underscore (hostnames), or a percent-encoded dot."""
_SEP6 = r"(?::|%3[aA]|-)"
"""Between IPv6 groups: a colon, a percent-encoded one, or a dash (``2001-db8--5`` names)."""
_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9])", r"(?![0-9])"
_NOT_HEX_BEFORE, _NOT_HEX_AFTER = r"(?<![0-9A-Fa-f])", r"(?![0-9A-Fa-f])"
_NOT_WORD_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_B64_BEFORE, _NOT_B64_AFTER = r"(?<![A-Za-z0-9+/_-])", r"(?![A-Za-z0-9+/_-])"
_MIN_EMBEDDED_BYTES = 9
"""Below this, a base64 fragment cut out of a longer blob is too short to be told from noise."""


def _hex(text: str) -> str:
    return f"(?i:{text})"


def _fenced(body: str, before: str, after: str) -> str:
    return f"{before}(?:{body}){after}"


def _ipv4(ip: ipaddress.IPv4Address) -> list[str]:
    octets = list(ip.packed)
    # Each octet in decimal, zero-padded or not, or in octal as inet_aton() reads a leading 0.
    decimal = [f"0*{o}" if o < 8 else f"(?:0*{o}|0+{o:o})" for o in octets]
    prefixed = [_hex(f"0x0*{o:x}") for o in octets]
    forms = [_SEP4.join(decimal), _SEP4.join(reversed(decimal))]
    spellings = [
        _fenced("|".join(forms), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
        _fenced(_SEP4.join(prefixed), _NOT_WORD_BEFORE, _NOT_HEX_AFTER),
        _fenced(str(int(ip)), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
        _fenced(_hex(f"0x0*{int(ip):x}"), _NOT_WORD_BEFORE, _NOT_HEX_AFTER),
    ]
    # Without a 0x prefix a hex spelling made only of digits is a decimal one (16.17.18.19 would
    # scrub 10.11.12.13), so it counts only when it has a letter in it.
    dotted_hex = ".".join(f"{o:02x}" for o in octets)
    if re.search("[a-f]", dotted_hex):
        unprefixed = _SEP4.join(_hex(f"0*{o:x}") for o in octets)
        spellings.append(_fenced(unprefixed, _NOT_HEX_BEFORE, _NOT_HEX_AFTER))
    if re.search("[a-f]", f"{int(ip):x}"):
        spellings.append(_fenced(_hex(f"0*{int(ip):x}"), _NOT_HEX_BEFORE, _NOT_HEX_AFTER))
    embedded = [ipaddress.IPv6Address(f"::ffff:{ip}"), ipaddress.IPv6Address(f"64:ff9b::{ip}")]
    spellings += [_ipv6_text(mapped) for mapped in embedded]
    spellings += _base64(str(ip).encode(), embedded=True)
    spellings += _base64(ip.packed, embedded=False)
    return spellings


def _ipv6_text(ip: ipaddress.IPv6Address) -> str:
    """Any case, any leading zeros, any single ``::`` over a run of zero groups."""
    groups = [int.from_bytes(ip.packed[i : i + 2], "big") for i in range(0, 16, 2)]
    parts = [_hex(f"0*{g:x}") if g else "0{1,4}" for g in groups]
    forms = [_SEP6.join(parts)]
    for start in range(8):
        for end in range(start + 1, 9):
            if not all(g == 0 for g in groups[start:end]):
                break
            forms.append(_SEP6.join(parts[:start]) + _SEP6 * 2 + _SEP6.join(parts[end:]))
    return _fenced("|".join(forms), r"(?<![0-9A-Fa-f:])", _NOT_HEX_AFTER)


def _ipv6(ip: ipaddress.IPv6Address) -> list[str]:
    nibbles = ip.exploded.replace(":", "")
    spellings = [
        _ipv6_text(ip),
        _fenced(_hex(r"\.".join(reversed(nibbles))), _NOT_HEX_BEFORE, _NOT_HEX_AFTER),
        _fenced(_hex(f"(?:0x)?{nibbles}"), _NOT_HEX_BEFORE, _NOT_HEX_AFTER),
        _fenced(str(int(ip)), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
    ]
    for text in {str(ip), ip.exploded}:
        spellings += _base64(text.encode(), embedded=True)
    spellings += _base64(ip.packed, embedded=True)
    return spellings


def _base64(data: bytes, embedded: bool) -> list[str]:
    """Standard and URL-safe base64 of ``data``, alone or (when long enough) inside a longer blob.

    Inside a blob the encoding depends on the offset modulo 3; for each offset only the
    characters whose six bits all come from ``data`` are fixed, so those are the pattern.
    """
    whole = base64.b64encode(data).decode().rstrip("=")
    variants = {whole, whole.replace("+", "-").replace("/", "_")}
    spellings = [
        _fenced("|".join(re.escape(v) for v in sorted(variants)), _NOT_B64_BEFORE, r"={0,2}")
        + _NOT_B64_AFTER
    ]
    if not embedded or len(data) < _MIN_EMBEDDED_BYTES:
        return spellings
    cores: set[str] = set()
    for offset in (1, 2):
        encoded = base64.b64encode(bytes(offset) + data + bytes(3)).decode()
        first = -(-8 * offset // 6)  # the first character that starts inside ``data``
        last = (8 * (offset + len(data))) // 6  # one past the last that ends inside it
        core = encoded[first:last]
        cores |= {core, core.replace("+", "-").replace("/", "_")}
    # Offset 0 is ``whole`` itself, minus a last character that may share bits with what follows.
    cores |= {v[: 8 * len(data) // 6] for v in variants}
    spellings.append("|".join(re.escape(c) for c in sorted(cores)))
    return spellings


def canonical(address: str) -> IP:
    """The address without brackets or an IPv6 zone (``fe80::1%eth0``); ValueError if none."""
    return ipaddress.ip_address(address.strip().strip("[]").partition("%")[0])


@lru_cache(maxsize=256)
def address_pattern(address: str) -> str:
    """One regular-expression source matching every spelling of ``address``."""
    ip = canonical(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    spellings = _ipv4(ip) if isinstance(ip, ipaddress.IPv4Address) else _ipv6(ip)
    return "|".join(f"(?:{s})" for s in spellings)
