from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from interception.certforge import cn, make_ca
from interception.kzroots import RealRoot

from probe.interception import CertificateFileError, load_registry
from probe.interception.roots import parse_roots_csv, shipped_roots, user_roots

HEADER = "name,years,cert_sha256,spki_sha256,subject,match,source\n"


def test_shipped_fingerprints_are_exactly_the_shared_roots(all_real_roots: list[RealRoot]) -> None:
    shipped = {r.cert_sha256: r for r in shipped_roots() if r.match == "fingerprint"}
    assert set(shipped) == {root.cert_sha256 for root in all_real_roots}
    for root in all_real_roots:
        known = shipped[root.cert_sha256]
        assert known.spki_sha256 == root.spki_sha256
        assert known.subject == root.cert.subject.rfc4514_string()


def test_2015_root_is_shipped_by_name_only() -> None:
    by_name = [r for r in shipped_roots() if r.match == "name"]
    assert [(r.name, r.years, r.cert_sha256) for r in by_name] == [
        ("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ", "2015", None)
    ]
    assert "1229827" in by_name[0].source


def test_every_shipped_row_cites_a_source() -> None:
    assert all(root.source.strip() for root in shipped_roots())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,2019,abc,,CN=x,fingerprint,s\n", "not a lower-case hex SHA-256"),
        (f"x,2019,{'a' * 64},,CN=x,fingerprint,s\n", "needs both pins"),
        ("x,2019,,,CN=x,pin,s\n", "match must be"),
    ],
)
def test_bad_rows_are_rejected(row: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_roots_csv(HEADER + row)


def test_bad_header_is_rejected() -> None:
    with pytest.raises(ValueError, match="header"):
        parse_roots_csv("name,cert\nx,y\n")


def test_user_pem_gets_pins_subject_and_unknown_year(tmp_path: Path) -> None:
    ca = trustme.CA()
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)

    [root] = user_roots(path)

    assert root.cert_sha256 == hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    assert root.spki_sha256 == hashlib.sha256(spki).hexdigest()
    assert root.years is None
    assert root.source == str(path)
    # trustme CAs carry no CN, so the whole subject names the root.
    assert root.name == cert.subject.rfc4514_string()


def test_user_root_named_by_its_common_name(tmp_path: Path) -> None:
    ca = make_ca(cn("Volunteer Found This CA"))
    path = tmp_path / "found.crt"
    path.write_bytes(ca.cert.public_bytes(Encoding.PEM))
    assert [r.name for r in user_roots(path)] == ["Volunteer Found This CA"]


def test_folder_bundles_and_der_files_all_load(tmp_path: Path) -> None:
    cas = [trustme.CA() for _ in range(3)]
    (tmp_path / "bundle.pem").write_bytes(cas[0].cert_pem.bytes() + cas[1].cert_pem.bytes())
    der = x509.load_pem_x509_certificate(cas[2].cert_pem.bytes()).public_bytes(Encoding.DER)
    (tmp_path / "single.der").write_bytes(der)
    (tmp_path / "notes.txt").write_text("not a certificate")

    registry = load_registry([tmp_path])

    added = registry.roots[len(shipped_roots()) :]
    assert len(added) == 3
    assert {r.source for r in added} == {str(tmp_path / "bundle.pem"), str(tmp_path / "single.der")}


@pytest.mark.parametrize(
    "content",
    [
        b"hello",
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    ],
    ids=["no-pem", "bad-block"],
)
def test_bad_pem_error_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pem"
    path.write_bytes(content)
    with pytest.raises(CertificateFileError) as caught:
        load_registry([path])
    assert str(caught.value).startswith(str(path))


def test_one_bad_block_in_a_user_bundle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pem"
    bad = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    path.write_bytes(trustme.CA().cert_pem.bytes() + bad)
    with pytest.raises(CertificateFileError, match="#2"):
        user_roots(path)


def test_missing_path_and_empty_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(CertificateFileError, match="no such file"):
        load_registry([tmp_path / "absent.pem"])
    with pytest.raises(CertificateFileError, match="no certificate files"):
        load_registry([tmp_path])
