"""Identities of a certificate: the two SHA-256 pins and a comparable form of an X.509 name.

The SPKI pin survives re-issuing a root with the same key (new dates, new serial), which is why
browsers block interception roots by SPKI as well as by certificate hash.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.utils import CryptographyDeprecationWarning

NameKey = frozenset[tuple[str, str]]
"""An X.509 name as a set of (attribute OID, normalised value): order and case do not matter."""


def cert_sha256(der: bytes) -> str:
    """Hex SHA-256 of the DER certificate, as crt.sh and Chromium's blocklist spell it."""
    return hashlib.sha256(der).hexdigest()


def spki_sha256(cert: x509.Certificate) -> str:
    """Hex SHA-256 of the DER SubjectPublicKeyInfo."""
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def name_key(name: x509.Name) -> NameKey:
    """Attributes of ``name`` with values case-folded and inner whitespace collapsed."""
    return frozenset(
        (attr.oid.dotted_string, " ".join(_text(attr.value).casefold().split())) for attr in name
    )


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("latin-1")


@contextmanager
def lenient() -> Iterator[None]:
    """Silence cryptography's warnings about quirks (negative serials) of old system roots."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def parse_der(der: bytes) -> x509.Certificate | None:
    """The parsed certificate, or None when the bytes are not one (a middlebox may send junk)."""
    try:
        with lenient():
            return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def common_name(name: x509.Name) -> str | None:
    """The first CN of ``name``, if any."""
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return _text(values[0].value) if values else None
