from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from interception.kzroots import RealRoot

from probe.certs import audit, os_stores, scan_files
from probe.certs.removal import removal_steps
from probe.certs.sources import (
    ANCHOR,
    BUNDLE,
    CERT_DIR,
    FILE,
    KEYCHAIN,
    NSS,
    WINDOWS,
    TrustedCert,
    linux_stores,
    macos_keychains,
    nss_databases,
    nss_stores,
    parse_certutil_listing,
    windows_stores,
)
from probe.interception import shipped_registry

CERTUTIL_LISTING = """
Certificate Nickname                                         Trust Attributes
                                                             SSL,S/MIME,JAR/XPI

Qaznet Trust Network                                         CT,C,C
DigiCert Global G2 TLS RSA SHA256 2020 CA1 - DigiCert Inc    ,,
my  spaced   name                                            c,c,
"""


def pem_of(ca: trustme.CA) -> bytes:
    return ca.cert_pem.bytes()


def der_of(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


class FakeRunner:
    """Answers commands from a table and records what was asked."""

    def __init__(self, answers: dict[tuple[str, ...], bytes | Exception]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str]) -> bytes:
        self.calls.append(tuple(argv))
        answer = self.answers[tuple(argv)]
        if isinstance(answer, Exception):
            raise answer
        return answer


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_linux_stores_read_bundle_anchors_and_cert_dir(tmp_path: Path, kz_root: RealRoot) -> None:
    others = pem_of(trustme.CA()) + pem_of(trustme.CA())
    write(tmp_path / "etc/ssl/certs/ca-certificates.crt", others + kz_root.pem.read_bytes())
    write(tmp_path / "usr/local/share/ca-certificates/state.crt", kz_root.pem.read_bytes())
    (tmp_path / "etc/ssl/certs/5ad8a5d6.0").symlink_to("ca-certificates.crt")

    scan = linux_stores(tmp_path)
    [finding] = audit(scan, shipped_registry())

    assert len(scan.certificates) == 3 + 1 + 3
    assert {(p.store, Path(p.location).name) for p in finding.places} == {
        (BUNDLE, "ca-certificates.crt"),
        (ANCHOR, "state.crt"),
        (CERT_DIR, "ca-certificates.crt"),
    }
    assert finding.cert_sha256 == kz_root.cert_sha256
    assert scan.problems == []


def test_linux_stores_on_an_empty_system_find_nothing(tmp_path: Path) -> None:
    scan = linux_stores(tmp_path)
    assert (scan.certificates, scan.locations, scan.problems) == ([], [], [])


def test_damaged_block_is_a_problem_not_a_stop(tmp_path: Path, kz_root: RealRoot) -> None:
    bad = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    bundle = write(tmp_path / "bundle.pem", bad + kz_root.pem.read_bytes())
    write(tmp_path / "empty.crt", b"")

    scan = scan_files([tmp_path], FILE)

    assert [der_of(kz_root.pem.read_bytes())] == [c.der for c in scan.certificates]
    assert any(p.startswith(f"{bundle}: certificate #1") for p in scan.problems)
    assert any("empty.crt" in p for p in scan.problems)


def test_macos_keychains_use_security_find_certificate(tmp_path: Path, kz_root: RealRoot) -> None:
    system = write(tmp_path / "Library/Keychains/System.keychain", b"")
    login = write(tmp_path / "home/Library/Keychains/login.keychain-db", b"")
    run = FakeRunner(
        {
            ("security", "find-certificate", "-a", "-p", str(system)): pem_of(trustme.CA()),
            ("security", "find-certificate", "-a", "-p", str(login)): kz_root.pem.read_bytes(),
        }
    )

    scan = macos_keychains(run, tmp_path / "home", tmp_path)
    [finding] = audit(scan, shipped_registry())

    assert len(run.calls) == 2
    assert [(p.store, p.location) for p in finding.places] == [(KEYCHAIN, str(login))]
    steps = removal_steps(finding.places[0], finding.sha1)
    assert steps[0] == f"security delete-certificate -Z {finding.sha1} '{login}'"


def test_windows_stores_keep_only_x509_entries() -> None:
    der = der_of(pem_of(trustme.CA()))
    seen: list[str] = []

    def enum(store: str) -> Iterable[tuple[bytes, str, object]]:
        seen.append(store)
        return [(der, "x509_asn", True), (b"crl", "pkcs_7_asn", True)]

    scan = windows_stores(enum)

    assert seen == ["ROOT", "CA"]
    assert [(c.store, c.location, c.der) for c in scan.certificates] == [
        (WINDOWS, "ROOT", der),
        (WINDOWS, "CA", der),
    ]


@pytest.mark.skipif(hasattr(ssl, "enum_certificates"), reason="Windows has the real store")
def test_windows_stores_elsewhere_say_why() -> None:
    scan = windows_stores(None)
    assert scan.certificates == []
    assert "Windows" in scan.problems[0]


def test_certutil_listing_nicknames() -> None:
    assert parse_certutil_listing(CERTUTIL_LISTING) == [
        "Qaznet Trust Network",
        "DigiCert Global G2 TLS RSA SHA256 2020 CA1 - DigiCert Inc",
        "my  spaced   name",
    ]


def test_nss_profiles_are_found_and_read(tmp_path: Path, kz_root: RealRoot) -> None:
    profile = tmp_path / ".mozilla/firefox/abcd.default-release"
    write(profile / "cert9.db", b"")
    write(tmp_path / ".mozilla/firefox/no-db/prefs.js", b"")
    chrome = tmp_path / ".pki/nssdb"
    write(chrome / "cert9.db", b"")
    db = f"sql:{profile}"
    listing = b"Qaznet Trust Network      CT,C,C\nOther CA    c,,\n"
    run = FakeRunner(
        {
            ("certutil", "-L", "-d", db): listing,
            ("certutil", "-L", "-d", db, "-n", "Qaznet Trust Network", "-a"): (
                kz_root.pem.read_bytes()
            ),
            ("certutil", "-L", "-d", db, "-n", "Other CA", "-a"): pem_of(trustme.CA()),
            ("certutil", "-L", "-d", f"sql:{chrome}"): subprocess.CalledProcessError(255, "x"),
        }
    )

    databases = nss_databases(tmp_path)
    scan = nss_stores(run, databases)
    [finding] = audit(scan, shipped_registry())

    assert databases == [profile, chrome]
    assert [(p.store, p.location, p.nickname) for p in finding.places] == [
        (NSS, str(profile), "Qaznet Trust Network")
    ]
    assert "-n 'Qaznet Trust Network'" in removal_steps(finding.places[0], finding.sha1)[0]
    assert len(scan.problems) == 1 and str(chrome) in scan.problems[0]


def test_missing_certutil_is_reported_once_per_database(tmp_path: Path) -> None:
    write(tmp_path / ".pki/nssdb/cert9.db", b"")
    run = FakeRunner(
        {("certutil", "-L", "-d", f"sql:{tmp_path / '.pki/nssdb'}"): FileNotFoundError()}
    )
    scan = nss_stores(run, nss_databases(tmp_path))
    assert scan.problems == [f"certutil is not installed; skipped sql:{tmp_path / '.pki/nssdb'}"]


@pytest.mark.parametrize(
    ("platform", "expected"),
    [("linux", {ANCHOR, NSS}), ("darwin", {KEYCHAIN, NSS})],
)
def test_os_stores_pick_the_platforms_readers(
    tmp_path: Path, kz_root: RealRoot, platform: str, expected: set[str]
) -> None:
    pem = kz_root.pem.read_bytes()
    write(tmp_path / "usr/local/share/ca-certificates/kz.crt", pem)
    keychain = write(tmp_path / "Library/Keychains/System.keychain", b"")
    home = tmp_path / "home"
    write(home / ".pki/nssdb/cert9.db", b"")
    db = f"sql:{home / '.pki/nssdb'}"
    run = FakeRunner(
        {
            ("security", "find-certificate", "-a", "-p", str(keychain)): pem,
            ("certutil", "-L", "-d", db): b"kz    C,,\n",
            ("certutil", "-L", "-d", db, "-n", "kz", "-a"): pem,
        }
    )

    scan = os_stores(platform, run, home, tmp_path)

    assert {c.store for c in scan.certificates} == expected


def test_removal_steps_cover_every_store(kz_root: RealRoot) -> None:
    der = der_of(kz_root.pem.read_bytes())
    for store, location, needle in [
        (ANCHOR, "/etc/pki/ca-trust/source/anchors/kz.pem", "update-ca-trust"),
        (BUNDLE, "/etc/ssl/certs/ca-certificates.crt", "update-ca-certificates"),
        (CERT_DIR, "/etc/ssl/certs/kz.pem", "trust list"),
        (KEYCHAIN, "/Library/Keychains/System.keychain", "sudo security delete-certificate"),
        (WINDOWS, "ROOT", "certutil -delstore ROOT ABCD"),
        (FILE, "/tmp/store.pem", "/tmp/store.pem"),
    ]:
        steps = removal_steps(TrustedCert(store, location, der), "ABCD")
        assert needle in steps[0], store
