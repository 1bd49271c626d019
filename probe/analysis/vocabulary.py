"""The analysis's words: outcome categories, OONI's blocking values, techniques, and which
failure strings are evidence of which technique.

StrEnums, so the stored JSON strings stay those of earlier versions. The failure mapping is a
closed table on purpose: a failure it does not list (a local outage, a bug in the probe, a string
a newer probe invented) is never evidence of blocking; the verdict is then undetermined and
``x_detail`` says why (see :func:`why_not_evidence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Final

from probe.i18n import N_
from probe.net import errors


class Category(StrEnum):
    """The four outcomes every tool groups verdicts into (the lab's ``verdict``), in the order
    tables and charts show them."""

    OK = "ok"
    DOWN = "down"
    UNDETERMINED = "undetermined"
    BLOCKED = "blocked"


def category_of(blocking: object, accessible: object) -> Category:
    """OONI's (blocking, accessible) pair as one category; a string ``blocking`` wins."""
    if isinstance(blocking, str):
        return Category.BLOCKED
    if blocking is None:
        return Category.UNDETERMINED
    return Category.OK if accessible is True else Category.DOWN


class AppStatus(StrEnum):
    """The verdict of an app or tool test (tor, messaging): "reachable" where a site is "ok"."""

    REACHABLE = N_("reachable")
    BLOCKED = N_("blocked")
    UNDETERMINED = N_("undetermined")


class Blocking(StrEnum):
    """OONI's ``blocking`` values for a blocked target."""

    DNS = "dns"
    TCP_IP = "tcp_ip"
    HTTP_FAILURE = "http-failure"
    HTTP_DIFF = "http-diff"


class Technique(StrEnum):
    """``x_technique``: how a target is blocked (docs/analysis.md has the evidence each needs)."""

    DNS_SPOOF = "dns.spoof"
    DNS_INJECT = "dns.inject"
    DNS_NXDOMAIN = "dns.nxdomain"
    DNS_TIMEOUT = "dns.timeout"
    TCP_RESET = "tcp.reset"
    TCP_TIMEOUT = "tcp.timeout"
    IP_RESET = "ip.reset"
    """Connected, then reset whatever the name (the neutral one too): the address is blocked."""
    IP_TIMEOUT = "ip.timeout"
    """Connected, then silence whatever the name: the address (or the path to it) is blocked."""
    TLS_RESET = "tls.reset"
    TLS_EOF = "tls.eof"
    TLS_TIMEOUT = "tls.timeout"
    TLS_MITM = "tls.mitm"
    HTTP_RESET = "http.reset"
    HTTP_EOF = "http.eof"
    HTTP_TIMEOUT = "http.timeout"
    HTTP_BLOCKPAGE = "http.blockpage"
    HTTP_DIFF = "http.diff"
    THROTTLE = "throttle"

    @property
    def is_dns(self) -> bool:
        return self.value.startswith("dns.")


def technique_named(value: object) -> Technique | None:
    """A stored ``x_technique`` as a Technique; None for null or a string this version lacks."""
    try:
        return Technique(value) if isinstance(value, str) else None
    except ValueError:
        return None


NAME_TECHNIQUES: Final = frozenset(
    {
        Technique.TLS_RESET,
        Technique.TLS_EOF,
        Technique.TLS_TIMEOUT,
        Technique.HTTP_RESET,
        Technique.HTTP_EOF,
        Technique.HTTP_TIMEOUT,
        Technique.HTTP_BLOCKPAGE,
    }
)
"""Techniques triggered by the name (SNI or Host) on a connection that worked."""


class Stage(StrEnum):
    """The step of a measurement a failure happened at."""

    DNS = "dns"
    TCP = "tcp"
    TLS = "tls"
    HTTP = "http"


_NEGATIVE_DNS = (
    errors.DNS_NXDOMAIN,
    errors.DNS_NO_ANSWER,
    errors.DNS_REFUSED,
    errors.DNS_SERVFAIL,
    errors.DNS_SERVER_MISBEHAVING,
    errors.DNS_NON_RECOVERABLE,
)
TECHNIQUES: Final[Mapping[tuple[Stage, str], Technique]] = {
    **{(Stage.DNS, f): Technique.DNS_NXDOMAIN for f in _NEGATIVE_DNS},
    (Stage.DNS, errors.GENERIC_TIMEOUT): Technique.DNS_TIMEOUT,
    (Stage.DNS, errors.DNS_TEMPORARY_FAILURE): Technique.DNS_TIMEOUT,  # getaddrinfo's timeout
    (Stage.TCP, errors.CONNECTION_REFUSED): Technique.TCP_RESET,
    (Stage.TCP, errors.CONNECTION_RESET): Technique.TCP_RESET,
    (Stage.TCP, errors.GENERIC_TIMEOUT): Technique.TCP_TIMEOUT,
    (Stage.TLS, errors.CONNECTION_RESET): Technique.TLS_RESET,
    (Stage.TLS, errors.EOF_ERROR): Technique.TLS_EOF,
    (Stage.TLS, errors.GENERIC_TIMEOUT): Technique.TLS_TIMEOUT,
    (Stage.HTTP, errors.CONNECTION_RESET): Technique.HTTP_RESET,
    (Stage.HTTP, errors.EOF_ERROR): Technique.HTTP_EOF,
    (Stage.HTTP, errors.GENERIC_TIMEOUT): Technique.HTTP_TIMEOUT,
}
"""(stage, failure) -> the technique that failure is evidence of. Nothing else is evidence."""

ADDRESS_TECHNIQUES: Final[Mapping[str, Technique]] = {
    errors.CONNECTION_RESET: Technique.IP_RESET,
    errors.GENERIC_TIMEOUT: Technique.IP_TIMEOUT,
}
"""A TLS or HTTP failure that the neutral name met too, at an address the helper reached."""

LOCAL_FAILURES: Final = frozenset(
    {
        errors.NETWORK_UNREACHABLE,
        errors.HOST_UNREACHABLE,
        errors.NETWORK_DOWN,
        errors.ADDRESS_FAMILY_NOT_SUPPORTED,
        errors.ADDRESS_NOT_AVAILABLE,
        errors.INTERRUPTED,
    }
)
"""Failures of the probe's own network or of the probe itself, never of a censor on the path.

An ICMP host-unreachable can come from a router far away, but it is what a missing route (an
IPv6 address on an IPv4-only line) gives too, so it is no evidence either way.
"""
NOT_EVIDENCE: Final = frozenset(
    {
        errors.SSL_FAILED_HANDSHAKE,
        errors.HTTP_PROTOCOL_ERROR,
        errors.DNS_REPLY_MALFORMED,
        errors.HTTP_TOO_MANY_REDIRECTS,
        errors.HTTP_INVALID_REDIRECT,
        errors.BOGON_ADDRESS_REFUSED,
    }
)
"""Failures that say the exchange went wrong but not how a censor would have done it."""
CERTIFICATE_FAILURES: Final = frozenset(
    {errors.SSL_UNKNOWN_AUTHORITY, errors.SSL_INVALID_CERTIFICATE, errors.SSL_INVALID_HOSTNAME}
)
"""Validation failures: evidence of interception only with a control (analysis/mitm.py)."""


def technique_for(stage: Stage, failure: str | None) -> Technique | None:
    """The technique ``failure`` at ``stage`` is evidence of, or None: then it is no evidence."""
    return TECHNIQUES.get((stage, failure)) if failure is not None else None


def is_local(failure: str | None) -> bool:
    return failure in LOCAL_FAILURES or is_probe_bug(failure)


def is_probe_bug(failure: str | None) -> bool:
    """An ``unknown_failure`` the probe did not write on purpose (``errors.KNOWN_UNKNOWNS``)."""
    return (
        failure is not None
        and failure.startswith(errors.UNKNOWN_FAILURE)
        and failure not in errors.KNOWN_UNKNOWNS
    )


def no_network(failures: Iterable[object]) -> bool:
    """Every one of these failures says the volunteer's own connection is down (an app test
    whose every endpoint failed so is undetermined). The OS resolver's EAI_AGAIN counts here:
    with every name failing it, the resolver is unreachable, not each name blocked."""
    seen = list(failures)
    return bool(seen) and all(
        isinstance(f, str) and (is_local(f) or f == errors.DNS_TEMPORARY_FAILURE) for f in seen
    )


def why_not_evidence(what: str, failure: str | None) -> str:
    """``what`` was observed, and why its failure, outside the mapping, says nothing about
    blocking: the ``x_detail`` of such a verdict."""
    if is_probe_bug(failure):
        why = N_("{what}: a failure inside the probe, not on the network ({failure})")
    elif failure in LOCAL_FAILURES:
        why = N_("{what}: a failure of this device's own network or of the probe ({failure})")
    elif failure is None:
        why = N_("{what}: no failure was recorded")
    else:
        why = N_("{what}: {failure} is not the mark of any blocking technique")
    return why.format(what=what, failure=failure)
