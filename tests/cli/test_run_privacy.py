"""With ``--no-geoip``, a site that echoes the volunteer's address in every spelling, in a plain
and a gzip body, in headers, in a redirect and in its certificate, leaves none of it in the file.

The echo server runs on 127.0.0.1, so the address it shows is the one a site sees from a
volunteer whose computer holds its public address: the machine's own interface addresses,
which the probe must learn without any geolocation.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import ssl
from pathlib import Path

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.background import background
from loopback.dns_server import Zone
from loopback.web import respond, serve_http
from report.spelled import every_spelling

from cli.test_run import probe_env, run_probe
from probe.net.own_addresses import interface_addresses, own_candidate

ADDRESSES = sorted({a for a in map(own_candidate, interface_addresses()) if a})


def _everything(addresses: list[str]) -> str:
    return "\n".join(f"<li>{s}</li>" for a in addresses for s in every_spelling(a))


def _headers(addresses: list[str]) -> dict[str, str]:
    first = addresses[0]
    return {
        "X-Client-Address": first,
        "X-Forwarded-For": ", ".join(addresses),
        "Set-Cookie": "seen=" + base64.b64encode(first.encode()).decode(),
        "X-Host": every_spelling(first)[2],  # the dashed host-name spelling
    }


async def echo(path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
    page = f"<html><title>Echo</title><ul>{_everything(ADDRESSES)}</ul></html>".encode()
    if path == "/gzip":
        await respond(writer, 200, gzip.compress(page), {"Content-Encoding": "gzip"})
    elif path == "/redirect":
        spelled = every_spelling(ADDRESSES[-1])
        await respond(writer, 302, headers={"Location": f"/plain?ip={spelled[0]}&h={spelled[4]}"})
    else:
        await respond(writer, 200, page, _headers(ADDRESSES))


def _items_scrubbed(body: str) -> int:
    items = body.split("<li>")[1:]
    assert all("[scrubbed]" in item for item in items)
    return len(items)


@pytest.mark.skipif(not ADDRESSES, reason="this machine has only loopback: nothing to echo")
def test_an_echo_site_leaves_no_spelling_of_any_own_address(pki: PKI, tmp_path: Path) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    pki.ca.issue_cert("example.test", *ADDRESSES).configure_cert(server_tls)
    with background() as bg:
        transport, resolver = bg.run(dns_server.serve(Zone({"example.test": ["127.0.0.1"]})))
        plain, port = bg.run(serve_http(echo))
        secure, tls_port = bg.run(serve_http(echo, tls=server_tls))
        out = tmp_path / "out.jsonl"
        urls = [
            f"http://example.test:{port}/plain",
            f"http://example.test:{port}/gzip",
            f"http://example.test:{port}/redirect",
            f"https://example.test:{tls_port}/plain",
        ]
        args = ["run", "--output", str(out), "--no-system-dns", "--no-geoip"]
        result = run_probe(
            [*args, *(a for u in urls for a in ("--url", u))], probe_env(pki, resolver), tmp_path
        )
        for server in (plain, secure):
            bg.loop.call_soon_threadsafe(server.close)
        bg.loop.call_soon_threadsafe(transport.close)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    spellings = {s for a in ADDRESSES for s in every_spelling(a)}
    leaks = sorted(s for s in spellings if s in text or s in result.stdout + result.stderr)
    assert leaks == []
    records = {r["input"]: r["test_keys"] for r in map(json.loads, text.splitlines())}
    # The site did echo, and each place it echoed in was measured, decoded and scrubbed.
    page = records[urls[0]]["requests"][0]["response"]
    assert page["headers"]["X-Client-Address"] == "[scrubbed]"
    assert _items_scrubbed(page["body"]) == sum(len(every_spelling(a)) for a in ADDRESSES)
    unzipped = records[urls[1]]["requests"][0]["response"]
    assert unzipped["x_content_decoded"] == ["gzip"] and unzipped["x_title"] == "Echo"
    assert unzipped["body"] == page["body"]
    hops = records[urls[2]]["requests"]
    assert len(hops) == 2 and "[scrubbed]" in hops[1]["response"]["headers"]["Location"]
    chain = records[urls[3]]["tls_handshakes"][0]["peer_certificates"]
    assert chain[0]["format"] == "x_redacted" and chain[0]["x_cert_sha256"]
