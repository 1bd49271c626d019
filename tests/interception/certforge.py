"""Certificates made on the spot: CAs with chosen subjects, leaves with chosen flaws."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
NOW = datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Issued:
    key: PrivateKey
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def cn(value: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value)])


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def build(
    subject: x509.Name,
    public_key: PublicKey,
    signer: Issued | None,
    signing_key: PrivateKey,
    *,
    not_before: datetime.datetime = NOW - datetime.timedelta(days=90),
    names: Sequence[str] = (),
    ca: bool = False,
    full_extensions: bool = True,
) -> x509.Certificate:
    """Sign ``public_key`` under ``subject``; self-signed when ``signer`` is None."""
    issuer = signer.cert.subject if signer else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=365))
    )
    if names:
        sans = [x509.DNSName(name) for name in names]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    if full_extensions:
        builder = _extensions(builder, public_key, signing_key.public_key(), ca)
    return builder.sign(signing_key, hashes.SHA256())


def _extensions(
    builder: x509.CertificateBuilder, public_key: PublicKey, issuer_key: PublicKey, ca: bool
) -> x509.CertificateBuilder:
    uri = x509.UniformResourceIdentifier
    usage = dict.fromkeys(
        (
            "content_commitment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    return (
        builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=not ca,
                key_cert_sign=ca,
                crl_sign=ca,
                **usage,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([uri("http://crl.example.test/ca.crl")], None, None, None)]
            ),
            False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, uri("http://ocsp.example.test")
                    )
                ]
            ),
            False,
        )
    )


def make_ca(subject: x509.Name) -> Issued:
    key = ec_key()
    return Issued(key, build(subject, key.public_key(), None, key, ca=True))


def issue(
    ca: Issued,
    *names: str,
    key: PrivateKey | None = None,
    not_before: datetime.datetime = NOW - datetime.timedelta(days=90),
    full_extensions: bool = True,
) -> Issued:
    """A leaf for ``names`` (the first is also its CN), signed by ``ca``."""
    leaf_key = key or ec_key()
    cert = build(
        cn(names[0]),
        leaf_key.public_key(),
        ca,
        ca.key,
        names=names,
        not_before=not_before,
        full_extensions=full_extensions,
    )
    return Issued(leaf_key, cert)
