"""Read the raw observations of a stored measurement hop by hop.

A measurement's lists are flat across redirect hops, so everything here is keyed by the hop's
host and port. Stored files may be old, hand-edited or damaged: every accessor tolerates missing
or mistyped keys and treats them as "not observed".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from probe.analysis.vocabulary import Stage as VocabularyStage
from probe.analysis.vocabulary import is_local, technique_for
from probe.net import content
from probe.net.bogons import is_bogon
from probe.net.errors import DNS_NO_ANSWER, HTTP_INVALID_REDIRECT, UNKNOWN_FAILURE
from probe.net.names import is_ip_literal, to_ascii
from probe.settings import Settings

Record = Mapping[str, Any]
Stage = Literal["dns", "tcp", "tls", "http", "chain", "final"]


@dataclass(frozen=True)
class Hop:
    url: str
    scheme: str
    host: str
    """ASCII host, IPv6 literals without brackets."""
    port: int

    @property
    def is_ip(self) -> bool:
        return is_ip_literal(self.host)

    @property
    def sni(self) -> str:
        return "" if self.is_ip else self.host

    def endpoint(self, ip: str) -> str:
        return endpoint(ip, self.port)


def endpoint(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def hop_of(url: str) -> Hop | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        host = to_ascii(parts.hostname)
    except UnicodeError:
        return None
    return Hop(url, parts.scheme, host, port or (443 if parts.scheme == "https" else 80))


def records(value: object) -> list[Record]:
    """The dicts of a stored list, ignoring anything else a damaged file may hold."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def mapping(value: object) -> Record:
    return value if isinstance(value, Mapping) else {}


def answer_addresses(query: Record) -> list[str]:
    found: list[str] = []
    for answer in records(query.get("answers")):
        kind = answer.get("answer_type")
        value = (
            answer.get("ipv4") if kind == "A" else answer.get("ipv6") if kind == "AAAA" else None
        )
        if isinstance(value, str) and value not in found:
            found.append(value)
    return found


def host_queries(keys: Record, host: str) -> list[Record]:
    """The probe's own queries (not the DoH control's) for ``host``."""
    return [
        q
        for q in records(keys.get("queries"))
        if q.get("engine") != "doh" and str(q.get("hostname", "")).lower().rstrip(".") == host
    ]


def resolved(keys: Record, hop: Hop) -> list[str]:
    """Every address the probe's resolvers gave for the hop's host, bogons included."""
    if hop.is_ip:
        return [hop.host]
    seen: list[str] = []
    for query in host_queries(keys, hop.host):
        seen.extend(a for a in answer_addresses(query) if a not in seen)
    return seen


def usable(addresses: list[str], exempt: tuple[str, ...]) -> list[str]:
    return [a for a in addresses if not is_bogon(a, exempt)]


def connects(keys: Record, hop: Hop, addresses: list[str]) -> list[Record]:
    return [
        c
        for c in records(keys.get("tcp_connect"))
        if c.get("port") == hop.port and c.get("ip") in addresses
    ]


def connect_endpoint(record: Record) -> str:
    """A connect record's ``ip:port``, as handshakes and requests name their address."""
    port = record.get("port")
    return endpoint(str(record.get("ip")), port if isinstance(port, int) else 0)


def connect_failure(record: Record) -> str | None:
    status = mapping(record.get("status"))
    if status.get("success") is True:
        return None
    failure = status.get("failure")
    return failure if isinstance(failure, str) else UNKNOWN_FAILURE


def handshakes(keys: Record, hop: Hop, endpoints: set[str]) -> list[Record]:
    return [
        h
        for h in records(keys.get("tls_handshakes"))
        if h.get("address") in endpoints and (h.get("server_name") or "") == hop.sni
    ]


def failure_of(record: Record) -> str | None:
    failure = record.get("failure")
    return failure if isinstance(failure, str) else None


def request_url(request: Record) -> str:
    return str(mapping(request.get("request")).get("url") or "")


def response(request: Record) -> Record:
    return mapping(request.get("response"))


def status_code(request: Record) -> int:
    code = response(request).get("code")
    return code if isinstance(code, int) else 0


def header(headers: Record, name: str) -> str | None:
    lowered = name.lower()
    return next((str(v) for k, v in headers.items() if str(k).lower() == lowered), None)


def _stored_body(request: Record) -> bytes:
    """The stored body as bytes: text is UTF-8, anything else was stored as base64."""
    body = response(request).get("body")
    if isinstance(body, str):
        return body.encode("utf-8")
    data = mapping(body).get("data")
    if isinstance(data, str):
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return b""
    return b""


def _still_encoded(request: Record) -> str | None:
    """The Content-Encoding of a body stored as received, by a probe that did not decode yet."""
    stored = response(request)
    if "x_content_decoded" in stored:
        return None
    return header(mapping(stored.get("headers")), "content-encoding")


def body_bytes(request: Record) -> bytes:
    """The body as the page's bytes, decoding an old file's gzip body as the probe now does."""
    raw = _stored_body(request)
    encoding = _still_encoded(request)
    return content.decode(raw, encoding, Settings.body_cap).body if encoding else raw


def body_text(request: Record) -> str:
    """Text for matching: UTF-8, or Windows-1251 (common on Russian-language pages) otherwise."""
    raw = body_bytes(request)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def body_length(request: Record) -> int:
    """Length of the decoded body."""
    length = response(request).get("x_body_length")
    if isinstance(length, int) and not _still_encoded(request):
        return length
    return len(body_bytes(request))


def wire_length(request: Record) -> int:
    """Body bytes as they crossed the network (old files stored only those)."""
    stored = response(request)
    for key in ("x_body_wire_length", "x_body_length"):
        if isinstance(length := stored.get(key), int):
            return length
    return len(_stored_body(request))


@dataclass(frozen=True)
class Outcome:
    """Where the measurement of a URL stopped, and how."""

    stage: Stage
    hop: Hop
    failure: str | None
    request: Record | None = None
    addresses: tuple[str, ...] = ()
    """For dns/tcp/tls: the addresses the hop resolved to (bogons included)."""
    endpoints: tuple[str, ...] = ()
    """For tls/http: the ``ip:port`` endpoints that got that far."""


def locate(keys: Record, first: Hop, exempt: tuple[str, ...]) -> Outcome:
    """The step that ended the redirect chain: a final response, or the first step that failed."""
    requests = records(keys.get("requests"))
    chain_failure = keys.get("x_failure")
    if isinstance(chain_failure, str):
        hop = hop_of(request_url(requests[0])) if requests else None
        return Outcome("chain", hop or first, chain_failure, requests[0] if requests else None)
    if not requests:
        return _connection(keys, first, exempt)
    final = requests[0]
    hop = hop_of(request_url(final)) or first
    address = final.get("address")
    endpoints = (address,) if isinstance(address, str) else ()
    if failure_of(final) is not None:  # even an empty string: a damaged record is no page
        return Outcome("http", hop, failure_of(final), final, (), endpoints)
    location = header(mapping(response(final).get("headers")), "location")
    if 300 <= status_code(final) < 400 and location:
        following = hop_of(urljoin(hop.url, location))
        if following is None:
            return Outcome("chain", hop, HTTP_INVALID_REDIRECT, final)
        return _connection(keys, following, exempt)
    return Outcome("final", hop, None, final, (), endpoints)


def _connection(keys: Record, hop: Hop, exempt: tuple[str, ...]) -> Outcome:
    addresses = resolved(keys, hop)
    tried = connects(keys, hop, usable(addresses, exempt))
    if not tried:
        return Outcome("dns", hop, dns_failure(keys, hop.host), None, tuple(addresses))
    connected = [hop.endpoint(str(c["ip"])) for c in tried if connect_failure(c) is None]
    if not connected:
        failure = telling(VocabularyStage.TCP, [connect_failure(c) for c in tried])
        return Outcome("tcp", hop, failure, None, tuple(addresses))
    if hop.scheme == "https":
        shakes = handshakes(keys, hop, set(connected))
        if shakes and all(failure_of(h) for h in shakes):
            failure = telling(VocabularyStage.TLS, [failure_of(h) for h in shakes])
            # The address whose failure is judged comes first, then the others that failed.
            failed = [str(h["address"]) for h in shakes]
            judged = next(str(h["address"]) for h in shakes if failure_of(h) == failure)
            failed.remove(judged)
            return Outcome("tls", hop, failure, None, tuple(addresses), (judged, *failed))
    # Connected (and handshaken) but no request was recorded: nothing to judge the page by.
    return Outcome("http", hop, None, None, tuple(addresses), tuple(connected))


def dns_failure(keys: Record, host: str) -> str | None:
    """OONI's ``dns_experiment_failure``: the first failed query, a missing AAAA excepted."""
    failures = dns_failures(keys, host)
    return failures[0] if failures else None


def dns_failures(keys: Record, host: str) -> list[str]:
    """Every failed query's failure for ``host``, in order, a missing AAAA excepted."""
    return [
        failure
        for query in host_queries(keys, host)
        if (failure := failure_of(query))
        and not (query.get("query_type") == "AAAA" and failure == DNS_NO_ANSWER)
    ]


def telling(stage: VocabularyStage, failures: Iterable[str | None]) -> str | None:
    """Of several failures of one step, the one that tells most: evidence of a technique first,
    then any that is not local (an IPv6 address unreachable on an IPv4-only line says nothing
    about the IPv4 address that timed out), else the first."""
    seen = [f for f in failures if f is not None]
    return next(
        (f for f in seen if technique_for(stage, f) is not None),
        next((f for f in seen if not is_local(f)), seen[0] if seen else None),
    )


def self_control_handshakes(keys: Record, address: str) -> Iterator[Record]:
    control = mapping(keys.get("x_self_control"))
    return (h for h in records(control.get("tls_handshakes")) if h.get("address") == address)


def self_control_requests(keys: Record, address: str) -> Iterator[Record]:
    control = mapping(keys.get("x_self_control"))
    return (r for r in records(control.get("requests")) if r.get("address") == address)
