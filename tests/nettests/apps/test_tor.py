"""The tor nettest against loopback stand-ins for two authorities, a website and two bridges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import PKI
from loopback.probe_settings import loopback_settings as lab_settings

from nettests.apps.stand_ins import Serve
from probe.analysis.tor import tor_verdict
from probe.helper import http11
from probe.helper.http11 import Incoming, Reply
from probe.nettests import tor
from probe.nettests.session import Session
from probe.report.envelope import RunInfo, measurement
from probe.report.jsonl import JsonlWriter
from probe.report.scrub import SCRUBBED

FINGERPRINT = "9695DFC35FFEB861329B9F1AB04C46397020CE31"
CERT = "p7bCQ2d9ZzF5YkJzSXZRcW5aVmxKb0xRbWFjT1NyZmdXbGtGRTNYWVl1cA"
CONSENSUS = bytes(range(256)) * 200
"""A stand-in for consensus.z: 50 KiB that is not UTF-8, like the real compressed document."""


def authorities_file(tmp_path: Path, entries: list[tuple[str, int, int]], website: str) -> Path:
    path = tmp_path / "authorities.toml"
    text = "".join(
        f'[[authority]]\nname = "{name}"\nipv4 = "127.0.0.1"\nor_port = {orp}\ndir_port = {dirp}\n'
        for name, orp, dirp in entries
    )
    path.write_text(text + f'[[website]]\nurl = "{website}"\n')
    return path


async def test_authorities_measured_with_ooni_keys(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    or_port = await serve(tls=pki.unknown_ca)  # self-signed, like Tor's link certificates
    dir_port = await serve(body=CONSENSUS)
    site = await serve(tls=pki.good, body=b"<html>tor</html>")
    resetting = await serve(reset=True)
    path = authorities_file(
        tmp_path,
        [("up", or_port, dir_port), ("down", closed_port, resetting)],
        f"https://example.test:{site}/",
    )
    keys = await tor.measure("", Session(lab_settings(pki, resolver, tor_authorities=path)))

    assert (keys["or_port_dirauth_total"], keys["or_port_dirauth_accessible"]) == (2, 1)
    assert (keys["dir_port_total"], keys["dir_port_accessible"]) == (2, 1)
    assert (keys["x_https_total"], keys["x_https_accessible"]) == (1, 1)
    assert (keys["obfs4_total"], keys["or_port_total"]) == (0, 0)
    up_or = keys["targets"][f"127.0.0.1:{or_port}"]
    assert up_or["target_name"] == "up" and up_or["target_protocol"] == "or_port_dirauth"
    assert up_or["summary"] == {"connect": {"failure": None}, "handshake": {"failure": None}}
    assert up_or["tls_handshakes"][0]["no_tls_verify"] is True
    down_or = keys["targets"][f"127.0.0.1:{closed_port}"]
    assert down_or["failure"] == "connection_refused"
    assert down_or["summary"] == {"connect": {"failure": "connection_refused"}}
    down_dir = keys["targets"][f"127.0.0.1:{resetting}"]
    assert down_dir["summary"] == {
        "connect": {"failure": None},
        "x_http": {"failure": down_dir["failure"]},
    }
    assert down_dir["failure"] in ("connection_reset", "eof_error")
    consensus = keys["targets"][f"127.0.0.1:{dir_port}"]["requests"][0]
    assert consensus["request"]["url"].endswith("/tor/status-vote/current/consensus.z")
    assert consensus["response"]["code"] == 200
    assert consensus["response"]["body_is_truncated"] is True
    assert consensus["response"]["x_body_length"] == tor.CONSENSUS_CAP
    assert tor_verdict(keys).status == "reachable"


async def test_blocked_or_ports_give_blocked_verdict(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    dir_ports = [await serve(body=CONSENSUS), await serve(body=CONSENSUS)]
    silent = await serve()  # accepts but never answers the TLS ClientHello
    site = await serve(tls=pki.good, body=b"ok")
    path = authorities_file(
        tmp_path,
        [("a", closed_port, dir_ports[0]), ("b", silent, dir_ports[1])],
        f"https://example.test:{site}/",
    )
    keys = await tor.measure("", Session(lab_settings(pki, resolver, tor_authorities=path)))

    verdict = tor_verdict(keys)
    assert keys["or_port_dirauth_accessible"] == 0 and keys["dir_port_accessible"] == 2
    assert verdict.status == "blocked"
    assert "OR ports" in verdict.how
    assert "connection_refused" in verdict.how or "generic_timeout_error" in verdict.how
    assert "dir ports" not in verdict.how


async def test_bridge_address_never_reaches_the_results_file(
    pki: PKI, resolver: str, serve: Serve, tmp_path: Path
) -> None:
    vanilla = await serve(host="127.0.0.2", tls=pki.unknown_ca)
    obfs4 = await serve(host="127.0.0.3")
    or_port = await serve(tls=pki.unknown_ca)
    dir_port = await serve(body=CONSENSUS)
    authorities = authorities_file(tmp_path, [("a", or_port, dir_port)], "https://example.test:1/")
    bridges = tmp_path / "bridges.txt"
    bridges.write_text(
        f"Bridge 127.0.0.2:{vanilla} {FINGERPRINT}\n"
        f"obfs4 127.0.0.3:{obfs4} {FINGERPRINT.lower()} cert={CERT} iat-mode=0\n"
    )
    settings = lab_settings(pki, resolver, tor_authorities=authorities, bridges=bridges)
    keys = await tor.measure("", Session(settings))

    assert (keys["or_port_total"], keys["or_port_accessible"]) == (1, 1)
    assert (keys["obfs4_total"], keys["obfs4_accessible"]) == (1, 1)
    bridge_targets = [
        t for t in keys["targets"].values() if t["target_protocol"] in tor.OONI_PROTOCOLS[2:]
    ]
    assert len(bridge_targets) == 2
    for target in bridge_targets:
        assert target["target_address"].startswith("bridge-")
        assert all(c["port"] == 0 for c in target["tcp_connect"])  # df-005: an integer
        assert target["network_events"], "the bridge's connect is an event too"
        assert {e["address"] for e in target["network_events"]} == {SCRUBBED}
    vanilla_handshake = next(t for t in bridge_targets if t["tls_handshakes"])["tls_handshakes"][0]
    assert vanilla_handshake["peer_certificates"] == []

    output = tmp_path / "results.jsonl"
    run = RunInfo(tor.TEST_NAME, tor.TEST_VERSION, "kz")
    with JsonlWriter(output) as writer:
        writer.write(measurement(run, None, datetime.now(UTC), 0.1, keys, resolver=RESOLVER))
    text = output.read_text()
    for secret in ("127.0.0.2", "127.0.0.3", FINGERPRINT, FINGERPRINT.lower(), CERT):
        assert secret not in text
    stored: dict[str, Any] = json.loads(text)
    assert f"127.0.0.1:{or_port}" in stored["test_keys"]["targets"]  # authorities stay readable


RESOLVER = "198.51.100.53"
"""Stored as ``resolver_ip``; not 127.0.0.2 (OONI's "unknown"), which is a bridge's here."""


def test_bridge_ids_are_salted_per_run() -> None:
    bridge = tor.parse_bridges(f"127.0.0.2:443 {FINGERPRINT}")[0]
    first = tor._targets([], [], [bridge], salt=b"a")[0].id
    assert first == tor._targets([], [], [bridge], salt=b"a")[0].id
    assert first != tor._targets([], [], [bridge], salt=b"b")[0].id


async def test_the_control_is_asked_about_failures_but_never_about_bridges(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    """A dead authority goes to the helper; a dead private bridge must not, ever."""
    asked: list[bytes] = []

    async def helper(incoming: Incoming) -> Reply:
        asked.append(incoming.body)
        reply = {
            "dns": {"failure": None, "addrs": []},
            "tcp_connect": {f"127.0.0.1:{closed_port}": {"status": True, "failure": None}},
            "http_request": {"body_length": 0, "failure": None, "title": "", "headers": {},
                             "status_code": 200},
        }  # fmt: skip
        return Reply(200, json.dumps(reply).encode(), "application/json")

    server = await http11.start(helper, "127.0.0.1", 0, max_body=65536, read_timeout=5)
    helper_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    dir_port = await serve(body=CONSENSUS)
    authorities = authorities_file(tmp_path, [("a", closed_port, dir_port)], "")
    bridges = tmp_path / "bridges.txt"
    bridges.write_text(f"Bridge 127.0.0.9:{closed_port} {FINGERPRINT}\n")
    settings = lab_settings(
        pki, resolver, tor_authorities=authorities, bridges=bridges, helper_urls=(helper_url,)
    )
    session = Session(settings)
    try:
        keys = await tor.measure("", session)
    finally:
        await session.aclose()
        server.close()
    assert any(f"127.0.0.1:{closed_port}".encode() in body for body in asked)
    assert keys["x_controls"] == [
        {"kind": "helper", "address": helper_url, "failure": None, "skipped": False}
    ]
    for body in asked:
        assert b"127.0.0.9" not in body and FINGERPRINT.encode() not in body
    assert keys["x_control"]["endpoints"][f"127.0.0.1:{closed_port}"]["status"] is True
