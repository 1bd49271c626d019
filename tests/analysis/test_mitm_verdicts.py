"""TLS interception: a known root by pin, a registered lab root, an unknown interceptor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from analysis.builders import (
    LAB,
    REAL,
    Json,
    connect,
    handshake,
    helper,
    measurement,
    neutral,
    query,
    verdict,
)
from probe.analysis import AnalysisOptions, OptionFlags, analyze_measurement, merge
from probe.interception.roots import user_roots

ROOTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "kz-interception-roots"
QAZNET = ROOTS / "00309c736dd661da6f1eb24173aa849944c168a43a15bffd192eecfdb6f8dbd2.pem"
HOST = "www.facebook.com"
URL = f"https://{HOST}/"
EP = f"{REAL}:443"


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def _intercepted(
    chain: list[bytes], failure: str | None = "ssl_unknown_authority", **kw: Any
) -> Json:
    return measurement(
        URL,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(EP, HOST, failure, chain)],
        **kw,
    )


@pytest.mark.skipif(not QAZNET.exists(), reason="the shared Kazakh root PEMs are not available")
def test_presented_kazakh_root_is_attributed_without_any_control() -> None:
    leaf = trustme.CA().issue_cert(HOST)
    chain = [_der(leaf.cert_chain_pems[0].bytes()), _der(QAZNET.read_bytes())]
    keys = verdict(_intercepted(chain))
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "http-failure",
        False,
        "tls.mitm",
    )
    assert keys["x_mitm"]["root"]["name"] == "Qaznet Trust Network"
    assert keys["x_mitm"]["root"]["year"] == "2019"
    assert "Qaznet Trust Network (2019)" in keys["x_detail"]


def _lab_root(tmp_path: Path) -> tuple[trustme.CA, AnalysisOptions]:
    root = trustme.CA(organization_name="Lab National Root")
    path = tmp_path / "national.pem"
    root.cert_pem.write_to_path(str(path))
    return root, AnalysisOptions(bogon_exempt=LAB, extra_roots=tuple(user_roots(path)))


def test_registered_lab_root_is_attributed_when_the_helper_saw_a_genuine_chain(
    tmp_path: Path,
) -> None:
    root, options = _lab_root(tmp_path)
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert(HOST)
    chain = [_der(p.bytes()) for p in leaf.cert_chain_pems[:2]]  # the root itself is not sent
    keys = verdict(_intercepted(chain, control=helper(tls={EP: True})), options)
    assert keys["x_technique"] == "tls.mitm"
    assert keys["x_mitm"]["root"]["match"] == "name"
    assert "O=Lab National Root" in keys["x_mitm"]["root"]["name"]  # no CN: named by subject
    assert "x_leaf_age_hours" in keys["x_mitm"]
    # Without the registration, the same evidence is an unknown interceptor.
    unknown = verdict(_intercepted(chain, control=helper(tls={EP: True})))
    assert unknown["x_technique"] == "tls.mitm" and unknown["x_mitm"]["root"] is None


def test_registered_root_by_name_with_the_self_control_as_witness(tmp_path: Path) -> None:
    root, options = _lab_root(tmp_path)
    leaf = root.create_child_ca().issue_cert(HOST)
    chain = [_der(p.bytes()) for p in leaf.cert_chain_pems[:2]]
    genuine = _der(trustme.CA().issue_cert("example.com").cert_chain_pems[0].bytes())
    witness = neutral([handshake(EP, "example.com", None, [genuine], no_verify=True)])
    keys = verdict(_intercepted(chain, self_control=witness), options)
    assert keys["x_technique"] == "tls.mitm" and keys["x_mitm"]["control"] == "self-control"


def test_unknown_interceptor_records_the_issuer() -> None:
    interceptor = trustme.CA(organization_name="Some Middlebox")
    chain = [_der(interceptor.issue_cert(HOST).cert_chain_pems[0].bytes())]
    keys = verdict(_intercepted(chain, control=helper(tls={EP: True})))
    assert keys["x_technique"] == "tls.mitm"
    assert "Some Middlebox" in keys["x_mitm"]["issuer"]
    assert keys["x_mitm"]["leaf_key"].startswith(("RSA", "EC"))
    assert "fails validation" in keys["x_detail"]


def test_a_certificate_that_fails_for_the_helper_too_is_the_site_not_censorship() -> None:
    broken = trustme.CA(organization_name="Self Signed Site")
    chain = [_der(broken.issue_cert(HOST).cert_chain_pems[0].bytes())]
    keys = verdict(_intercepted(chain, control=helper(tls={EP: False})))
    assert (keys["blocking"], keys["accessible"], keys["x_mitm"]) == (False, False, None)


def test_a_bad_chain_without_any_witness_is_undetermined() -> None:
    chain = [_der(trustme.CA().issue_cert(HOST).cert_chain_pems[0].bytes())]
    keys = verdict(_intercepted(chain, control=helper()))
    assert (keys["blocking"], keys["x_technique"], keys["x_mitm"]) == (None, None, None)


def test_a_registered_root_is_stored_so_reanalysis_needs_no_file(tmp_path: Path) -> None:
    root, options = _lab_root(tmp_path)
    leaf = root.create_child_ca().issue_cert(HOST)
    chain = [_der(p.bytes()) for p in leaf.cert_chain_pems[:2]]
    stored = merge(m := _intercepted(chain, control=helper(tls={EP: True})), verdict(m, options))
    (tmp_path / "national.pem").unlink()
    again = analyze_measurement(json.loads(json.dumps(stored)), OptionFlags())
    assert again["x_mitm"]["root"]["name"] == stored["test_keys"]["x_mitm"]["root"]["name"]
    assert again == verdict(m, options)
    # A flag given to analyze still overrides what the file stored.
    assert analyze_measurement(stored, OptionFlags(extra_roots=()))["x_mitm"]["root"] is None
