"""How to stop trusting a certificate, for each kind of store it can be found in.

Commands name the certificate by its SHA-1 thumbprint where the tool wants one (macOS
``security -Z``, Windows ``certutil``), which the audit computes for each finding.
"""

from __future__ import annotations

from probe.certs.sources import ANCHOR, BUNDLE, CERT_DIR, KEYCHAIN, NSS, WINDOWS, TrustedCert
from probe.i18n import N_, _

_REGENERATE = N_(
    "then rebuild the system bundle: `sudo update-ca-certificates --fresh` (Debian, Ubuntu) or "
    "`sudo update-ca-trust extract` (Fedora, RHEL, Arch); `trust list` shows what remains"
)


def removal_steps(place: TrustedCert, sha1: str) -> list[str]:
    """Plain-text steps; the first is the usual way, the rest are alternatives or follow-ups."""
    where = place.location
    if place.store == ANCHOR:
        return [_("delete `{path}` (as root), {then}").format(path=where, then=_(_REGENERATE))]
    if place.store in (BUNDLE, CERT_DIR):
        return [
            _(
                "`{path}` is generated from source files: find the added root with "
                "`trust list --filter=ca-anchors` or in /usr/local/share/ca-certificates, "
                "/etc/pki/ca-trust/source/anchors or /etc/ca-certificates/trust-source/anchors "
                "(on Debian and Ubuntu also untick it in `sudo dpkg-reconfigure ca-certificates`), "
                "delete it, {then}"
            ).format(path=where, then=_(_REGENERATE))
        ]
    if place.store == KEYCHAIN:
        sudo = "" if where.endswith("login.keychain-db") else "sudo "
        return [
            f"{sudo}security delete-certificate -Z {sha1} '{where}'",
            _(
                "or open Keychain Access, select that keychain, find the certificate under "
                "Certificates and delete it"
            ),
        ]
    if place.store == WINDOWS:
        store = "Trusted Root" if where == "ROOT" else "Intermediate"
        return [
            _(
                "certutil -delstore {store} {sha1}   (as Administrator; "
                "add -user for your own store)"
            ).format(store=where, sha1=sha1),
            _(
                "or run certlm.msc (computer) and certmgr.msc (user), open {store} Certification "
                "Authorities > Certificates and delete it"
            ).format(store=store),
        ]
    if place.store == NSS:
        return [
            _("close the browser, then: certutil -D -d 'sql:{path}' -n '{name}'").format(
                path=where, name=place.nickname
            ),
            _(
                "or in Firefox: Settings > Privacy & Security > Certificates > View Certificates > "
                "Authorities, select it and press Delete or Distrust"
            ),
        ]
    return [_("remove it from `{path}`").format(path=where)]
