"""The messaging nettests against loopback stand-ins named in a replacement endpoints file."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import PKI
from cryptography import x509
from loopback import dns_server
from loopback.dns_server import Zone
from loopback.probe_settings import loopback_settings as lab_settings

from nettests.apps.stand_ins import Serve
from probe.analysis.messaging import VERDICTS
from probe.nettests.messaging import facebook_messenger, signal, telegram, viber, whatsapp
from probe.nettests.messaging.endpoints import DataFileError, app_checks
from probe.nettests.session import Session


def endpoints_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app_endpoints.toml"
    path.write_text(text)
    return path


async def run(module: Any, pki: PKI, resolver: str, path: Path) -> dict[str, Any]:
    keys: dict[str, Any] = await module.measure(
        "", Session(lab_settings(pki, resolver, app_endpoints=path))
    )
    return keys


def check(app: str, role: str, kind: str, hosts: list[str], ports: list[int], **extra: Any) -> str:
    lines = [
        f"[[{app}.check]]",
        f'role = "{role}"',
        f'kind = "{kind}"',
        "hosts = [" + ", ".join(f'"{h}"' for h in hosts) + "]",
        f"ports = {ports}",
    ]
    lines += [f"{k} = {v!r}".replace("'", '"').replace("False", "false") for k, v in extra.items()]
    return "\n".join(lines) + "\n"


async def test_whatsapp_web_reset_is_blocked_while_chat_works(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    chat = await serve()
    site = await serve(tls=pki.good, body=b"ok")
    reset = await serve(reset=True)
    path = endpoints_file(
        tmp_path,
        check("whatsapp", "endpoint", "tcp", ["127.0.0.1"], [closed_port, chat])
        + check("whatsapp", "registration", "https", ["example.test"], [site], path="/v2/register")
        + check("whatsapp", "web", "https", ["example.test"], [reset], address="127.0.0.1"),
    )
    keys = await run(whatsapp, pki, resolver, path)

    assert keys["whatsapp_endpoints_status"] == "ok"
    assert keys["whatsapp_endpoints_blocked"] == []
    assert keys["registration_server_status"] == "ok"
    assert keys["requests"][0]["request"]["url"] == f"https://example.test:{site}/v2/register"
    assert keys["whatsapp_web_status"] == "blocked"
    assert keys["whatsapp_web_failure"] in ("connection_reset", "eof_error")
    web = next(r for r in keys["x_endpoints"] if r["role"] == "web")
    assert web["failed_operation"] == "tls_handshake"
    assert [q["hostname"] for q in keys["queries"]].count("example.test") == 2  # A + AAAA once
    verdict = VERDICTS["whatsapp"](keys)
    assert verdict.status == "blocked"
    assert verdict.how.startswith("WhatsApp Web: TLS handshake")


async def test_whatsapp_endpoint_failing_on_every_port_is_listed(
    pki: PKI, resolver: str, closed_port: int, tmp_path: Path
) -> None:
    path = endpoints_file(
        tmp_path, check("whatsapp", "endpoint", "tcp", ["127.0.0.1"], [closed_port])
    )
    keys = await run(whatsapp, pki, resolver, path)

    assert keys["whatsapp_endpoints_status"] == "blocked"
    assert keys["whatsapp_endpoints_blocked"] == ["127.0.0.1"]
    assert keys["registration_server_status"] is None  # not in this file: not measured
    assert VERDICTS["whatsapp"](keys).how == "chat endpoints: TCP connect connection_refused"


async def test_telegram_clean_then_dcs_refused(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    dc = await serve(body=b"")
    web = await serve(tls=pki.good, body=b"<html>Telegram Web</html>")
    clean = endpoints_file(
        tmp_path,
        check("telegram", "dc", "http", ["127.0.0.1"], [dc, closed_port])
        + check("telegram", "web", "https", ["example.test"], [web]),
    )
    keys = await run(telegram, pki, resolver, clean)
    assert keys["telegram_tcp_blocking"] is False
    assert keys["telegram_http_blocking"] is False
    assert (keys["telegram_web_status"], keys["telegram_web_failure"]) == ("ok", None)
    assert VERDICTS["telegram"](keys).status == "reachable"

    refused = endpoints_file(
        tmp_path,
        check("telegram", "dc", "http", ["127.0.0.1"], [closed_port])
        + check("telegram", "web", "https", ["example.test"], [web]),
    )
    keys = await run(telegram, pki, resolver, refused)
    assert (keys["telegram_tcp_blocking"], keys["telegram_http_blocking"]) == (True, True)
    verdict = VERDICTS["telegram"](keys)
    assert verdict.status == "blocked"
    assert verdict.how == "data centres: TCP connect connection_refused"


async def test_signal_records_pinned_chain_without_validating(
    pki: PKI, resolver: str, serve: Serve, tmp_path: Path
) -> None:
    backend = await serve(tls=pki.unknown_ca, body=b"{}")
    path = endpoints_file(
        tmp_path,
        check("signal", "backend", "https", ["example.test"], [backend], verify=False),
    )
    keys = await run(signal, pki, resolver, path)

    assert (keys["signal_backend_status"], keys["signal_backend_failure"]) == ("ok", None)
    handshake = keys["tls_handshakes"][0]
    assert handshake["no_tls_verify"] is True and handshake["peer_certificates"]


async def test_signal_validating_an_unknown_ca_fails(
    pki: PKI, resolver: str, serve: Serve, tmp_path: Path
) -> None:
    backend = await serve(tls=pki.unknown_ca, body=b"{}")
    path = endpoints_file(
        tmp_path, check("signal", "backend", "https", ["example.test"], [backend])
    )
    keys = await run(signal, pki, resolver, path)

    assert keys["signal_backend_status"] == "blocked"
    assert keys["signal_backend_failure"] == "ssl_unknown_authority"


async def test_facebook_dns_and_tcp_keys(
    pki: PKI, resolver: str, serve: Serve, tmp_path: Path
) -> None:
    edge = await serve()
    path = endpoints_file(
        tmp_path,
        check("facebook_messenger", "stun", "dns", ["nx.test"], [])
        + check("facebook_messenger", "edge", "tcp", ["example.test"], [edge])
        + check("facebook_messenger", "star", "tcp", ["bogon.test"], [443]),
    )
    keys = await run(facebook_messenger, pki, resolver, path)

    assert keys["facebook_stun_dns_consistent"] is False
    assert keys["facebook_stun_reachable"] is None
    assert (keys["facebook_edge_dns_consistent"], keys["facebook_edge_reachable"]) == (True, True)
    assert (keys["facebook_star_dns_consistent"], keys["facebook_star_reachable"]) == (False, False)
    assert keys["x_skipped_bogons"] == ["10.10.34.35"]
    assert not any(c["ip"] == "10.10.34.35" for c in keys["tcp_connect"])  # never contacted
    star = next(r for r in keys["x_endpoints"] if r["role"] == "star")
    assert star["failure"] == "dns_bogon_error"
    assert (keys["facebook_dns_blocking"], keys["facebook_tcp_blocking"]) == (True, True)
    verdict = VERDICTS["facebook_messenger"](keys)
    assert verdict.status == "blocked" and verdict.how.startswith("DNS: DNS ")


async def test_viber_parts_each_get_a_status(
    pki: PKI, resolver: str, serve: Serve, closed_port: int, tmp_path: Path
) -> None:
    media = await serve(tls=pki.good)
    path = endpoints_file(
        tmp_path,
        check("viber", "web", "https", ["example.test"], [closed_port])
        + check("viber", "media", "tls", ["example.test"], [media]),
    )
    keys = await run(viber, pki, resolver, path)

    assert (keys["x_viber_web_status"], keys["x_viber_web_failure"]) == (
        "blocked",
        "connection_refused",
    )
    assert (keys["x_viber_media_status"], keys["x_viber_media_failure"]) == ("ok", None)
    assert VERDICTS["viber"](keys).how == "web: TCP connect connection_refused"


async def test_signal_validates_against_signal_s_own_ca_only(
    pki: PKI, resolver: str, serve: Serve, tmp_path: Path
) -> None:
    """A chain the probe's trust store accepts is refused for Signal: ts-029 pins Signal's CA."""
    site = await serve(tls=pki.good, body=b"ok")
    pinned = check("signal", "backend", "https", ["example.test"], [site], ca="signal_ca.pem")
    keys = await run(signal, pki, resolver, endpoints_file(tmp_path, pinned))
    assert keys["signal_backend_status"] == "blocked"
    assert keys["signal_backend_failure"] == "ssl_unknown_authority"
    trusted = check("signal", "backend", "https", ["example.test"], [site])
    keys = await run(signal, pki, resolver, endpoints_file(tmp_path, trusted))
    assert keys["signal_backend_status"] == "ok"


def test_signal_checks_ts_029_s_endpoints_with_both_of_its_cas() -> None:
    checks = app_checks("signal")
    assert sorted(c.host for c in checks) == [
        "cdsi.signal.org",
        "chat.signal.org",
        "sfu.voip.signal.org",
        "storage.signal.org",
    ]
    assert {c.ca for c in checks} == {checks[0].ca} and checks[0].ca is not None
    subjects = [
        x509.load_pem_x509_certificate(pem).subject.rfc4514_string()
        for pem in re.findall(
            rb"-----BEGIN .+?-----END CERTIFICATE-----", checks[0].ca.read_bytes(), re.S
        )
    ]
    assert [s.split(",")[0] for s in subjects] == ["CN=TextSecure", "CN=Signal Messenger"]


def test_a_ca_outside_the_shipped_data_is_refused(tmp_path: Path) -> None:
    path = endpoints_file(
        tmp_path, check("signal", "backend", "https", ["x.test"], [443], ca="../settings.py")
    )
    with pytest.raises(DataFileError, match=r"#1: ca must name a PEM file shipped in probe/data"):
        app_checks("signal", path)


async def test_telegram_data_centres_get_an_empty_post(
    pki: PKI, resolver: str, servers: list[object], tmp_path: Path
) -> None:
    """ts-020: the apps' data centres are sent POST; the stored request says so."""
    heads: list[bytes] = []

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    servers.append(server)
    port = server.sockets[0].getsockname()[1]
    path = endpoints_file(
        tmp_path, check("telegram", "dc", "http", ["127.0.0.1"], [port], method="POST")
    )
    keys = await run(telegram, pki, resolver, path)
    assert heads and heads[0].startswith(b"POST / HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 0\r\n" in heads[0]
    assert [r["request"]["method"] for r in keys["requests"]] == ["POST"]
    assert keys["telegram_http_blocking"] is False  # any answer counts, a 404 too
    assert {c.method for c in app_checks("telegram") if c.role == "dc"} == {"POST"}


@pytest.mark.parametrize(
    ("announced", "consistent"),
    [("32934", True), ("15169", False), (None, True)],
    ids=["facebook-as", "another-as", "as-unknown"],
)
async def test_facebook_names_must_resolve_into_facebook_s_as(
    pki: PKI,
    serve: Serve,
    servers: list[object],
    tmp_path: Path,
    announced: str | None,
    consistent: bool,
) -> None:
    """ts-019's DNS consistency: an address announced by another AS is inconsistent; one whose
    AS nobody could tell does not count against the name."""
    origin = {"TXT": [f"{announced} | 127.0.0.0/8 | US | arin | 2000-01-01"]} if announced else {}
    zone = Zone({"example.test": ["127.0.0.1"], "1.0.0.127.origin.test": origin})
    transport, resolver = await dns_server.serve(zone)
    servers.append(transport)
    edge = await serve()
    path = endpoints_file(
        tmp_path, check("facebook_messenger", "edge", "tcp", ["example.test"], [edge])
    )
    settings = lab_settings(pki, resolver, app_endpoints=path, asn_zone="origin.test")
    keys = await facebook_messenger.measure("", Session(settings))
    assert keys["x_asns"] == {"127.0.0.1": int(announced) if announced else None}
    assert keys["facebook_edge_dns_consistent"] is consistent
    assert keys["facebook_dns_blocking"] is not consistent
    assert keys["facebook_edge_reachable"] is True
