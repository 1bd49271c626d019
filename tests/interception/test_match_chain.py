from __future__ import annotations

import json
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from interception.certforge import Issued, cn, ec_key, issue, make_ca
from interception.kzroots import RealRoot, root_params

from probe.interception import load_registry, match_certificate, match_chain
from probe.interception.fingerprints import name_key
from probe.interception.roots import shipped_roots

NATIONAL_CN = "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ"


def shipped(cert_sha256: str) -> tuple[str, str | None]:
    [root] = [r for r in shipped_roots() if r.cert_sha256 == cert_sha256]
    return root.name, root.years


def trustme_chain(ca: trustme.CA, *, with_ca: bool) -> list[bytes]:
    pems = [blob.bytes() for blob in ca.issue_cert("site.test").cert_chain_pems]
    if with_ca:
        pems.append(ca.cert_pem.bytes())
    return [x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER) for pem in pems]


@pytest.mark.parametrize("root", root_params())
def test_real_root_presented_matches_by_certificate_hash(root: RealRoot) -> None:
    leaf = issue(make_ca(cn("Unrelated CA")), "site.test")

    found = match_chain([leaf.der, root.der])

    assert found is not None
    assert (found.index, found.match, found.strong) == (1, "cert_sha256", True)
    assert (found.name, found.year) == shipped(root.cert_sha256)
    assert found.to_dict()["roots_sha256"] == [root.cert_sha256]


@pytest.mark.parametrize("root", root_params())
def test_same_key_reissued_matches_by_spki(root: RealRoot) -> None:
    # We cannot sign with the real key, but a certificate may carry its public key regardless.
    signer = make_ca(cn("Re-issuer"))
    reissued = x509.CertificateBuilder(
        subject_name=cn("Renamed root"),
        issuer_name=signer.cert.subject,
        public_key=root.cert.public_key(),
        serial_number=x509.random_serial_number(),
        not_valid_before=root.cert.not_valid_before_utc,
        not_valid_after=root.cert.not_valid_after_utc,
    ).sign(signer.key, hashes.SHA256())

    found = match_chain([reissued.public_bytes(Encoding.DER)])

    assert found is not None
    assert (found.index, found.match) == (0, "spki_sha256")
    assert found.roots[0].cert_sha256 == root.cert_sha256


@pytest.mark.parametrize("root", root_params())
def test_leaf_issued_under_a_copied_root_subject_matches_by_name(root: RealRoot) -> None:
    impostor = make_ca(root.cert.subject)
    leaf = issue(impostor, "www.facebook.com")

    found = match_chain([leaf.der])

    assert found is not None
    assert (found.index, found.match, found.strong) == (0, "name", False)
    assert root.cert_sha256 in [r.cert_sha256 for r in found.roots]
    issuer = name_key(leaf.cert.issuer)
    assert all(r.subject_key <= issuer for r in found.roots)


def test_presented_root_outranks_its_leafs_issuer_name(all_real_roots: list[RealRoot]) -> None:
    root = all_real_roots[0]
    leaf = issue(make_ca(root.cert.subject), "vk.com")

    found = match_chain([leaf.der, root.der])

    assert found is not None
    assert (found.index, found.match) == (1, "cert_sha256")


def test_name_match_ignores_case_spacing_and_order() -> None:
    shouting = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.COMMON_NAME, "QAZNET   TRUST NETWORK"),
        ]
    )
    found = match_chain([issue(make_ca(shouting), "t.co").der])
    assert found is not None
    assert (found.name, found.year, found.match) == ("Qaznet Trust Network", "2019", "name")


def test_2015_national_root_matches_by_name_only() -> None:
    ca = make_ca(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NATIONAL_CN)]))
    found = match_chain([issue(ca, "mail.ru").der])
    assert found is not None
    assert (found.name, found.year, found.match) == (NATIONAL_CN, "2015", "name")
    assert found.to_dict()["roots_sha256"] == []


def test_later_national_pki_roots_are_not_the_2015_root() -> None:
    ca = make_ca(cn(f"{NATIONAL_CN} (RSA)"))
    assert match_chain([issue(ca, "egov.kz").der]) is None


def test_trustme_chain_matches_nothing() -> None:
    assert match_chain(trustme_chain(trustme.CA(), with_ca=True)) is None


def test_user_registered_trustme_ca_matches(tmp_path: Path) -> None:
    ca = trustme.CA()
    pem = tmp_path / "found-in-the-wild.pem"
    ca.cert_pem.write_to_path(str(pem))
    registry = load_registry([pem])

    by_issuer = match_chain(trustme_chain(ca, with_ca=False), registry)
    by_pin = match_chain(trustme_chain(ca, with_ca=True), registry)

    assert by_issuer is not None and (by_issuer.index, by_issuer.match) == (0, "name")
    assert by_issuer.roots[0].source == str(pem)
    assert by_pin is not None and (by_pin.index, by_pin.match) == (1, "cert_sha256")
    assert match_chain(trustme_chain(trustme.CA(), with_ca=True), registry) is None


def test_unparsable_certificates_are_skipped(all_real_roots: list[RealRoot]) -> None:
    found = match_chain([b"\x30\x03junk", all_real_roots[-1].der])
    assert found is not None and found.index == 1
    assert match_chain([b"", b"junk"]) is None
    assert match_chain([]) is None


def test_trusted_certificate_matches_by_pin_or_own_subject(all_real_roots: list[RealRoot]) -> None:
    root = all_real_roots[0]
    pinned = match_certificate(root.der)
    renamed_twin = match_certificate(make_ca(root.cert.subject).der)
    stranger: Issued = make_ca(cn("Some Corporate Proxy CA"))

    assert pinned is not None and pinned.match == "cert_sha256"
    assert renamed_twin is not None and renamed_twin.match == "name"
    assert match_certificate(stranger.der) is None


def test_issuer_missing_an_attribute_of_the_root_subject_does_not_match() -> None:
    # Qaznet's subject is CN plus C=KZ; a bare CN is a different name.
    assert match_chain([issue(make_ca(cn("Qaznet Trust Network")), "ok.ru").der]) is None


def test_match_serialises_to_json() -> None:
    qaznet = x509.Name.from_rfc4514_string("CN=Qaznet Trust Network,C=KZ")
    leaf = issue(make_ca(qaznet), "youtube.com", key=ec_key())
    found = match_chain([leaf.der])
    assert found is not None
    assert json.loads(json.dumps(found.to_dict())) == {
        "name": "Qaznet Trust Network",
        "year": "2019",
        "index": 0,
        "match": "name",
        "roots_sha256": [r.cert_sha256 for r in shipped_roots() if r.years == "2019"],
    }
