"""The registry of known TLS-interception roots: the shipped list plus any the user adds.

The shipped facts live in ``probe/data/interception_roots.csv`` so they can be reviewed and
updated without touching code; a volunteer who meets a new root can pass its PEM at once
(``--interception-roots`` / ``PROBE_INTERCEPTION_ROOTS``) and be matched against it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from probe.interception.certfiles import (
    CertificateFileError,
    certificate_files,
    read_certificate_file,
)
from probe.interception.fingerprints import (
    NameKey,
    cert_sha256,
    common_name,
    name_key,
    spki_sha256,
)

MatchKind = Literal["fingerprint", "name"]
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_COLUMNS = ("name", "years", "cert_sha256", "spki_sha256", "subject", "match", "source")


@dataclass(frozen=True)
class KnownRoot:
    """One root, identified by its pins, or only by its subject when no copy is public."""

    name: str
    years: str | None
    """Years of documented use (``2019``, ``2023-2024``); None when none is documented."""
    cert_sha256: str | None
    spki_sha256: str | None
    subject: str
    """RFC 4514, as ``cryptography`` prints it."""
    match: MatchKind
    source: str
    subject_key: NameKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for pin in (self.cert_sha256, self.spki_sha256):
            if pin is not None and not _SHA256_HEX.match(pin):
                raise ValueError(f"{self.name}: {pin!r} is not a lower-case hex SHA-256")
        if self.match == "fingerprint" and not (self.cert_sha256 and self.spki_sha256):
            raise ValueError(f"{self.name}: a fingerprint root needs both pins")
        key = name_key(x509.Name.from_rfc4514_string(self.subject))
        if not key:
            raise ValueError(f"{self.name}: empty subject would match every issuer")
        object.__setattr__(self, "subject_key", key)

    @classmethod
    def from_certificate(cls, der: bytes, cert: x509.Certificate, source: str) -> KnownRoot:
        """A user-supplied root: named by its subject CN, year unknown."""
        subject = cert.subject.rfc4514_string()
        return cls(
            name=common_name(cert.subject) or subject,
            years=None,
            cert_sha256=cert_sha256(der),
            spki_sha256=spki_sha256(cert),
            subject=subject,
            match="fingerprint",
            source=source,
        )


class Registry:
    """Known roots with lookups by certificate pin, SPKI pin and name."""

    def __init__(self, roots: Iterable[KnownRoot]) -> None:
        self.roots: tuple[KnownRoot, ...] = tuple(roots)
        self._by_cert: dict[str, KnownRoot] = {}
        self._by_spki: dict[str, KnownRoot] = {}
        for root in self.roots:
            if root.cert_sha256:
                self._by_cert.setdefault(root.cert_sha256, root)
            if root.spki_sha256:
                self._by_spki.setdefault(root.spki_sha256, root)

    def by_cert_sha256(self, digest: str) -> KnownRoot | None:
        return self._by_cert.get(digest)

    def by_spki_sha256(self, digest: str) -> KnownRoot | None:
        return self._by_spki.get(digest)

    def by_name(self, name: x509.Name) -> tuple[KnownRoot, ...]:
        """Roots whose every subject attribute appears in ``name``; several ISCA roots share one."""
        key = name_key(name)
        return tuple(root for root in self.roots if root.subject_key <= key)


def parse_roots_csv(text: str) -> list[KnownRoot]:
    """Rows of the shipped CSV; empty cells mean unknown."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ValueError(f"interception roots CSV header must be {','.join(_COLUMNS)}")
    roots: list[KnownRoot] = []
    for row in reader:
        match = row["match"]
        if match not in ("fingerprint", "name"):
            raise ValueError(f"{row['name']}: match must be 'fingerprint' or 'name'")
        roots.append(
            KnownRoot(
                name=row["name"],
                years=row["years"] or None,
                cert_sha256=row["cert_sha256"] or None,
                spki_sha256=row["spki_sha256"] or None,
                subject=row["subject"],
                match="fingerprint" if match == "fingerprint" else "name",
                source=row["source"],
            )
        )
    return roots


@cache
def shipped_roots() -> tuple[KnownRoot, ...]:
    text = resources.files("probe.data").joinpath("interception_roots.csv").read_text("utf-8")
    return tuple(parse_roots_csv(text))


def user_roots(path: Path) -> list[KnownRoot]:
    """Roots from a PEM file or a folder of them; any unreadable certificate is an error."""
    files = certificate_files(path)
    if not files:
        raise CertificateFileError(path, "no certificate files (.pem .crt .cer .der) in it")
    roots: list[KnownRoot] = []
    for file in files:
        loaded = read_certificate_file(file)
        if loaded.problems:
            raise CertificateFileError(file, loaded.problems[0])
        for cert in loaded.certificates:
            der = cert.public_bytes(Encoding.DER)
            roots.append(KnownRoot.from_certificate(der, cert, str(file)))
    return roots


def load_registry(extra: Sequence[Path] = ()) -> Registry:
    """Shipped roots plus those in ``extra`` (the CLI passes ``Settings.interception_roots``)."""
    roots = list(shipped_roots())
    for path in extra:
        roots.extend(user_roots(path))
    return Registry(roots)


@cache
def shipped_registry() -> Registry:
    return Registry(shipped_roots())
