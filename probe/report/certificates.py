"""Certificates that name the volunteer's address: dropped whole, with what identifies them kept.

Editing bytes inside a DER certificate breaks its signature and fingerprint, so the evidence of
who issued it is lost, while the address survives in binary (a SAN iPAddress entry is the four
or sixteen raw bytes). A certificate that names a secret is therefore replaced by a summary: its
SHA-256 fingerprint, its issuer, and the fact that it named the probe. The rest of the chain is
kept byte for byte, so interception matching still works on it.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from probe.interception.ooni import REDACTED_FORMAT

if TYPE_CHECKING:
    from cryptography import x509

    from probe.report.scrub import Scrubber

REASON = "names_probe_address"


def certificate_der(entry: Any) -> bytes | None:
    """The DER bytes of one df-006 ``peer_certificates`` entry, or None if it is not one."""
    if not isinstance(entry, dict) or entry.get("format") != "base64":
        return None
    data = entry.get("data")
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def _san_addresses(cert: x509.Certificate) -> list[str]:
    from cryptography import x509

    from probe.interception.fingerprints import lenient

    try:
        with lenient():
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    return [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def redact(der: bytes, scrubber: Scrubber) -> dict[str, Any] | None:
    """The summary that replaces ``der`` when it names a secret; None when it names none.

    The X.509 parser is imported here, when the first certificate is scrubbed, not at start-up."""
    from probe.interception.fingerprints import cert_sha256, lenient, parse_der

    cert = parse_der(der)
    named = cert is not None and any(str(ip) in scrubber.addresses for ip in _san_addresses(cert))
    if not named and not scrubber.found_in(der):
        return None
    summary: dict[str, Any] = {
        "format": REDACTED_FORMAT,
        "x_redacted": REASON,
        "x_cert_sha256": cert_sha256(der),
        "x_issuer": None,
    }
    if cert is not None:
        with lenient():
            summary["x_issuer"] = scrubber.text(cert.issuer.rfc4514_string())
    return summary
