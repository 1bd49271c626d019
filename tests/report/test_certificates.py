"""A certificate that names the volunteer is summarised, never edited; the rest of the chain,
and interception analysis on it, stay intact."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
import trustme
from analysis.builders import REAL, connect, handshake, measurement, query, verdict
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from report.spelled import every_spelling

from probe.interception import chain_from_peer_certificates
from probe.report.scrub import Scrubber

CLIENT = "198.51.100.23"
CLIENT6 = "2001:db8:17::23"
ROOTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "kz-interception-roots"
QAZNET = ROOTS / "00309c736dd661da6f1eb24173aa849944c168a43a15bffd192eecfdb6f8dbd2.pem"


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def _entry(der: bytes) -> dict[str, str]:
    return {"data": base64.b64encode(der).decode(), "format": "base64"}


def _handshake(chain: list[bytes]) -> dict[str, Any]:
    return {"address": f"{REAL}:443", "peer_certificates": [_entry(d) for d in chain]}


@pytest.mark.parametrize(
    "names",
    [
        ("echo.test", CLIENT),  # a SAN iPAddress: four raw bytes in the DER
        ("echo.test", "198-51-100-23.isp.test"),  # a dashed host name
        (CLIENT,),
        ("echo.test", CLIENT6),  # sixteen raw bytes in the DER
    ],
    ids=["san-ip", "dashed-dns-name", "ip-only", "san-ipv6"],
)
def test_a_certificate_naming_the_client_is_replaced_by_its_summary(names: tuple[str]) -> None:
    ca = trustme.CA()
    leaf = _der(ca.issue_cert(*names).cert_chain_pems[0].bytes())
    root = _der(ca.cert_pem.bytes())
    assert (
        CLIENT.encode() in leaf
        or bytes(map(int, CLIENT.split("."))) in leaf
        or "-" in names[-1]
        or ipaddress.ip_address(CLIENT6).packed in leaf
    )
    scrubbed = Scrubber([CLIENT, CLIENT6])({"tls_handshakes": [_handshake([leaf, root])]})
    first, second = scrubbed["tls_handshakes"][0]["peer_certificates"]
    assert first["format"] == "x_redacted"
    assert first["x_redacted"] == "names_probe_address"
    assert first["x_cert_sha256"] == hashlib.sha256(leaf).hexdigest()
    assert first["x_issuer"] == x509.load_der_x509_certificate(leaf).issuer.rfc4514_string()
    assert second == _entry(root)  # the rest of the chain, byte for byte
    assert chain_from_peer_certificates(scrubbed["tls_handshakes"][0]["peer_certificates"]) == [
        root
    ]
    text = json.dumps(scrubbed)
    assert not [s for s in every_spelling(CLIENT) if s in text]


def test_certificates_that_do_not_name_the_client_are_untouched() -> None:
    chain = [_der(trustme.CA().issue_cert("other.test").cert_chain_pems[0].bytes())]
    record = {"peer_certificates": [_entry(d) for d in chain]}
    assert Scrubber([CLIENT, "2001:db8::5"])(record) == record


def test_junk_in_place_of_a_certificate_is_scrubbed_as_data() -> None:
    junk = f"not a certificate, but {CLIENT}".encode()
    scrubbed = Scrubber([CLIENT])({"peer_certificates": [_entry(junk), "text " + CLIENT]})
    kept, text = scrubbed["peer_certificates"]
    assert kept["format"] == "x_redacted" and text == "text [scrubbed]"


@pytest.mark.skipif(not QAZNET.exists(), reason="the shared Kazakh root PEMs are not available")
def test_interception_is_still_attributed_on_the_remaining_chain() -> None:
    # An interceptor that forges a leaf naming the client (some put the client IP in the SAN).
    leaf = _der(trustme.CA().issue_cert("www.facebook.com", CLIENT).cert_chain_pems[0].bytes())
    chain = [leaf, _der(QAZNET.read_bytes())]
    stored = measurement(
        "https://www.facebook.com/",
        queries=[query("www.facebook.com", [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(f"{REAL}:443", "www.facebook.com", "ssl_unknown_authority", chain)],
    )
    keys = verdict(Scrubber([CLIENT])(stored))
    assert keys["x_technique"] == "tls.mitm"
    assert keys["x_mitm"]["root"]["name"] == "Qaznet Trust Network"
