"""Real probe output for every nettest, from one ``probe run`` on loopback.

Stand-ins on 127.0.0.1 play each kind of target: a valid HTTPS site, an HTTP redirect, a redirect
loop, a name that does not exist, a resolver that fails (SERVFAIL), a port that resets; the
probe's own helper answers as the control. Tor gets one authority, the Tor website and a private
bridge; every app gets the shipped endpoint file with its hosts and ports replaced by stand-ins.
Nothing leaves the machine: DNS goes to the loopback resolver and the system resolver is off.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import PKI
from loopback import dns_server
from loopback.background import background
from loopback.dns_server import Zone
from loopback.web import serve_http, serve_raw

from probe.helper.config import HelperConfig
from probe.helper.server import start as start_helper

NETTESTS = (
    "web_connectivity",
    "dns_injection",
    "tor",
    "whatsapp",
    "telegram",
    "signal",
    "viber",
    "facebook_messenger",
    "doh_reachability",
)
"""Every nettest that needs no root (censor_locate's raw packets are covered by the lab)."""

SHIPPED_ENDPOINTS = Path(__file__).resolve().parents[2] / "probe" / "data" / "app_endpoints.toml"
BRIDGE = "127.0.0.77"
FINGERPRINT = "9695DFC35FFEB861329B9F1AB04C46397020CE31"


@dataclass(frozen=True)
class Corpus:
    path: Path
    records: list[dict[str, Any]]
    stderr: str

    def of(self, test_name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("test_name") == test_name]


def _endpoints(https: int, http: int, tcp: int) -> str:
    """The shipped file's apps and roles, every host a stand-in on loopback. Methods are kept;
    Signal's own CAs are not (the stand-ins' certificates come from the test PKI)."""
    shipped = tomllib.loads(SHIPPED_ENDPOINTS.read_text("utf-8"))
    lines: list[str] = []
    for app, table in shipped.items():
        for check in table.get("check", []):
            kind = check["kind"]
            port = {"https": https, "tls": https, "http": http, "tcp": tcp}.get(kind)
            lines += [f"[[{app}.check]]", f'role = "{check["role"]}"', f'kind = "{kind}"']
            lines.append('hosts = ["example.test"]')
            lines.append(f"ports = [{port}]" if port else "ports = []")
            if "path" in check:
                lines.append(f'path = "{check["path"]}"')
            if "verify" in check:
                lines.append(f"verify = {str(check['verify']).lower()}")
            if "method" in check:  # Telegram's data centres get POST (ts-020)
                lines.append(f'method = "{check["method"]}"')
            lines.append("")
    return "\n".join(lines)


@contextmanager
def probe_corpus(pki: PKI, workdir: Path) -> Iterator[Corpus]:
    """Run every nettest once against the stand-ins; yields the results file and its lines."""
    with background() as bg:
        zone = Zone(
            {
                "example.test": ["127.0.0.1"],
                "nx.test": dns_server.NXDOMAIN,
                "servfail.test": dns_server.SERVFAIL,
            }
        )
        transport, resolver = bg.run(dns_server.serve(zone))
        https, https_port = bg.run(serve_http(tls=pki.good))
        plain, http_port = bg.run(serve_http())
        reset, reset_port = bg.run(serve_raw("reset"))
        bridge = bg.run(asyncio.start_server(lambda r, w: w.close(), BRIDGE, 0, ssl=pki.good))
        bridge_port = bridge.sockets[0].getsockname()[1]
        config = HelperConfig(allow_private=True, resolver=resolver, ca_bundle=pki.bundle)
        helper, _state = bg.run(start_helper(config, "127.0.0.1", 0, None))
        helper_url = f"http://127.0.0.1:{helper.sockets[0].getsockname()[1]}/"
        servers: list[Any] = [https, plain, reset, bridge, helper, transport]
        try:
            yield _run(
                workdir,
                resolver,
                helper_url,
                pki,
                urls=[
                    f"https://example.test:{https_port}/",
                    f"http://example.test:{http_port}/to/final",
                    f"http://example.test:{http_port}/loop",
                    "https://nx.test/",
                    "https://servfail.test/",
                    f"https://example.test:{reset_port}/",
                ],
                authorities=(
                    f'[[authority]]\nname = "lab"\nipv4 = "127.0.0.1"\nor_port = {https_port}\n'
                    f'dir_port = {http_port}\n\n[[website]]\nurl = "https://example.test:'
                    f'{https_port}/"\n'
                ),
                bridges=f"Bridge {BRIDGE}:{bridge_port} {FINGERPRINT}\n",
                endpoints=_endpoints(https_port, http_port, reset_port),
            )
        finally:
            for server in servers:
                bg.loop.call_soon_threadsafe(server.close)


def _run(
    workdir: Path,
    resolver: str,
    helper_url: str,
    pki: PKI,
    *,
    urls: list[str],
    authorities: str,
    bridges: str,
    endpoints: str,
) -> Corpus:
    files = {
        "list.txt": "\n".join(urls) + "\n",
        "authorities.toml": authorities,
        "bridges.txt": bridges,
        "endpoints.toml": endpoints,
    }
    for name, text in files.items():
        (workdir / name).write_text(text)
    out = workdir / "corpus.jsonl"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "PROBE_YES": "1",
        "PROBE_RESOLVER": resolver,
        "PROBE_CA_BUNDLE": str(pki.bundle),
        "PROBE_BOGON_EXEMPT": "127.0.0.0/8",
        "PROBE_TOR_AUTHORITIES": str(workdir / "authorities.toml"),
        "PROBE_APP_ENDPOINTS": str(workdir / "endpoints.toml"),
        "PROBE_NO_DNS_ADDRESS": "127.0.0.1:9",
        "PROBE_DOH_URLS": "none",
    }
    tests = [arg for name in NETTESTS for arg in ("--test", name)]
    command = [
        *("run", "--list", str(workdir / "list.txt"), *tests, "--helper", helper_url),
        *("--bridges", str(workdir / "bridges.txt"), "--output", str(out)),
        *("--no-system-dns", "--no-geoip", "--timeout-tcp", "1", "--timeout-tls", "2"),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "probe", *command],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return Corpus(out, records, result.stderr)
