"""The real Kazakh interception roots, read from the shared test-data folder (never copied)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

KZ_ROOTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kz-interception-roots"


@dataclass(frozen=True)
class RealRoot:
    cert_sha256: str
    spki_sha256: str
    pem: Path
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def real_roots() -> list[RealRoot]:
    """One entry per row of the shared index; empty when the folder is absent."""
    index = KZ_ROOTS / "index.csv"
    if not index.is_file():
        return []
    roots = []
    with index.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pem = KZ_ROOTS / f"{row['cert_sha256']}.pem"
            cert = x509.load_pem_x509_certificate(pem.read_bytes())
            roots.append(RealRoot(row["cert_sha256"], row["spki_sha256"], pem, cert))
    return roots


def root_params() -> list[object]:
    """Parametrisation over the real roots, or one skipped case saying why there are none."""
    roots = real_roots()
    if not roots:
        reason = f"Kazakh root test data not found at {KZ_ROOTS}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(root, id=root.cert_sha256[:12]) for root in roots]
