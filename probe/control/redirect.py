"""One redirect hop, read the same way by the probe and by the helper.

A ``Location`` header comes from the network: it may hold raw spaces and non-ASCII bytes, an
invalid IDNA name, a bad port or no host at all. Both ends escape it as a browser would and then
check it with :func:`probe.control.protocol.parse_target_url`, so a hostile hop is a ValueError
to record, never an exception that loses the measurement.
"""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from typing import Final
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from probe.control.protocol import ProtocolError, Target, parse_target_url
from probe.net.names import is_ip_literal

# Kept as they are when a path or query is escaped: RFC 3986's reserved and unreserved
# characters and '%' (already escaped); everything else a redirect may carry becomes %XX.
_URL_SAFE: Final = "/?#[]@!$&'()*+,;=:-._~%"
_NUMBER: Final = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
"""A last label that makes a host an IPv4 address to a browser (WHATWG URL, "ends in a number")."""


def next_url(current: str, location: str) -> str:
    """The absolute URL a ``Location`` header points to. Its bytes (read as Latin-1) are UTF-8
    text, or kept as raw bytes. Raises ValueError for what does not join (an unclosed IPv6
    bracket)."""
    raw = location.encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    return urljoin(current, raw)


def parse_hop(url: str) -> Target:
    """``url`` escaped and checked; raises ValueError (a ProtocolError) naming what is wrong.

    A host a browser reads as IPv4 (``0x7f000001``, ``2130706433``, ``127.1``, ``0177.0.0.1``)
    becomes that address, so the bogon filter judges the address it names; one that is not a
    valid address then is refused, as a browser refuses it.
    """
    target = parse_target_url(escaped(url))
    if is_ip_literal(target.host) or not _NUMBER.fullmatch(target.host.rsplit(".", 1)[-1]):
        return target
    try:
        packed = socket.inet_aton(target.host)
    except OSError:
        raise ProtocolError(
            f"host {target.host!r} ends in a number but is no IPv4 address"
        ) from None
    return replace(target, host=socket.inet_ntoa(packed))


def escaped(url: str) -> str:
    """``url`` with path and query %-escaped as a browser sends them: Location headers carry
    raw spaces and non-ASCII text. Raises ValueError for what does not split."""
    parts = urlsplit(url)
    path, query = (
        quote(part, safe=_URL_SAFE, errors="surrogateescape") for part in (parts.path, parts.query)
    )
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def request_url(target: Target) -> str:
    """The URL on the wire: the ASCII host, no fragment."""
    return urlunsplit(
        (target.scheme, netloc(target.host, target.port), target.path or "/", target.query, "")
    )


def netloc(host: str, port: int | None) -> str:
    bracketed = f"[{host}]" if ":" in host else host
    return bracketed if port is None else f"{bracketed}:{port}"
