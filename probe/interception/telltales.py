"""Signs that a presented chain was minted on the fly by a middlebox rather than by a public CA.

None of these is proof alone (a private CA may use short-lived leaves, a CA may omit an extension);
they are observations for the verdict layer. Interception boxes typically generate a leaf per
name at first sight, copy the subject and SANs of the genuine certificate (Censored Planet saw
this in Kazakhstan in 2019), and fill in only the extensions they need.

Keys (all JSON-serialisable; ``None`` when the leaf is missing or does not parse):

``x_rsa_exponent_3``          indices of RSA keys with public exponent 3
``x_small_keys``              indices of RSA keys under 2048 bits or EC keys under 256 bits
``x_leaf_age_hours``          handshake time minus the leaf's notBefore, in hours
``x_leaf_fresh``              that age is below the freshness window (negative counts as fresh)
``x_leaf_missing_extensions`` names from ``LEAF_EXTENSIONS`` the leaf lacks
``x_control_same_cert``       the leaf equals the control's leaf byte for byte
``x_control_same_spki``       same public key as the control's leaf
``x_control_same_issuer``     same issuer name as the control's leaf
``x_control_subject_copied``  a different certificate with the control's subject name
``x_control_san_copied``      a different certificate with the control's DNS SANs
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtensionOID

from probe.interception.fingerprints import name_key, parse_der, spki_sha256

DEFAULT_FRESH_HOURS = 24.0
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
LEAF_EXTENSIONS: dict[str, x509.ObjectIdentifier] = {
    "subject_key_identifier": ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    "authority_key_identifier": ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    "key_usage": ExtensionOID.KEY_USAGE,
    "extended_key_usage": ExtensionOID.EXTENDED_KEY_USAGE,
    "crl_distribution_points": ExtensionOID.CRL_DISTRIBUTION_POINTS,
    "authority_information_access": ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
}
"""Extensions a publicly trusted server certificate nearly always carries."""


def forgery_telltales(
    chain: Sequence[bytes],
    handshake_time: datetime,
    fresh_hours: float = DEFAULT_FRESH_HOURS,
) -> dict[str, object]:
    """Weak keys anywhere in the chain, and a leaf that is brand new or oddly bare.

    ``handshake_time`` is when the chain was received; a naive datetime is taken as UTC.
    """
    parsed = [parse_der(der) for der in chain]
    keys = [cert.public_key() if cert else None for cert in parsed]
    leaf = parsed[0] if parsed else None
    age: float | None = None
    missing: list[str] | None = None
    if leaf is not None:
        when = handshake_time if handshake_time.tzinfo else handshake_time.replace(tzinfo=UTC)
        age = round((when - leaf.not_valid_before_utc).total_seconds() / 3600, 3)
        present = {ext.oid for ext in leaf.extensions}
        missing = [name for name, oid in LEAF_EXTENSIONS.items() if oid not in present]
    return {
        "x_rsa_exponent_3": [
            i
            for i, key in enumerate(keys)
            if isinstance(key, rsa.RSAPublicKey) and key.public_numbers().e == 3
        ],
        "x_small_keys": [i for i, key in enumerate(keys) if _small(key)],
        "x_leaf_age_hours": age,
        "x_leaf_fresh": None if age is None else age < fresh_hours,
        "x_leaf_missing_extensions": missing,
    }


def _small(key: object) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size < MIN_RSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.key_size < MIN_EC_BITS
    return False


def control_telltales(leaf: bytes, control_leaf: bytes) -> dict[str, object]:
    """Compare the leaf we were given with the one the control saw for the same name."""
    same = leaf == control_leaf
    ours, theirs = parse_der(leaf), parse_der(control_leaf)
    if ours is None or theirs is None:
        return {
            "x_control_same_cert": same,
            "x_control_same_spki": None,
            "x_control_same_issuer": None,
            "x_control_subject_copied": None,
            "x_control_san_copied": None,
        }
    our_sans, their_sans = dns_names(ours), dns_names(theirs)
    return {
        "x_control_same_cert": same,
        "x_control_same_spki": spki_sha256(ours) == spki_sha256(theirs),
        "x_control_same_issuer": name_key(ours.issuer) == name_key(theirs.issuer),
        "x_control_subject_copied": not same and name_key(ours.subject) == name_key(theirs.subject),
        "x_control_san_copied": not same and bool(our_sans) and our_sans == their_sans,
    }


def dns_names(cert: x509.Certificate) -> list[str]:
    """Sorted, lower-cased DNS names of the SAN extension (empty when there is none)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return sorted({name.lower() for name in san.get_values_for_type(x509.DNSName)})
