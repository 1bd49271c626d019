"""Known TLS-interception roots and the analysis of presented chains against them (no network)."""

from probe.interception.certfiles import CertificateFileError
from probe.interception.matching import RootMatch, match_certificate, match_chain
from probe.interception.ooni import chain_from_peer_certificates
from probe.interception.roots import KnownRoot, Registry, load_registry, shipped_registry
from probe.interception.telltales import control_telltales, forgery_telltales

__all__ = [
    "CertificateFileError",
    "KnownRoot",
    "Registry",
    "RootMatch",
    "chain_from_peer_certificates",
    "control_telltales",
    "forgery_telltales",
    "load_registry",
    "match_certificate",
    "match_chain",
    "shipped_registry",
]
