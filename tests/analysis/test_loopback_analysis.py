"""The real nettest on loopback, then the analysis: stored shapes and verdicts agree end to end."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.web import respond, serve_http

from probe.analysis import AnalysisOptions, analyze_measurement
from probe.helper import server as helper_server
from probe.helper.config import HelperConfig
from probe.nettests import web_connectivity
from probe.nettests.session import Session
from probe.settings import Settings, Timeouts

LOOPBACK = AnalysisOptions(bogon_exempt=("127.0.0.0/8",))


@pytest.fixture
async def resolver(servers: list[object]) -> str:
    transport, address = await dns_server.serve(dns_server.Zone({"example.test": ["127.0.0.1"]}))
    servers.append(transport)
    return address


async def _measure(url: str, pki: PKI, resolver: str, **overrides: Any) -> dict[str, Any]:
    settings = Settings(
        resolver=resolver,
        system_dns=False,
        ca_bundle=pki.bundle,
        bogon_exempt=("127.0.0.0/8",),
        timeouts=Timeouts(dns=1, tcp=1, tls=1, http=2),
        **overrides,
    )
    session = Session(settings)
    try:
        keys = await web_connectivity.measure(url, session)
    finally:
        await session.aclose()
    return {"input": url, "measurement_start_time": "2026-01-01 00:00:00", "test_keys": keys}


async def test_host_reset_is_found_by_the_self_control(
    pki: PKI, resolver: str, servers: list[object]
) -> None:
    async def censor_host(path: str, headers: dict[str, str], writer: Any) -> None:
        if headers.get("host", "").startswith("example.test"):
            writer.transport.abort()
            return
        await respond(writer, 200, b"<title>neutral</title>")

    server, port = await serve_http(censor_host)
    servers.append(server)
    keys = analyze_measurement(
        await _measure(f"http://example.test:{port}/", pki, resolver), LOOPBACK
    )
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "http.reset")
    assert "same IP with Host example.com" in keys["x_detail"]


async def test_page_compared_with_the_real_helper_is_accessible(
    pki: PKI, resolver: str, servers: list[object]
) -> None:
    site, port = await serve_http()
    helper, _ = await helper_server.start(
        HelperConfig(allow_private=True, resolver=resolver, ca_bundle=pki.bundle), "127.0.0.1", 0
    )
    servers.extend([site, helper])
    helper_url = f"http://127.0.0.1:{helper.sockets[0].getsockname()[1]}/"
    m = await _measure(f"http://example.test:{port}/", pki, resolver, helper_urls=(helper_url,))
    keys = analyze_measurement(m, LOOPBACK)
    assert keys["dns_consistency"] == "consistent"
    assert (keys["status_code_match"], keys["body_length_match"]) == (True, True)
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, True, None)


async def test_no_control_at_all_leaves_plain_http_undetermined(
    pki: PKI, resolver: str, servers: list[object]
) -> None:
    site, port = await serve_http()
    servers.append(site)
    keys = analyze_measurement(
        await _measure(f"http://example.test:{port}/", pki, resolver), LOOPBACK
    )
    assert (keys["blocking"], keys["accessible"]) == (None, None)
