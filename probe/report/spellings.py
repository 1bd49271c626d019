"""Every way an IP address can be spelled in stored text, as compiled patterns per address.

A site that echoes its visitor rarely writes the address the way the probe would: hostnames dash
it (``192-0-2-5.isp.kz``), reverse zones turn it around (``5.2.0.192.in-addr.arpa``), scripts
print it as an integer or in hex, cookies base64 it, URLs percent-encode it, and IPv6 has upper
case, leading zeros, any ``::`` compression and the IPv4-mapped form. Each spelling is an
alternative of one pattern, fenced so that 192.0.2.5 never matches inside 192.0.2.55.

Speed matters (a run scrubs every body it stores), and a regular expression with a hundred
alternatives tried at every character is slow. So the scrubber looks only where a spelling can
be: every textual spelling is a run of :data:`RUN_CHARS` containing one of a few ``keys`` (an
octet or group as it must appear), and every base64 spelling contains one of a few literal
``needles``; both are found at C speed, and the full pattern runs only there.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

RUN_CHARS = "0-9A-Fa-fxX.:%_-"
"""Every character of every textual spelling (digits, hex, 0x, separators, %-escapes)."""
_SEP4 = r"(?:[._-]|%2[eE])"
"""Between IPv4 octets: a dot, a dash or underscore (hostnames), or a percent-encoded dot."""
_SEP6 = r"(?::|%3[aA]|-)"
"""Between IPv6 groups: a colon, a percent-encoded one, or a dash (``2001-db8--5`` names)."""
_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9])", r"(?![0-9])"
_NOT_HEX_BEFORE, _NOT_HEX_AFTER = r"(?<![0-9A-Fa-f])", r"(?![0-9A-Fa-f])"
_NOT_WORD_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_B64_BEFORE, _NOT_B64_AFTER = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
_MIN_EMBEDDED_BYTES = 7
"""Below this, a base64 fragment cut out of a longer blob is too short to be told from noise."""


@dataclass(frozen=True)
class Spellings:
    text: str
    """Pattern source for the textual spellings; each match lies within a run of RUN_CHARS."""
    keys: frozenset[str]
    """Lower-case strings of which every textual match contains at least one."""
    base64: str
    """Pattern source for the base64 spellings."""
    needles: frozenset[str]
    """Literals of which every base64 match contains at least one."""


def _hex(text: str) -> str:
    return f"(?i:{text})"


def _fenced(body: str, before: str, after: str) -> str:
    return f"{before}(?:{body}){after}"


def _ipv4(ip: ipaddress.IPv4Address) -> tuple[list[str], set[str]]:
    octets = list(ip.packed)
    # Each octet in decimal, zero-padded or not, or in octal as inet_aton() reads a leading 0.
    decimal = [f"0*{o}" if o < 8 else f"(?:0*{o}|0+{o:o})" for o in octets]
    prefixed = [_hex(f"0x0*{o:x}") for o in octets]
    # Reversed only where a name goes on (in-addr.arpa, a DNSBL, an ISP's host name): bare, it
    # is just another address.
    forms = [_SEP4.join(decimal), _SEP4.join(reversed(decimal)) + f"(?={_SEP4}[A-Za-z])"]
    spellings = [
        _fenced("|".join(forms), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
        _fenced(_SEP4.join(prefixed), _NOT_WORD_BEFORE, _NOT_HEX_AFTER),
        _fenced(str(int(ip)), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
        _fenced(_hex(f"0x0*{int(ip):x}"), _NOT_WORD_BEFORE, _NOT_HEX_AFTER),
    ]
    # Without a 0x prefix a hex spelling made only of digits is a decimal one (16.17.18.19 would
    # scrub 10.11.12.13), so it counts only when it has a letter in it.
    if re.search("[a-f]", ".".join(f"{o:02x}" for o in octets)):
        unprefixed = _SEP4.join(_hex(f"0*{o:x}") for o in octets)
        spellings.append(_fenced(unprefixed, _NOT_HEX_BEFORE, _NOT_HEX_AFTER))
    if re.search("[a-f]", f"{int(ip):x}"):
        spellings.append(_fenced(_hex(f"0*{int(ip):x}"), _NOT_HEX_BEFORE, _NOT_HEX_AFTER))
    # Every dotted or dashed form holds the largest octet in decimal or octal, every hex form
    # its hex digits, the integers themselves.
    top = max(octets)
    keys = {str(top), f"{top:o}", f"{top:x}", str(int(ip)), f"{int(ip):x}"}
    for embedded in (f"::ffff:{ip}", f"64:ff9b::{ip}"):
        text, more = _ipv6_text(ipaddress.IPv6Address(embedded))
        spellings.append(text)
        keys |= more
    return spellings, keys


def _groups(ip: ipaddress.IPv6Address) -> list[int]:
    return [int.from_bytes(ip.packed[i : i + 2], "big") for i in range(0, 16, 2)]


def _ipv6_text(ip: ipaddress.IPv6Address) -> tuple[str, set[str]]:
    """Any case, any leading zeros, any single ``::`` over a run of zero groups."""
    groups = _groups(ip)
    parts = [_hex(f"0*{g:x}") if g else "0{1,4}" for g in groups]
    forms = [_SEP6.join(parts)]
    for start in range(8):
        for end in range(start + 1, 9):
            if not all(g == 0 for g in groups[start:end]):
                break
            forms.append(_SEP6.join(parts[:start]) + _SEP6 * 2 + _SEP6.join(parts[end:]))
    # Every form writes each non-zero group's digits; the longest is the rarest.
    key = max((f"{g:x}" for g in groups if g), key=len, default="0")
    return _fenced("|".join(forms), r"(?<![0-9A-Fa-f:])", _NOT_HEX_AFTER), {key}


def _ipv6(ip: ipaddress.IPv6Address) -> tuple[list[str], set[str]]:
    nibbles = ip.exploded.replace(":", "")
    arpa = ".".join(reversed(nibbles))
    text, keys = _ipv6_text(ip)
    spellings = [
        text,
        _fenced(_hex(re.escape(arpa)), _NOT_HEX_BEFORE, _NOT_HEX_AFTER),
        _fenced(_hex(f"(?:0x)?{nibbles}"), _NOT_HEX_BEFORE, _NOT_HEX_AFTER),
        _fenced(str(int(ip)), _NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER),
    ]
    return spellings, keys | {arpa, nibbles, str(int(ip))}


def _base64(data: bytes, embedded: bool) -> tuple[list[str], set[str]]:
    """Standard and URL-safe base64 of ``data``, alone or (when long enough) inside a longer blob.

    Inside a blob the encoding depends on the offset modulo 3; for each offset only the
    characters whose six bits all come from ``data`` are fixed, so those are the pattern.
    """
    whole = base64.b64encode(data).decode().rstrip("=")
    variants = {whole, whole.replace("+", "-").replace("/", "_")}
    alone = "|".join(re.escape(v) for v in sorted(variants))
    spellings = [_fenced(alone, _NOT_B64_BEFORE, r"={0,2}") + _NOT_B64_AFTER]
    if not embedded or len(data) < _MIN_EMBEDDED_BYTES:
        return spellings, variants
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
    return spellings, cores


def canonical(address: str) -> IP:
    """The address without brackets or an IPv6 zone (``fe80::1%eth0``); ValueError if none."""
    return ipaddress.ip_address(address.strip().strip("[]").partition("%")[0])


@lru_cache(maxsize=256)
def spellings(address: str) -> Spellings:
    """The patterns matching every spelling of ``address``, with their cheap pre-checks."""
    ip = canonical(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        text, keys = _ipv4(ip)
        encoded = [(str(ip).encode(), True), (ip.packed, False)]
    else:
        text, keys = _ipv6(ip)
        encoded = [(str(ip).encode(), True), (ip.exploded.encode(), True), (ip.packed, True)]
    b64: list[str] = []
    needles: set[str] = set()
    for data, embedded in encoded:
        more, found = _base64(data, embedded)
        b64 += more
        needles |= found
    return Spellings(
        "|".join(f"(?:{s})" for s in text),
        frozenset(k.lower() for k in keys),
        "|".join(f"(?:{s})" for s in b64),
        frozenset(needles),
    )
