"""TLS interception with mitmproxy in transparent mode, as Kazakhstan did in 2019.

mitmproxy signs with the first key and certificate of its CA file and sends every certificate in
that file as the chain, so the file holds the national intermediate's key, the intermediate and
the root: leaves are then signed through the intermediate. mitmproxy copies the upstream
certificate's subject and SANs into each leaf. Only SNIs in ``allow_hosts`` are intercepted; the
rest are relayed untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from probe.lab import pki, plan

NATIONAL_ROOT_NAME = "national-root.pem"


def write_confdir(workdir: Path) -> Path:
    """Create the national root and intermediate; returns the mitmproxy confdir."""
    national = pki.root("Lab Qaznet Trust Network", "Lab national CA")
    inter = pki.intermediate(national, "Lab Security Certificate", "Lab national CA")
    (workdir / NATIONAL_ROOT_NAME).write_bytes(national.pem)
    confdir = workdir / "mitmproxy"
    confdir.mkdir()
    ca_file = confdir / "mitmproxy-ca.pem"
    ca_file.write_bytes(pki.key_pem(inter.key) + inter.pem + national.pem)
    ca_file.chmod(0o600)
    return confdir


def command(confdir: Path, domains: Iterable[str], upstream_roots: Path) -> list[str]:
    allow = "^(" + "|".join(re.escape(d) for d in sorted(set(domains))) + ")$"
    options = {
        "confdir": str(confdir),
        "allow_hosts": allow,
        "ssl_verify_upstream_trusted_ca": str(upstream_roots),
        "block_global": "false",
        "termlog_verbosity": "warn",
    }
    argv = ["mitmdump", "--mode", "transparent", "--listen-port", str(plan.MITM_PORT)]
    for key, value in options.items():
        argv += ["--set", f"{key}={value}"]
    return argv
