"""What the controls saw: the test helper, the DoH resolvers and the self-control.

A control counts only when it produced an answer. A DoH server that could not be reached says
something about that server, not about the target (OONI probe issue 2274), so it is no control.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from probe.analysis.observations import (
    Record,
    answer_addresses,
    connect_endpoint,
    connect_failure,
    failure_of,
    mapping,
    records,
    self_control_handshakes,
    self_control_requests,
    status_code,
)
from probe.i18n import N_
from probe.net import errors
from probe.net.errors import UNKNOWN_FAILURE
from probe.net.names import is_ip_literal

FLAG_VALID_FOR_DOMAIN = 8
"""OONI's ``ip_info`` flag: the helper's TLS handshake for the name succeeded at this address."""
NEGATIVE_DNS = frozenset({errors.DNS_NXDOMAIN, "dns_name_error", errors.DNS_NO_ANSWER})
"""Failures that are an answer ("this name has no address"), not a failure to get one."""


@dataclass(frozen=True)
class DnsControl:
    """An uncensored resolution of one name."""

    source: str
    """``helper`` or ``DoH``, for sentences."""
    addresses: frozenset[str]
    failure: str | None
    asns: Mapping[str, int] = field(default_factory=dict)
    valid: frozenset[str] = frozenset()
    """Addresses where the helper completed a verified TLS handshake for the name."""

    @property
    def negative(self) -> bool:
        return not self.addresses and self.failure in NEGATIVE_DNS


def _replied(query: Record) -> bool:
    """The DoH server itself sent this answer. When the probe could not reach the server (its
    own name did not resolve), the failure string may read ``dns_nxdomain_error`` too, but it is
    about the server's name, not the target's; the probe then stores ``x_rcode: null``."""
    return "x_rcode" not in query or isinstance(query["x_rcode"], str)


@dataclass(frozen=True)
class Controls:
    helper: Record | None
    helper_failure: str | None
    doh: tuple[Record, ...]
    keys: Record

    @classmethod
    def of(cls, keys: Record) -> Controls:
        raw = mapping(keys.get("control"))
        failure = keys.get("control_failure")
        helper = raw if raw and not isinstance(failure, str) else None
        doh = tuple(
            q
            for q in records(keys.get("x_doh_queries"))
            if answer_addresses(q) or (failure_of(q) in NEGATIVE_DNS and _replied(q))
        )
        return cls(helper, failure if isinstance(failure, str) else None, doh, keys)

    @property
    def self_control_used(self) -> bool:
        """The neutral handshake or request got anywhere, so the network path itself works."""
        control = mapping(self.keys.get("x_self_control"))
        return any(failure_of(h) is None for h in records(control.get("tls_handshakes"))) or any(
            status_code(r) > 0 for r in records(control.get("requests"))
        )

    @property
    def any(self) -> bool:
        return self.helper is not None or bool(self.doh) or self.self_control_used

    def dns(self, host: str, first_hop: bool) -> DnsControl | None:
        """The helper's resolution for the URL's own host, else the DoH answers for ``host``."""
        if first_hop and self.helper is not None:
            dns = mapping(self.helper.get("dns"))
            listed = dns.get("addrs")
            addrs = frozenset(a for a in listed or [] if isinstance(a, str) and is_ip_literal(a))
            failure = failure_of(dns)
            if isinstance(listed, list) and not addrs and failure is None:
                # Older helpers list CNAME targets beside addresses: names alone are no address.
                failure = errors.DNS_NO_ANSWER
            if addrs or failure in NEGATIVE_DNS:
                return DnsControl(N_("helper"), addrs, failure, self._asns(), self._valid())
        answers = [q for q in self.doh if str(q.get("hostname", "")).lower().rstrip(".") == host]
        if not answers:
            return None
        addrs = frozenset(a for q in answers for a in answer_addresses(q))
        failures = [failure_of(q) for q in answers if failure_of(q)]
        failure = None if addrs else next((f for f in failures if f != errors.DNS_NO_ANSWER), None)
        return DnsControl("DoH", addrs, failure or (None if addrs else errors.DNS_NO_ANSWER))

    def _asns(self) -> dict[str, int]:
        info = mapping(self.helper.get("ip_info") if self.helper else None)
        return {
            ip: asn
            for ip, value in info.items()
            if isinstance(asn := mapping(value).get("asn"), int) and asn > 0
        }

    def _valid(self) -> frozenset[str]:
        info = mapping(self.helper.get("ip_info") if self.helper else None)
        return frozenset(
            ip
            for ip, value in info.items()
            if isinstance(flags := mapping(value).get("flags"), int)
            and flags & FLAG_VALID_FOR_DOMAIN
        )

    # --- the helper's view of endpoints and of the page ---------------------------------------

    def helper_tcp(self, endpoint: str) -> bool | None:
        entry = mapping(
            mapping(self.helper.get("tcp_connect") if self.helper else None).get(endpoint)
        )
        status = entry.get("status")
        return status if isinstance(status, bool) else None

    def helper_tls(self, endpoint: str) -> bool | None:
        table = mapping(self.helper.get("tls_handshake") if self.helper else None)
        status = mapping(table.get(endpoint)).get("status")
        return status if isinstance(status, bool) else None

    @property
    def page(self) -> Record | None:
        """The helper's fetch of the URL when it got a response, else None."""
        request = mapping(self.helper.get("http_request") if self.helper else None)
        code = request.get("status_code")
        if failure_of(request) is None and isinstance(code, int) and code > 0:
            return request
        return None

    @property
    def page_failure(self) -> str | None:
        """The helper's own failure to fetch the URL (the site may be down)."""
        request = mapping(self.helper.get("http_request") if self.helper else None)
        return failure_of(request)

    # --- the self-control: same address, neutral SNI / Host ------------------------------------

    def neutral_handshake(self, address: str) -> Record | None:
        return next(
            (h for h in self_control_handshakes(self.keys, address) if not failure_of(h)), None
        )

    def neutral_request(self, address: str) -> Record | None:
        return next(
            (r for r in self_control_requests(self.keys, address) if status_code(r) > 0), None
        )

    def neutral_failure(self, address: str, *, request: bool) -> str | None:
        """How the neutral-name retry at ``address`` failed: its connect, its handshake or (with
        ``request``) its request. None when it succeeded or was not made at that address."""
        if (self.neutral_request if request else self.neutral_handshake)(address) is not None:
            return None
        control = mapping(self.keys.get("x_self_control"))
        connects = [
            c for c in records(control.get("tcp_connect")) if connect_endpoint(c) == address
        ]
        steps = [
            *(connect_failure(c) for c in connects),
            *(failure_of(h) for h in self_control_handshakes(self.keys, address)),
            *(
                failure_of(r) or UNKNOWN_FAILURE
                for r in (self_control_requests(self.keys, address) if request else ())
            ),
        ]
        return next((f for f in steps if f), None)

    def helper_reached(self, address: str) -> bool | None:
        """Whether the helper got through to ``address`` from outside: its TLS handshake there,
        else its connect; None when it did not try."""
        tls = self.helper_tls(address)
        return tls if tls is not None else self.helper_tcp(address)

    @property
    def neutral_sni(self) -> str:
        return str(
            mapping(self.keys.get("x_self_control")).get("server_name") or N_("a neutral name")
        )

    @property
    def neutral_host(self) -> str:
        return str(mapping(self.keys.get("x_self_control")).get("host") or N_("a neutral name"))


def describe_missing(controls: Controls) -> str:
    """Why there is no usable control, for the undetermined sentence."""
    parts: list[str] = []
    if controls.helper_failure:
        parts.append(N_("the helper failed ({failure})").format(failure=controls.helper_failure))
    elif controls.helper is None:
        parts.append(N_("no helper"))
    parts.append(N_("no DoH answer") if not controls.doh else "")
    parts.append(N_("no self-control completed"))
    return ", ".join(p for p in parts if p)
