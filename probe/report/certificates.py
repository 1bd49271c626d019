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


def redact(der: bytes, scrubber: Scrubber) -> dict[str, Any] | None:
    """The summary that replaces ``der`` when it names a secret; None when it names none.

    A SAN iPAddress entry holds the address's raw bytes, which the scrubber's byte search
    finds as it finds every spelling, so a certificate whose bytes hold no secret is kept
    without being parsed: parsing every certificate of every chain cost more than the rest of
    the scrubbing. The X.509 parser is imported when a certificate first needs its issuer."""
    if not scrubber.found_in(der):
        return None
    from probe.interception.fingerprints import cert_sha256, lenient, parse_der

    cert = parse_der(der)
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
