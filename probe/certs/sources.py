"""Where a device keeps the certificates it trusts, one small reader per kind of store.

Every reader takes its file-system root, home folder and command runner as arguments, so tests
(and ``probe certs --store``) can point it anywhere. Readers never fail as a whole: what cannot
be read becomes a problem message, and the audit goes on with the rest.
"""

from __future__ import annotations

import re
import ssl
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from probe.interception.certfiles import (
    CertificateFileError,
    certificate_files,
    parse_pem_bundle,
    read_certificate_file,
)

Runner = Callable[[Sequence[str]], bytes]
"""Runs a command and returns its stdout; raises OSError or CalledProcessError on failure."""
EnumCertificates = Callable[[str], Iterable[tuple[bytes, str, object]]]
"""The shape of ``ssl.enum_certificates`` (Windows only)."""

# Store kinds, which decide how a certificate is removed.
BUNDLE = "system-bundle"
ANCHOR = "anchor"
CERT_DIR = "cert-dir"
KEYCHAIN = "keychain"
WINDOWS = "windows"
NSS = "nss"
FILE = "file"

LINUX_BUNDLES = (
    "etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch, Gentoo
    "etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # RHEL 7+
    "etc/ssl/ca-bundle.pem",  # openSUSE
    "etc/ssl/cert.pem",  # Alpine
)
LINUX_ANCHOR_DIRS = (
    "usr/local/share/ca-certificates",  # Debian, Ubuntu: admin-added roots
    "etc/pki/ca-trust/source/anchors",  # Fedora, RHEL
    "etc/ca-certificates/trust-source/anchors",  # Arch
    "usr/share/pki/trust/anchors",  # openSUSE
)
LINUX_CERT_DIR = "etc/ssl/certs"
MACOS_KEYCHAINS = (
    "Library/Keychains/System.keychain",
    "System/Library/Keychains/SystemRootCertificates.keychain",
)
NSS_PROFILE_GLOBS = (
    ".mozilla/firefox/*",
    "snap/firefox/common/.mozilla/firefox/*",
    ".var/app/org.mozilla.firefox/.mozilla/firefox/*",
    "Library/Application Support/Firefox/Profiles/*",
    ".pki/nssdb",  # Chrome and Chromium on Linux
)
_TRUST_FLAGS = re.compile(r"^(?P<nick>.*\S)\s+[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*\s*$")


@dataclass(frozen=True)
class TrustedCert:
    store: str
    location: str
    """File, keychain, Windows store name or NSS database folder."""
    der: bytes
    nickname: str | None = None
    """The NSS nickname, needed to delete it from that database."""


@dataclass
class Scan:
    certificates: list[TrustedCert] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: Scan) -> None:
        self.certificates += other.certificates
        self.locations += other.locations
        self.problems += other.problems


def run_command(argv: Sequence[str]) -> bytes:
    return subprocess.run(list(argv), capture_output=True, check=True, timeout=60).stdout


def scan_files(paths: Iterable[Path], store: str) -> Scan:
    """Certificates in PEM/DER files, or in the certificate files directly inside folders."""
    scan = Scan()
    for path in paths:
        try:
            files = certificate_files(path)
        except CertificateFileError as exc:
            scan.problems.append(str(exc))
            continue
        for file in files:
            scan.locations.append(str(file))
            try:
                loaded = read_certificate_file(file)
            except CertificateFileError as exc:
                scan.problems.append(str(exc))
                continue
            scan.problems += [f"{file}: {problem}" for problem in loaded.problems]
            scan.certificates += [
                TrustedCert(store, str(file), cert.public_bytes(Encoding.DER))
                for cert in loaded.certificates
            ]
    return scan


def linux_stores(root: Path = Path("/")) -> Scan:
    """The system bundles, the folders admins add roots to, and ``/etc/ssl/certs``."""
    scan = Scan()
    scan.extend(scan_files(_existing(root, LINUX_BUNDLES), BUNDLE))
    scan.extend(scan_files(_existing(root, LINUX_ANCHOR_DIRS), ANCHOR))
    scan.extend(scan_files(_existing(root, (LINUX_CERT_DIR,)), CERT_DIR))
    return scan


def _existing(root: Path, relative: Iterable[str]) -> list[Path]:
    return [root / rel for rel in relative if (root / rel).exists()]


def macos_keychains(run: Runner, home: Path, root: Path = Path("/")) -> Scan:
    """System, system-roots and login keychains via ``security find-certificate -a -p``."""
    scan = Scan()
    keychains = [*_existing(root, MACOS_KEYCHAINS), home / "Library/Keychains/login.keychain-db"]
    for keychain in keychains:
        if keychain.exists():
            output = _run(run, ["security", "find-certificate", "-a", "-p", str(keychain)], scan)
            if output is not None:
                scan.locations.append(str(keychain))
                _add_pem(scan, output, KEYCHAIN, str(keychain))
    return scan


def windows_stores(enum: EnumCertificates | None = None) -> Scan:
    """The ROOT and CA system stores through ``ssl.enum_certificates``."""
    enum = enum or getattr(ssl, "enum_certificates", None)
    scan = Scan()
    if enum is None:
        scan.problems.append("ssl.enum_certificates is only available on Windows")
        return scan
    for store in ("ROOT", "CA"):
        scan.locations.append(store)
        scan.certificates += [
            TrustedCert(WINDOWS, store, bytes(der))
            for der, encoding, _trust in enum(store)
            if encoding == "x509_asn"
        ]
    return scan


def nss_databases(home: Path) -> list[Path]:
    """Firefox profiles and Chrome's Linux NSS database that hold a ``cert9.db``."""
    found: list[Path] = []
    for pattern in NSS_PROFILE_GLOBS:
        found += [db for db in sorted(home.glob(pattern)) if (db / "cert9.db").is_file()]
    return found


def nss_stores(run: Runner, databases: Iterable[Path]) -> Scan:
    """Every certificate in each NSS database, via ``certutil -L`` (libnss3-tools)."""
    scan = Scan()
    for db in databases:
        listing = _run(run, ["certutil", "-L", "-d", f"sql:{db}"], scan)
        if listing is None:
            continue
        scan.locations.append(str(db))
        for nickname in parse_certutil_listing(listing.decode("utf-8", "replace")):
            pem = _run(run, ["certutil", "-L", "-d", f"sql:{db}", "-n", nickname, "-a"], scan)
            if pem is not None:
                _add_pem(scan, pem, NSS, str(db), nickname)
    return scan


def parse_certutil_listing(text: str) -> list[str]:
    """Nicknames from ``certutil -L``: each line ends in the three trust-flag groups."""
    nicknames = []
    for line in text.splitlines():
        found = _TRUST_FLAGS.match(line)
        if found and not line.lstrip().startswith(("Certificate Nickname", "SSL,S/MIME")):
            nicknames.append(found["nick"])
    return nicknames


def os_stores(
    platform: str,
    run: Runner = run_command,
    home: Path | None = None,
    root: Path = Path("/"),
) -> Scan:
    """Everything this platform trusts that we know how to read.

    On Windows, Firefox's own database is left out: NSS ``certutil`` is rarely installed there
    (the Windows ``certutil`` is another tool), and Firefox also honours the Windows store.
    """
    home = home or Path.home()
    scan = Scan()
    if platform == "win32":
        scan.extend(windows_stores())
        return scan
    if platform == "darwin":
        scan.extend(macos_keychains(run, home, root))
    else:
        scan.extend(linux_stores(root))
    scan.extend(nss_stores(run, nss_databases(home)))
    return scan


def _run(run: Runner, argv: list[str], scan: Scan) -> bytes | None:
    try:
        return run(argv)
    except FileNotFoundError:
        scan.problems.append(f"{argv[0]} is not installed; skipped {argv[-1]}")
    except (OSError, subprocess.SubprocessError) as exc:
        scan.problems.append(f"{' '.join(argv)}: {exc}")
    return None


def _add_pem(
    scan: Scan, pem: bytes, store: str, location: str, nickname: str | None = None
) -> None:
    certificates, problems = parse_pem_bundle(pem)
    scan.problems += [f"{location}: {problem}" for problem in problems]
    scan.certificates += [
        TrustedCert(store, location, cert.public_bytes(Encoding.DER), nickname)
        for cert in certificates
    ]
