"""The one place that turns exceptions into OONI failure strings (df-007).

Every step stores ``failure`` through :func:`classify`, so the vocabulary stays stable across
tests and releases, and analysts can rely on it. Every string is one that df-007 or OONI's engine
(netxlite) defines; a failure neither names is written as OONI writes it, ``unknown_failure: ``
and a description, which OONI's pipeline reads as "not evidence of blocking".
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from typing import Final

import dns.exception
import dns.message
import dns.resolver

GENERIC_TIMEOUT: Final = "generic_timeout_error"
CONNECTION_REFUSED: Final = "connection_refused"
CONNECTION_RESET: Final = "connection_reset"
HOST_UNREACHABLE: Final = "host_unreachable"
NETWORK_UNREACHABLE: Final = "network_unreachable"
NETWORK_DOWN: Final = "network_down"
ADDRESS_FAMILY_NOT_SUPPORTED: Final = "address_family_not_supported"
ADDRESS_NOT_AVAILABLE: Final = "address_not_available"
INTERRUPTED: Final = "interrupted"
UNKNOWN_FAILURE: Final = "unknown_failure"
EOF_ERROR: Final = "eof_error"
SSL_UNKNOWN_AUTHORITY: Final = "ssl_unknown_authority"
SSL_INVALID_HOSTNAME: Final = "ssl_invalid_hostname"
SSL_INVALID_CERTIFICATE: Final = "ssl_invalid_certificate"
SSL_FAILED_HANDSHAKE: Final = "ssl_failed_handshake"
DNS_NXDOMAIN: Final = "dns_nxdomain_error"
DNS_NO_ANSWER: Final = "dns_no_answer"
DNS_REFUSED: Final = "dns_refused_error"
DNS_SERVFAIL: Final = "dns_servfail_error"
DNS_SERVER_MISBEHAVING: Final = "dns_server_misbehaving"
DNS_TEMPORARY_FAILURE: Final = "dns_temporary_failure"
DNS_NON_RECOVERABLE: Final = "dns_non_recoverable_failure"
HTTP_INVALID_REDIRECT: Final = "http_invalid_redirect_location_host"
# Failures df-007 has no string for: ``unknown_failure: `` and what happened, as OONI writes them.
DNS_REPLY_MALFORMED: Final = f"{UNKNOWN_FAILURE}: dns_reply_malformed"
HTTP_PROTOCOL_ERROR: Final = f"{UNKNOWN_FAILURE}: http_protocol_error"
HTTP_TOO_MANY_REDIRECTS: Final = f"{UNKNOWN_FAILURE}: stopped after too many redirects"
"""OONI's own string for a redirect chain that did not end (webconnectivitylte)."""
BOGON_ADDRESS_REFUSED: Final = f"{UNKNOWN_FAILURE}: bogon_address_refused"
"""A hop whose host is an IP literal the bogon filter refuses (a redirect to a router page)."""
KNOWN_UNKNOWNS: Final = frozenset(
    {DNS_REPLY_MALFORMED, HTTP_PROTOCOL_ERROR, HTTP_TOO_MANY_REDIRECTS, BOGON_ADDRESS_REFUSED}
)
"""The ``unknown_failure`` strings the probe writes on purpose: failures of the exchange that the
probe understood, never a bug of the probe (see :func:`unknown_failure`)."""

# OpenSSL X509_V_ERR_* codes whose meaning is "no trusted issuer".
_UNKNOWN_AUTHORITY_CODES: Final = frozenset({2, 18, 19, 20, 21})
_HOSTNAME_MISMATCH_CODE: Final = 62

_ERRNO_FAILURES: Final = {
    errno.ECONNREFUSED: CONNECTION_REFUSED,
    errno.ECONNRESET: CONNECTION_RESET,
    errno.EPIPE: CONNECTION_RESET,
    errno.EHOSTUNREACH: HOST_UNREACHABLE,
    errno.ENETUNREACH: NETWORK_UNREACHABLE,
    errno.ENETDOWN: NETWORK_DOWN,
    errno.EAFNOSUPPORT: ADDRESS_FAMILY_NOT_SUPPORTED,
    errno.EADDRNOTAVAIL: ADDRESS_NOT_AVAILABLE,
    errno.ETIMEDOUT: GENERIC_TIMEOUT,
}

_GAI_FAILURES: Final = {
    socket.EAI_NONAME: DNS_NXDOMAIN,
    socket.EAI_AGAIN: DNS_TEMPORARY_FAILURE,
    socket.EAI_FAIL: DNS_NON_RECOVERABLE,
}
if hasattr(socket, "EAI_NODATA"):
    _GAI_FAILURES[socket.EAI_NODATA] = DNS_NO_ANSWER


def _classify_ssl(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        if exc.verify_code == _HOSTNAME_MISMATCH_CODE:
            return SSL_INVALID_HOSTNAME
        if exc.verify_code in _UNKNOWN_AUTHORITY_CODES:
            return SSL_UNKNOWN_AUTHORITY
        return SSL_INVALID_CERTIFICATE
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return EOF_ERROR
    return SSL_FAILED_HANDSHAKE


def classify(exc: BaseException) -> str:
    """Map any exception raised by a network step to its failure string.

    Wrappers (httpcore re-raises OS errors, ``wait_for`` chains a CancelledError) are looked
    through: the first exception in the cause chain with a known meaning names the failure.
    """
    for link in _chain(exc):
        failure = _known(link)
        if failure is not None:
            return failure
    return unknown_failure(exc)


def is_unexpected(failure: str) -> bool:
    """Whether ``failure`` names an exception nothing knows (a bug), not a network outcome."""
    return failure.startswith(f"{UNKNOWN_FAILURE}: ") and failure not in KNOWN_UNKNOWNS


def unknown_failure(exc: BaseException) -> str:
    """The failure string of an exception nothing knows: a bug to report, never evidence."""
    return f"{UNKNOWN_FAILURE}: {type(exc).__name__}: {exc}"


def _known(exc: BaseException) -> str | None:
    # Imported here: the analysis reads this module's strings, and httpcore (with trio, when
    # installed) would cost the CLI's start-up a tenth of a second for nothing.
    import httpcore

    if isinstance(exc, asyncio.CancelledError):
        return INTERRUPTED
    if isinstance(exc, TimeoutError | dns.exception.Timeout | httpcore.TimeoutException):
        return GENERIC_TIMEOUT
    if isinstance(exc, ssl.SSLError):
        return _classify_ssl(exc)
    if isinstance(exc, socket.gaierror):
        return _GAI_FAILURES.get(exc.errno or 0, DNS_TEMPORARY_FAILURE)
    if isinstance(exc, UnicodeError):  # a name that cannot be encoded for the wire
        return DNS_NON_RECOVERABLE
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return DNS_NXDOMAIN
    if isinstance(exc, dns.resolver.NoAnswer):
        return DNS_NO_ANSWER
    if isinstance(
        exc, dns.message.ShortHeader | dns.message.TrailingJunk | dns.exception.FormError
    ):
        return DNS_REPLY_MALFORMED
    if isinstance(exc, httpcore.RemoteProtocolError):
        return EOF_ERROR if "disconnected" in str(exc).lower() else HTTP_PROTOCOL_ERROR
    if isinstance(exc, EOFError | ConnectionAbortedError):
        return EOF_ERROR
    if isinstance(exc, httpcore.ProtocolError):
        return HTTP_PROTOCOL_ERROR
    if isinstance(exc, OSError) and exc.errno in _ERRNO_FAILURES:
        return _ERRNO_FAILURES[exc.errno]
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in links):
        links.append(current)
        current = current.__cause__ or current.__context__
    return links
