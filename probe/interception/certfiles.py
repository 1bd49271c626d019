"""Reading certificates from PEM bundles, single DER files and folders of either.

Bundles are split block by block, so one damaged certificate in a system bundle of hundreds does
not hide the others from an audit; callers that need every block (user-supplied roots) reject a
file with any problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from probe.interception.fingerprints import lenient

CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})
_HASH_LINK = re.compile(r"^[0-9a-f]{8}\.\d+$")
"""OpenSSL's ``c_rehash`` names (``/etc/ssl/certs/5ad8a5d6.0``), which carry no suffix."""
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class CertificateFileError(ValueError):
    """A file or folder that holds no usable certificate; ``str()`` starts with the path."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class CertificateFile:
    path: Path
    certificates: tuple[x509.Certificate, ...]
    problems: tuple[str, ...]
    """One message per PEM block that did not parse."""


def certificate_files(path: Path) -> list[Path]:
    """``path`` itself, or the certificate-looking files directly inside it, each file once."""
    if path.is_dir():
        seen: set[Path] = set()
        files: list[Path] = []
        # Named files first, so a certificate is reported under its name, not a hash link.
        for entry in sorted(path.iterdir(), key=lambda e: (bool(_HASH_LINK.match(e.name)), e)):
            looks_like_cert = entry.suffix.lower() in CERT_SUFFIXES or _HASH_LINK.match(entry.name)
            target = entry.resolve()
            if looks_like_cert and target.is_file() and target not in seen:
                seen.add(target)
                files.append(entry)
        return files
    if path.is_file():
        return [path]
    raise CertificateFileError(path, "no such file or folder")


def parse_pem_bundle(data: bytes) -> tuple[list[x509.Certificate], list[str]]:
    """Certificates of every PEM block, and one message per block that did not parse."""
    certificates: list[x509.Certificate] = []
    problems: list[str] = []
    for number, block in enumerate(_PEM_BLOCK.findall(data), start=1):
        try:
            with lenient():
                certificates.append(x509.load_pem_x509_certificate(block))
        except ValueError as exc:
            problems.append(f"certificate #{number} does not parse: {exc}")
    return certificates, problems


def read_certificate_file(path: Path) -> CertificateFile:
    """Every certificate in a PEM bundle, or the one in a DER file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateFileError(path, exc.strerror or str(exc)) from exc
    certificates, problems = parse_pem_bundle(data)
    if not certificates and not problems:
        try:
            with lenient():
                return CertificateFile(path, (x509.load_der_x509_certificate(data),), ())
        except ValueError:
            raise CertificateFileError(path, "no PEM or DER certificate in this file") from None
    if not certificates:
        raise CertificateFileError(path, problems[0])
    return CertificateFile(path, tuple(certificates), tuple(problems))
