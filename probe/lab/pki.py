"""Certificates for the lab: a "web PKI" the probe trusts and a "national" CA it does not.

ECDSA P-256 throughout, and one key shared by every leaf: signing is then the only per-domain
cost, which keeps thousands of sites practical.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALID = dt.timedelta(days=30)


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


def _builder(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + _VALID)
    )


def root(common_name: str, organization: str) -> Authority:
    key = new_key()
    name = _name(common_name, organization)
    cert = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def intermediate(parent: Authority, common_name: str, organization: str) -> Authority:
    key = new_key()
    cert = (
        _builder(_name(common_name, organization), parent.cert.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(_aki(parent), critical=False)
        .sign(parent.key, hashes.SHA256())
    )
    return Authority(key, cert)


def leaf(
    issuer: Authority, public: ec.EllipticCurvePublicKey, dns_names: list[str], ips: list[str]
) -> x509.Certificate:
    """A server certificate for ``dns_names`` and ``ips`` (the first name is the CN)."""
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    common_name = (dns_names or ips)[0]
    return (
        _builder(_name(common_name), issuer.cert.subject, public)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_aki(issuer), critical=False)
        .sign(issuer.key, hashes.SHA256())
    )


def write_leaf(
    path: Path,
    issuer: Authority,
    key: ec.EllipticCurvePrivateKey,
    dns_names: list[str],
    ips: tuple[str, ...] = (),
) -> None:
    cert = leaf(issuer, key.public_key(), dns_names, list(ips))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def write_server(stem: Path, issuer: Authority, address: str) -> tuple[Path, Path]:
    """A key and a certificate for a server known by its address (``stem``.pem, ``stem``.key)."""
    key = new_key()
    pem, key_file = stem.with_suffix(".pem"), stem.with_suffix(".key")
    key_file.write_bytes(key_pem(key))
    write_leaf(pem, issuer, key, [], (address,))
    return pem, key_file


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _aki(issuer: Authority) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
