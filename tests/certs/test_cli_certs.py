from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import trustme
import typer
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from interception.certforge import make_ca
from interception.kzroots import RealRoot
from typer.testing import CliRunner, Result

from probe.cli.certs import certs
from probe.options import ENV_INTERCEPTION_ROOTS

app = typer.Typer()
app.command()(certs)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the command wide enough that rich does not wrap names and paths in its table."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "300", **(env or {})})


@pytest.fixture
def clean_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    store.mkdir()
    for number in range(3):
        trustme.CA().cert_pem.write_to_path(str(store / f"ca{number}.pem"))
    return store


def test_store_with_a_kazakh_root_exits_1_and_names_it(
    clean_store: Path, kz_root: RealRoot
) -> None:
    planted = clean_store / "installed-by-isp.crt"
    planted.write_bytes(kz_root.pem.read_bytes())

    result = invoke("--store", str(clean_store))

    assert result.exit_code == 1, result.output
    name = kz_root.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert str(name) in result.output
    assert "installed-by-isp.crt" in result.output
    assert kz_root.cert_sha256 in result.output


def test_clean_store_exits_0(clean_store: Path) -> None:
    result = invoke("--store", str(clean_store))
    assert result.exit_code == 0, result.output
    assert "No known TLS-interception root is trusted" in result.output
    assert "3 certificates" in result.output


def test_json_output_parses(clean_store: Path, kz_root: RealRoot) -> None:
    (clean_store / "kz.pem").write_bytes(kz_root.pem.read_bytes())

    result = invoke("--store", str(clean_store), "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["interception_root_trusted"] is True
    assert report["scanned"]["certificates"] == 4
    [finding] = report["findings"]
    assert finding["cert_sha256"] == kz_root.cert_sha256
    assert finding["match"] == "cert_sha256"
    assert [place["location"] for place in finding["trusted_in"]] == [str(clean_store / "kz.pem")]
    assert finding["trusted_in"][0]["remove"]


def test_json_for_a_clean_store(clean_store: Path) -> None:
    result = invoke("--store", str(clean_store), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


def test_copied_2015_subject_is_flagged_as_a_weaker_name_match(tmp_path: Path) -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ")])
    store = tmp_path / "national.pem"
    store.write_bytes(make_ca(subject).cert.public_bytes(Encoding.PEM))

    result = invoke("--store", str(store))

    assert result.exit_code == 1
    assert "name only (weaker)" in result.output


def test_extra_roots_from_flag_and_environment(tmp_path: Path, clean_store: Path) -> None:
    corporate = trustme.CA()
    root_file = tmp_path / "corporate-proxy.pem"
    corporate.cert_pem.write_to_path(str(root_file))
    corporate.cert_pem.write_to_path(str(clean_store / "proxy.pem"))
    other = tmp_path / "other"
    other.mkdir()
    trustme.CA().cert_pem.write_to_path(str(other / "x.pem"))

    by_flag = invoke("--store", str(clean_store), "--interception-roots", str(root_file))
    by_env = invoke(
        "--store",
        str(clean_store),
        env={ENV_INTERCEPTION_ROOTS: os.pathsep.join([str(other), str(root_file)])},
    )
    without = invoke("--store", str(clean_store))

    assert (by_flag.exit_code, by_env.exit_code, without.exit_code) == (1, 1, 0)
    assert "proxy.pem" in by_flag.output


def test_bad_extra_roots_file_is_a_usage_error_naming_it(tmp_path: Path, clean_store: Path) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("this is not a certificate")

    result = invoke("--store", str(clean_store), "--interception-roots", str(broken))

    assert result.exit_code == 2
    assert "broken.pem" in result.output


def test_missing_store_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("--store", str(tmp_path / "absent"))
    assert result.exit_code == 2
