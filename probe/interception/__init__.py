"""Known TLS-interception roots and the analysis of presented chains against them (no network).

The names below are imported from their modules on first use (:mod:`probe.exports`), so a
module that needs one constant of a submodule does not load the X.509 parser with it.
"""

from typing import TYPE_CHECKING

from probe.exports import lazy_exports

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(
    __name__,
    {
        "certfiles": ("CertificateFileError",),
        "matching": ("RootMatch", "match_certificate", "match_chain"),
        "ooni": ("chain_from_peer_certificates",),
        "roots": ("KnownRoot", "Registry", "load_registry", "shipped_registry"),
        "telltales": ("control_telltales", "forgery_telltales"),
    },
)
