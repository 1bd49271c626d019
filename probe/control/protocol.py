"""OONI's web_connectivity test-helper protocol: the request, the response, strict parsing.

Both ends parse with the same code, so the helper rejects what a client could not have meant and
the client never trusts a reply it cannot read. Extra keys (OONI's ``quic_handshake``…) are
ignored for compatibility; missing or mistyped ones are a :class:`ProtocolError`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from probe.net.names import wire_name

MAX_URL_LENGTH: Final = 2048
MAX_ENDPOINTS: Final = 64
MAX_HEADER_NAMES: Final = 32
MAX_HEADER_VALUE: Final = 1024

_PORT = re.compile(r"[0-9]{1,5}")
"""ASCII digits only: ``int()`` and ``str.isdigit`` also take Arabic-Indic and other digits."""
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")
"""A header name (RFC 9110 token)."""
_FIELD_VALUE = re.compile(r"[\x20-\x7e\t]*")
"""Visible ASCII, space and tab: what the helper can replay without re-encoding."""

# ip_info flags, as OONI defines them.
FLAG_RESOLVED_BY_PROBE: Final = 1
FLAG_RESOLVED_BY_TH: Final = 2
FLAG_IS_BOGON: Final = 4
FLAG_VALID_FOR_DOMAIN: Final = 8

T = TypeVar("T")


class ProtocolError(ValueError):
    """A message that does not follow the test-helper protocol."""


def _get(obj: Mapping[str, Any], key: str, kind: type[T] | tuple[type, ...], where: str) -> T:
    if key not in obj:
        raise ProtocolError(f"{where}: missing {key!r}")
    return _check(obj[key], kind, f"{where}.{key}")


def _check(value: Any, kind: type[T] | tuple[type, ...], where: str) -> T:
    # bool is an int in Python; JSON keeps them apart, and so do we.
    wrong_bool = isinstance(value, bool) and bool not in (
        kind if isinstance(kind, tuple) else (kind,)
    )
    if wrong_bool or not isinstance(value, kind):
        raise ProtocolError(f"{where}: expected {_name(kind)}, got {type(value).__name__}")
    return value  # type: ignore[return-value]


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


def _optional(obj: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    """An optional field: missing or null (Go's nil) is empty; anything else must be ``kind``,
    so a falsy ``0``, ``""`` or ``false`` is refused rather than taken for empty."""
    value = obj.get(key)
    return kind() if value is None else _check(value, kind, f"{where}.{key}")


def _failure(obj: Mapping[str, Any], where: str) -> str | None:
    return _get(obj, "failure", (str, type(None)), where)


def _object(value: Any, where: str) -> dict[str, Any]:
    return _check(value, dict, where)


def parse_endpoint(text: str) -> tuple[str, int]:
    """``ip:port`` or ``[v6]:port`` to its parts; anything else (a name, no port) is refused."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]:")
        if not sep:
            raise ProtocolError(f"endpoint {text!r}: expected [ipv6]:port")
    else:
        host, sep, rest = text.rpartition(":")
        if not sep or ":" in host:
            raise ProtocolError(f"endpoint {text!r}: expected ip:port")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError as exc:
        raise ProtocolError(f"endpoint {text!r}: not an IP address") from exc
    if not _PORT.fullmatch(rest) or not 0 < int(rest) < 65536:
        raise ProtocolError(f"endpoint {text!r}: bad port")
    if (ip.version == 6) != text.startswith("["):
        raise ProtocolError(f"endpoint {text!r}: IPv6 needs brackets, IPv4 none")
    return str(ip), int(rest)


@dataclass(frozen=True)
class Target:
    """A checked target URL, with its host in the ASCII form DNS, SNI and Host use."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str


def parse_target_url(url: str) -> Target:
    """An absolute http(s) URL with a host DNS can carry and a port in 1-65535, short enough to
    be a real page address, without spaces or control characters (a browser would have
    escaped them)."""
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:
        raise ProtocolError("http_request: URL too long")
    if any(c <= " " or c == "\x7f" for c in url):
        raise ProtocolError("http_request: URL holds spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port, non-ASCII digits included
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http:// or https:// URL with a host")
        if port == 0:
            raise ValueError("port 0")
        host = wire_name(parts.hostname)
    except ValueError as exc:
        raise ProtocolError(f"http_request: {exc}") from None
    return Target(parts.scheme, host, port, parts.path, parts.query)


def check_target_url(url: str) -> str:
    parse_target_url(url)
    return url


def _headers(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    raw = _check(value, dict, where)
    if len(raw) > MAX_HEADER_NAMES:
        raise ProtocolError(f"{where}: too many headers")
    headers: dict[str, tuple[str, ...]] = {}
    for name, values in raw.items():
        if not _TOKEN.fullmatch(name):
            raise ProtocolError(f"{where}: {name[:64]!r} is not a header name")
        checked = tuple(_check(v, str, f"{where}.{name}") for v in _check(values, list, where))
        for v in checked:
            if len(v) > MAX_HEADER_VALUE or not _FIELD_VALUE.fullmatch(v):
                raise ProtocolError(f"{where}: header {name!r} is too long or not ASCII text")
        headers[name] = checked
    return headers


@dataclass(frozen=True)
class ControlRequest:
    http_request: str
    http_request_headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tcp_connect: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: Any) -> ControlRequest:
        where = "request"
        obj = _object(obj, where)
        url = check_target_url(_get(obj, "http_request", str, where))
        headers = _headers(
            _optional(obj, "http_request_headers", dict, where), f"{where}.http_request_headers"
        )
        endpoints = _optional(obj, "tcp_connect", list, where)
        if len(endpoints) > MAX_ENDPOINTS:
            raise ProtocolError(f"{where}: too many tcp_connect endpoints")
        for endpoint in endpoints:
            try:
                parse_endpoint(_check(endpoint, str, f"{where}.tcp_connect"))
            except ProtocolError as exc:
                raise ProtocolError(f"{where}.tcp_connect: {exc}") from None
        return cls(url, headers, tuple(endpoints))

    def to_json(self) -> dict[str, Any]:
        return {
            "http_request": self.http_request,
            "http_request_headers": {k: list(v) for k, v in self.http_request_headers.items()},
            "tcp_connect": list(self.tcp_connect),
        }


@dataclass(frozen=True)
class DNSResult:
    failure: str | None
    addrs: tuple[str, ...]

    @classmethod
    def from_json(cls, obj: Any) -> DNSResult:
        where = "dns"
        obj = _object(obj, where)
        addrs = _optional(obj, "addrs", list, where)
        return cls(_failure(obj, where), tuple(_check(a, str, f"{where}.addrs") for a in addrs))

    def to_json(self) -> dict[str, Any]:
        return {"failure": self.failure, "addrs": list(self.addrs)}


@dataclass(frozen=True)
class TCPResult:
    status: bool
    failure: str | None

    @classmethod
    def from_json(cls, obj: Any, where: str) -> TCPResult:
        obj = _object(obj, where)
        return cls(_get(obj, "status", bool, where), _failure(obj, where))

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "failure": self.failure}


@dataclass(frozen=True)
class TLSResult:
    server_name: str
    status: bool
    failure: str | None

    @classmethod
    def from_json(cls, obj: Any, where: str) -> TLSResult:
        obj = _object(obj, where)
        return cls(
            _get(obj, "server_name", str, where),
            _get(obj, "status", bool, where),
            _failure(obj, where),
        )

    def to_json(self) -> dict[str, Any]:
        return {"server_name": self.server_name, "status": self.status, "failure": self.failure}


@dataclass(frozen=True)
class HTTPResult:
    body_length: int
    failure: str | None
    title: str
    headers: Mapping[str, str]
    status_code: int

    @classmethod
    def failed(cls, failure: str) -> HTTPResult:
        """OONI's shape for a request that got no response: -1 for the numbers."""
        return cls(-1, failure, "", {}, -1)

    @classmethod
    def from_json(cls, obj: Any) -> HTTPResult:
        where = "http_request"
        obj = _object(obj, where)
        headers = _optional(obj, "headers", dict, where)
        return cls(
            _get(obj, "body_length", int, where),
            _failure(obj, where),
            _get(obj, "title", str, where),
            {k: _check(v, str, f"{where}.headers.{k}") for k, v in headers.items()},
            _get(obj, "status_code", int, where),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "body_length": self.body_length,
            "failure": self.failure,
            "title": self.title,
            "headers": dict(self.headers),
            "status_code": self.status_code,
        }


@dataclass(frozen=True)
class IPInfo:
    asn: int
    flags: int

    @classmethod
    def from_json(cls, obj: Any, where: str) -> IPInfo:
        obj = _object(obj, where)
        return cls(_get(obj, "asn", int, where), _get(obj, "flags", int, where))

    def to_json(self) -> dict[str, Any]:
        return {"asn": self.asn, "flags": self.flags}


@dataclass(frozen=True)
class ControlResponse:
    dns: DNSResult
    tcp_connect: Mapping[str, TCPResult]
    tls_handshake: Mapping[str, TLSResult]
    http_request: HTTPResult
    ip_info: Mapping[str, IPInfo]

    @classmethod
    def from_json(cls, obj: Any) -> ControlResponse:
        """Parse a helper's reply; ``tls_handshake`` and ``ip_info`` are optional (legacy TH)."""
        obj = _object(obj, "response")
        tcp = _object(_get(obj, "tcp_connect", dict, "response"), "tcp_connect")
        tls = _optional(obj, "tls_handshake", dict, "response")
        info = _optional(obj, "ip_info", dict, "response")
        for endpoint in (*tcp, *tls):
            parse_endpoint(endpoint)
        for ip in info:
            _check_ip(ip)
        return cls(
            DNSResult.from_json(_get(obj, "dns", dict, "response")),
            {k: TCPResult.from_json(v, f"tcp_connect.{k}") for k, v in tcp.items()},
            {k: TLSResult.from_json(v, f"tls_handshake.{k}") for k, v in tls.items()},
            HTTPResult.from_json(_get(obj, "http_request", dict, "response")),
            {k: IPInfo.from_json(v, f"ip_info.{k}") for k, v in info.items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "dns": self.dns.to_json(),
            "tcp_connect": {k: v.to_json() for k, v in self.tcp_connect.items()},
            "tls_handshake": {k: v.to_json() for k, v in self.tls_handshake.items()},
            "http_request": self.http_request.to_json(),
            "ip_info": {k: v.to_json() for k, v in self.ip_info.items()},
        }


def _check_ip(text: str) -> None:
    try:
        ipaddress.ip_address(text)
    except ValueError as exc:
        raise ProtocolError(f"ip_info: {text!r} is not an IP address") from exc
