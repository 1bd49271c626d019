"""Match what a device trusts against the known interception roots."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from probe.certs.removal import removal_steps
from probe.certs.sources import Scan, TrustedCert
from probe.interception.fingerprints import cert_sha256, parse_der
from probe.interception.matching import RootMatch, match_certificate
from probe.interception.roots import Registry


@dataclass(frozen=True)
class Finding:
    """One trusted certificate that is a known interception root, and everywhere it is trusted."""

    match: RootMatch
    cert_sha256: str
    sha1: str
    """The thumbprint macOS and Windows tools use to name a certificate."""
    subject: str
    places: tuple[TrustedCert, ...]

    def to_dict(self) -> dict[str, object]:
        found = self.match.to_dict()
        del found["index"]
        return {
            **found,
            "cert_sha256": self.cert_sha256,
            "sha1": self.sha1,
            "subject": self.subject,
            "trusted_in": [
                {
                    "store": place.store,
                    "location": place.location,
                    "nickname": place.nickname,
                    "remove": removal_steps(place, self.sha1),
                }
                for place in self.places
            ],
        }


def audit(scan: Scan, registry: Registry) -> list[Finding]:
    """Findings, pin matches first; each certificate once however many stores hold it."""
    places: dict[bytes, list[TrustedCert]] = {}
    for trusted in scan.certificates:
        places.setdefault(trusted.der, []).append(trusted)
    findings = []
    for der, where in places.items():
        found = match_certificate(der, registry)
        cert = parse_der(der)
        if found is None or cert is None:
            continue
        findings.append(
            Finding(
                match=found,
                cert_sha256=cert_sha256(der),
                sha1=hashlib.sha1(der, usedforsecurity=False).hexdigest().upper(),
                subject=cert.subject.rfc4514_string(),
                places=tuple(where),
            )
        )
    return sorted(findings, key=lambda f: (not f.match.strong, f.match.name, f.cert_sha256))
