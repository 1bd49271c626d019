"""How to stop trusting a certificate, for each kind of store it can be found in.

Commands name the certificate by its SHA-1 thumbprint where the tool wants one (macOS
``security -Z``, Windows ``certutil``), which the audit computes for each finding.
"""

from __future__ import annotations

from probe.certs.sources import ANCHOR, BUNDLE, CERT_DIR, KEYCHAIN, NSS, WINDOWS, TrustedCert

_REGENERATE = (
    "then rebuild the system bundle: `sudo update-ca-certificates --fresh` (Debian, Ubuntu) or "
    "`sudo update-ca-trust extract` (Fedora, RHEL, Arch); `trust list` shows what remains"
)


def removal_steps(place: TrustedCert, sha1: str) -> list[str]:
    """Plain-text steps; the first is the usual way, the rest are alternatives or follow-ups."""
    if place.store == ANCHOR:
        return [f"delete `{place.location}` (as root), {_REGENERATE}"]
    if place.store in (BUNDLE, CERT_DIR):
        return [
            f"`{place.location}` is generated from source files: find the added root with "
            "`trust list --filter=ca-anchors` or in /usr/local/share/ca-certificates, "
            "/etc/pki/ca-trust/source/anchors or /etc/ca-certificates/trust-source/anchors "
            f"(on Debian and Ubuntu also untick it in `sudo dpkg-reconfigure ca-certificates`), "
            f"delete it, {_REGENERATE}"
        ]
    if place.store == KEYCHAIN:
        sudo = "" if place.location.endswith("login.keychain-db") else "sudo "
        return [
            f"{sudo}security delete-certificate -Z {sha1} '{place.location}'",
            "or open Keychain Access, select that keychain, find the certificate under "
            "Certificates and delete it",
        ]
    if place.store == WINDOWS:
        store = "Trusted Root" if place.location == "ROOT" else "Intermediate"
        return [
            f"certutil -delstore {place.location} {sha1}   (as Administrator; "
            f"add -user for your own store)",
            f"or run certlm.msc (computer) and certmgr.msc (user), open {store} Certification "
            "Authorities > Certificates and delete it",
        ]
    if place.store == NSS:
        return [
            f"close the browser, then: certutil -D -d 'sql:{place.location}' -n '{place.nickname}'",
            "or in Firefox: Settings > Privacy & Security > Certificates > View Certificates > "
            "Authorities, select it and press Delete or Distrust",
        ]
    return [f"remove it from `{place.location}`"]
