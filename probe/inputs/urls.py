"""What makes a target URL measurable: checked up front so a bad list fails before any traffic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import idna

from probe.net.names import is_ip_literal, to_ascii

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_HOST_LENGTH = 253
MAX_URL_BYTES = 2048
"""Longer is no page a list names (browsers and CDNs refuse far less), and every byte of a URL is
stored several times per measurement: a 10 MB one would make lines of tens of megabytes."""
# Letters, digits and hyphens (RFC 1123); underscores too, since real DNS names carry them.
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_WHITESPACE = re.compile(r"\s")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


@dataclass(frozen=True)
class CheckedUrl:
    """The parts of a valid target URL that the network steps need."""

    hostname: str
    """Lower-case host as written (Unicode for IDN), without IPv6 brackets."""
    ascii_hostname: str
    """IDNA 2008 form for DNS, SNI and Host."""
    port: int
    key: str
    """Identity for duplicate detection: ``https://Example.com:443`` and ``https://example.com/``
    are the same target."""


def check_url(url: str) -> CheckedUrl:
    """Validate ``url``; raises ValueError whose message is the reason."""
    if not url:
        raise ValueError("empty URL")
    if len(url) > MAX_URL_BYTES or len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise ValueError(f"URL is longer than {MAX_URL_BYTES} bytes")
    if _WHITESPACE.search(url):
        raise ValueError("URL contains whitespace")
    if _CONTROL.search(url):
        raise ValueError("URL contains a control character")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"cannot parse URL: {exc}") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(
            f"scheme must be http or https, not {parts.scheme!r}"
            if parts.scheme
            else "missing scheme (http:// or https://)"
        )
    if "@" in parts.netloc:
        raise ValueError("user info (user@host) is not allowed")
    host = parts.hostname
    if not host:
        raise ValueError("missing host")
    ascii_host = _check_host(host)
    port = _port(parts)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    netloc = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    key = f"{parts.scheme}://{netloc}:{port}{path}{query}"
    return CheckedUrl(host, ascii_host, port, key)


def _check_host(host: str) -> str:
    """Return the ASCII form of ``host``, or raise ValueError saying what is wrong with it."""
    if (host[-1].isdigit() or ":" in host) and is_ip_literal(host):  # cheap test first
        return host
    try:
        ascii_host = to_ascii(host)
    except UnicodeError as exc:  # idna.IDNAError and the codec errors it can let through
        raise ValueError(f"host {host!r} is not a valid IDNA 2008 name ({exc})") from None
    if len(ascii_host) > MAX_HOST_LENGTH:
        raise ValueError(f"host is longer than {MAX_HOST_LENGTH} characters")
    labels = ascii_host.split(".")
    for label in labels:
        if label.startswith("xn--") and host.isascii():  # else to_ascii made it, so it is valid
            _check_alabel(host, label)
        elif not _LABEL.fullmatch(label):
            raise ValueError(f"host {host!r} has an invalid label {label!r}")
    if labels[-1].isdigit():
        raise ValueError(f"host {host!r} is neither an IP address nor a domain name")
    return ascii_host


def _check_alabel(host: str, label: str) -> None:
    try:
        idna.decode(label)
    except idna.IDNAError as exc:
        raise ValueError(f"host {host!r} has an invalid punycode label {label!r} ({exc})") from None


def _port(parts: SplitResult) -> int:
    """The explicit port if any, else the scheme's; parsed by hand so ``:+80`` or ``:٨٠`` fail."""
    hostport = parts.netloc
    if hostport.startswith("["):
        hostport = hostport.partition("]")[2]
    _, colon, text = hostport.rpartition(":")
    if not colon or not text:
        return DEFAULT_PORTS[parts.scheme]
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise ValueError(f"invalid port {text!r}")
    return int(text)
