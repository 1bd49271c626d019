"""Does a certificate chain lead to a known interception root?

A pin match (certificate or SPKI SHA-256) is proof that the root itself was presented. A name
match only says that a presented certificate names a known root as its issuer: the interceptor
rarely sends its root, so this is how an injected leaf is usually recognised, but a name can be
reused (the 2015 Kazakh root is also the national PKI's), so it is flagged as weaker and the
verdict layer weighs it against the control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509

from probe.interception.fingerprints import cert_sha256, parse_der, spki_sha256
from probe.interception.roots import KnownRoot, Registry, shipped_registry

MatchHow = Literal["cert_sha256", "spki_sha256", "name"]


@dataclass(frozen=True)
class RootMatch:
    index: int
    """Position of the matching certificate as presented, 0 being the leaf."""
    match: MatchHow
    roots: tuple[KnownRoot, ...]
    """The root for a pin match; every root with that subject for a name match."""

    @property
    def name(self) -> str:
        return self.roots[0].name

    @property
    def year(self) -> str | None:
        years = sorted({root.years for root in self.roots if root.years})
        return ", ".join(years) or None

    @property
    def strong(self) -> bool:
        return self.match != "name"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "year": self.year,
            "index": self.index,
            "match": self.match,
            "roots_sha256": [root.cert_sha256 for root in self.roots if root.cert_sha256],
        }


def match_chain(chain: Sequence[bytes], registry: Registry | None = None) -> RootMatch | None:
    """The best match over DER certificates as a server presented them (leaf first).

    Pins are tried on every certificate before names, so a presented root beats its leaf's issuer.
    """
    known = registry or shipped_registry()
    parsed = [parse_der(der) for der in chain]
    for index, der in enumerate(chain):
        found = _pin_match(der, parsed[index], index, known)
        if found:
            return found
    for index, cert in enumerate(parsed):
        if cert is not None and (roots := known.by_name(cert.issuer)):
            return RootMatch(index, "name", roots)
    return None


def match_certificate(der: bytes, registry: Registry | None = None) -> RootMatch | None:
    """Whether one (trusted) certificate is a known root, by pin or by its own subject name."""
    known = registry or shipped_registry()
    cert = parse_der(der)
    found = _pin_match(der, cert, 0, known)
    if found or cert is None:
        return found
    roots = known.by_name(cert.subject)
    return RootMatch(0, "name", roots) if roots else None


def _pin_match(
    der: bytes, cert: x509.Certificate | None, index: int, known: Registry
) -> RootMatch | None:
    root = known.by_cert_sha256(cert_sha256(der))
    if root:
        return RootMatch(index, "cert_sha256", (root,))
    if cert is not None and (root := known.by_spki_sha256(spki_sha256(cert))):
        return RootMatch(index, "spki_sha256", (root,))
    return None
