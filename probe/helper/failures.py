"""The failure strings OONI's test helper (oohelperd) answers with, from the probe's own.

Clients written for OONI's helper compare against these exact strings, so ours uses them too.
TLS failures keep the probe's df-007 strings, as oohelperd does.
"""

from __future__ import annotations

from typing import Final

from probe.net import errors

DNS_NAME_ERROR: Final = "dns_name_error"
DNS_SERVER_FAILURE: Final = "dns_server_failure"
DNS_LOOKUP_ERROR: Final = "dns_lookup_error"
CONNECTION_REFUSED: Final = "connection_refused_error"
CONNECT_ERROR: Final = "connect_error"
UNKNOWN_ERROR: Final = "unknown_error"

_DNS_SERVER: Final = frozenset(
    {
        errors.DNS_REFUSED,
        errors.DNS_SERVFAIL,
        errors.DNS_TEMPORARY_FAILURE,
        errors.DNS_NON_RECOVERABLE,
    }
)


def dns_failure(failure: str | None) -> str | None:
    """NOERROR without addresses is no failure (an empty ``addrs``), as in OONI's helper."""
    if failure is None or failure == errors.DNS_NO_ANSWER:
        return None
    if failure == errors.DNS_NXDOMAIN:
        return DNS_NAME_ERROR
    return DNS_SERVER_FAILURE if failure in _DNS_SERVER else UNKNOWN_ERROR


def tcp_failure(failure: str | None) -> str | None:
    if failure is None or failure == errors.GENERIC_TIMEOUT:
        return failure
    return CONNECTION_REFUSED if failure == errors.CONNECTION_REFUSED else CONNECT_ERROR


def http_failure(failure: str | None) -> str | None:
    if failure is None or failure in (errors.GENERIC_TIMEOUT, DNS_LOOKUP_ERROR):
        return failure
    if failure == errors.CONNECTION_REFUSED:
        return CONNECTION_REFUSED
    return UNKNOWN_ERROR
