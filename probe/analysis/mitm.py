"""TLS interception in a measurement's handshakes, through the ``probe.interception`` module.

Kept to one entry point so the verdict does not depend on how chains are matched. A pin match on
a known root is proof by itself; a name match, or a chain that simply fails validation, counts
only when a control saw a valid certificate at the same address (the 2015 Kazakh root is also the
national PKI's, and a site's own broken certificate is not censorship).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from probe.analysis.controls import Controls
from probe.analysis.observations import Record, failure_of, records
from probe.analysis.vocabulary import CERTIFICATE_FAILURES
from probe.i18n import N_
from probe.interception import (
    Registry,
    RootMatch,
    chain_from_peer_certificates,
    forgery_telltales,
    match_chain,
)
from probe.interception.fingerprints import parse_der


def find_interception(
    keys: Record, controls: Controls, registry: Registry | None, started: datetime | None
) -> dict[str, Any] | None:
    """``x_mitm`` evidence for the first intercepted handshake, or None."""
    for handshake in records(keys.get("tls_handshakes")):
        try:
            chain = chain_from_peer_certificates(records(handshake.get("peer_certificates")))
        except ValueError:
            continue
        if not chain:
            continue
        address = str(handshake.get("address", ""))
        vouched = _control_vouches(controls, address, chain, registry)
        found = match_chain(chain, registry)
        if found and (found.strong or vouched == "helper" or (vouched and _pinned(found))):
            return _evidence(handshake, chain, started, found.to_dict(), vouched)
        if vouched and failure_of(handshake) in CERTIFICATE_FAILURES:
            return _evidence(handshake, chain, started, None, vouched)
    return None


def _pinned(found: RootMatch) -> bool:
    """A name match on roots whose keys are known; a name-only root (2015) needs the helper."""
    return all(root.match == "fingerprint" for root in found.roots)


def _control_vouches(
    controls: Controls, address: str, chain: list[bytes], registry: Registry | None
) -> str | None:
    """Which control saw a genuine certificate at this address: the helper, or a neutral SNI."""
    if controls.helper_tls(address):
        return "helper"
    neutral = controls.neutral_handshake(address)
    if neutral is None:
        return None
    try:
        theirs = chain_from_peer_certificates(records(neutral.get("peer_certificates")))
    except ValueError:
        return None
    ours_leaf, their_leaf = parse_der(chain[0]), parse_der(theirs[0]) if theirs else None
    if ours_leaf is None or their_leaf is None or ours_leaf.issuer == their_leaf.issuer:
        return None
    return None if match_chain(theirs, registry) else "self-control"


def _evidence(
    handshake: Record,
    chain: list[bytes],
    started: datetime | None,
    root: dict[str, object] | None,
    vouched: str | None,
) -> dict[str, Any]:
    leaf = parse_der(chain[0])
    issuer = parse_der(chain[1]) if len(chain) > 1 else None
    t = handshake.get("t")
    when = started + timedelta(seconds=t if isinstance(t, int | float) else 0) if started else None
    evidence: dict[str, Any] = {
        "root": root,
        "address": handshake.get("address"),
        "server_name": handshake.get("server_name"),
        "issuer": leaf.issuer.rfc4514_string() if leaf else None,
        "issuer_key": _key(issuer) if issuer else None,
        "leaf_key": _key(leaf) if leaf else None,
        "control": vouched,
    }
    if when is not None:
        evidence.update(forgery_telltales(chain, when))
    return evidence


def _key(cert: Any) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} e={key.public_numbers().e}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__


def mitm_sentence(evidence: dict[str, Any]) -> str:
    root = evidence.get("root")
    where = N_("{address} with SNI {sni}").format(
        address=evidence.get("address"), sni=evidence.get("server_name") or N_("(none)")
    )
    if root:
        name = f"{root['name']} ({root['year']})" if root.get("year") else root["name"]
        how = N_("by name") if root.get("match") == "name" else N_("by fingerprint")
        return N_(
            "certificate chain at {where} leads to the known interception root {root}, "
            "matched {how}"
        ).format(where=where, root=name, how=how)
    control = (
        N_("the helper")
        if evidence.get("control") == "helper"
        else N_("the same address with a neutral SNI")
    )
    return N_(
        "certificate at {where} issued by {issuer} fails validation "
        "while {control} saw a genuine certificate"
    ).format(where=where, issuer=evidence.get("issuer"), control=control)
