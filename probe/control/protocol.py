"""OONI's web_connectivity test-helper protocol: the request, the response, strict parsing.

Both ends parse with the same code, so the helper rejects what a client could not have meant and
the client never trusts a reply it cannot read. Extra keys (OONI's ``quic_handshake``…) are
ignored for compatibility; missing or mistyped ones are a :class:`ProtocolError`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

MAX_URL_LENGTH: Final = 2048
MAX_ENDPOINTS: Final = 64
MAX_HEADER_NAMES: Final = 32
MAX_HEADER_VALUE: Final = 1024

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
    if not rest.isdigit() or not 0 < int(rest) < 65536:
        raise ProtocolError(f"endpoint {text!r}: bad port")
    if (ip.version == 6) != text.startswith("["):
        raise ProtocolError(f"endpoint {text!r}: IPv6 needs brackets, IPv4 none")
    return str(ip), int(rest)


def check_target_url(url: str) -> str:
    """An absolute http(s) URL with a host, short enough to be a real page address."""
    if len(url) > MAX_URL_LENGTH:
        raise ProtocolError("http_request: URL too long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ProtocolError(f"http_request: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProtocolError("http_request: expected an http:// or https:// URL with a host")
    return url


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
        raw_headers = _object(
            obj.get("http_request_headers") or {}, f"{where}.http_request_headers"
        )
        if len(raw_headers) > MAX_HEADER_NAMES:
            raise ProtocolError(f"{where}: too many headers")
        headers: dict[str, tuple[str, ...]] = {}
        for name, values in raw_headers.items():
            values = _check(values, list, f"{where}.http_request_headers.{name}")
            checked = tuple(_check(v, str, f"{where}.http_request_headers.{name}") for v in values)
            if any(len(v) > MAX_HEADER_VALUE for v in checked):
                raise ProtocolError(f"{where}: header {name!r} too long")
            headers[name] = checked
        endpoints = _check(obj.get("tcp_connect") or [], list, f"{where}.tcp_connect")
        if len(endpoints) > MAX_ENDPOINTS:
            raise ProtocolError(f"{where}: too many tcp_connect endpoints")
        for endpoint in endpoints:
            parse_endpoint(_check(endpoint, str, f"{where}.tcp_connect"))
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
        addrs = _check(obj.get("addrs") or [], list, f"{where}.addrs")  # Go may send null
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
        headers = _object(obj.get("headers") or {}, f"{where}.headers")  # Go may send null
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
        tls = _object(obj.get("tls_handshake") or {}, "tls_handshake")
        info = _object(obj.get("ip_info") or {}, "ip_info")
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
