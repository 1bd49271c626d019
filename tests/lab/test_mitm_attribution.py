"""The national security certificate end to end: the tls-mitm lab, a plain `probe run` inside it.

Intercepted SNIs are `tls.mitm`; once the lab's national root is registered with
`--interception-roots` the verdict names it; another SNI to the same address is left alone.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography import x509
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.lab import lab_app

pytestmark = [pytest.mark.lab, needs_root]
TARGET = "https://www.facebook.com/"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("mitm")
    script = (
        f"probe run --url {TARGET} -o {out}/known.jsonl --no-progress "
        '--interception-roots "$PROBE_LAB_NATIONAL_ROOT" && '
        f"probe run --url {TARGET} -o {out}/unknown.jsonl --no-progress"
    )
    result = CliRunner().invoke(lab_app, ["run", "tls-mitm", "--", "sh", "-c", script])
    assert result.exit_code == 0, result.output
    return {
        name: json.loads((out / f"{name}.jsonl").read_text())["test_keys"]
        for name in ("known", "unknown")
    }


def issuer_cn(handshake: dict[str, Any]) -> str:
    der = base64.b64decode(handshake["peer_certificates"][0]["data"])
    name = x509.load_der_x509_certificate(der).issuer
    return str(name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


def test_registered_national_root_is_named(runs: dict[str, dict[str, Any]]) -> None:
    keys = runs["known"]
    assert (keys["x_technique"], keys["blocking"]) == ("tls.mitm", "http-failure")
    root = keys["x_mitm"]["root"]
    assert root["name"] == "Lab Qaznet Trust Network"
    assert root["match"] in ("cert_sha256", "spki_sha256")
    assert "Lab Qaznet Trust Network" in keys["x_detail"]


def test_unregistered_interceptor_is_still_caught_by_the_control(
    runs: dict[str, dict[str, Any]],
) -> None:
    keys = runs["unknown"]
    assert keys["x_technique"] == "tls.mitm"
    assert keys["x_mitm"]["root"] is None
    assert keys["x_mitm"]["issuer"].startswith("CN=Lab Security Certificate")
    assert "helper saw a genuine certificate" in keys["x_detail"]


def test_other_sni_to_the_same_address_is_not_intercepted(
    runs: dict[str, dict[str, Any]],
) -> None:
    keys = runs["known"]
    [intercepted] = keys["tls_handshakes"]
    [neutral] = keys["x_self_control"]["tls_handshakes"]
    assert neutral["address"] == intercepted["address"]
    assert issuer_cn(intercepted) == "Lab Security Certificate"
    assert issuer_cn(neutral) != "Lab Security Certificate"  # the web PKI, untouched
