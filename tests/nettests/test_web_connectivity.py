"""The nettest end to end against loopback servers; DNS comes from a loopback resolver."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.dns_server import Zone
from loopback.probe_settings import loopback_settings as settings
from loopback.web import respond, serve_http, serve_raw

from probe.helper import http11
from probe.helper import server as helper_server
from probe.helper.config import HelperConfig
from probe.helper.http11 import Incoming, Reply
from probe.net import errors
from probe.nettests import web_connectivity
from probe.nettests.session import Session
from probe.settings import Settings, Timeouts


@pytest.fixture
async def resolver(servers: list[object]) -> tuple[Zone, str]:
    zone = Zone(
        {
            "example.test": ["127.0.0.1"],
            "two.test": ["127.0.0.1", "127.0.0.2"],
            "nx.test": dns_server.NXDOMAIN,
            "bogon.test": ["10.10.34.35"],
            "xn--80aswg.xn--80ao21a": ["127.0.0.1"],
        }
    )
    transport, address = await dns_server.serve(zone)
    servers.append(transport)
    return zone, address


async def measure(url: str, s: Settings) -> dict[str, Any]:
    return await web_connectivity.measure(url, Session(s))


async def test_https_page_measured_step_by_step(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http(tls=pki.good)
    servers.append(server)
    keys = await measure(f"https://example.test:{port}/", settings(pki, resolver[1]))
    assert [(q["query_type"], q["failure"]) for q in keys["queries"]] == [
        ("A", None),
        ("AAAA", errors.DNS_NO_ANSWER),
    ]
    assert [t["ip"] for t in keys["tcp_connect"]] == ["127.0.0.1"]
    [hs] = keys["tls_handshakes"]
    assert hs["failure"] is None and hs["server_name"] == "example.test"
    [request] = keys["requests"]
    assert request["failure"] is None
    assert request["request"]["headers"]["Host"] == f"example.test:{port}"
    assert request["response"]["code"] == 200
    assert "<title>Hello example.test:" in request["response"]["body"]
    assert request["address"] == f"127.0.0.1:{port}"
    assert keys["x_failure"] is None


async def test_redirects_are_followed_hop_by_hop_newest_first(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http()
    servers.append(server)
    keys = await measure(f"http://example.test:{port}/to/to/final", settings(pki, resolver[1]))
    urls = [r["request"]["url"] for r in keys["requests"]]
    assert urls == [
        f"http://example.test:{port}/final",
        f"http://example.test:{port}/to/final",
        f"http://example.test:{port}/to/to/final",
    ]
    assert [r["response"]["code"] for r in keys["requests"]] == [200, 302, 302]
    assert len(keys["tcp_connect"]) == 3  # each hop connects again to a measured address
    assert len(keys["queries"]) == 2  # the same host is resolved once per measurement


async def test_redirect_loop_stops_at_the_limit(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http()
    servers.append(server)
    keys = await measure(f"http://example.test:{port}/loop", settings(pki, resolver[1]))
    assert len(keys["requests"]) == 11
    assert keys["x_redirects_exhausted"] is True
    assert keys["x_failure"] == errors.HTTP_TOO_MANY_REDIRECTS


async def test_body_is_capped_and_flagged(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http()
    servers.append(server)
    keys = await measure(
        f"http://example.test:{port}/big", settings(pki, resolver[1], body_cap=1000)
    )
    response = keys["requests"][0]["response"]
    assert response["body_is_truncated"] is True
    assert len(response["body"]) == 1000


async def test_trickle_hits_the_total_http_budget(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http()
    servers.append(server)
    s = settings(pki, resolver[1], timeouts=Timeouts(dns=1, tcp=1, tls=1, http=1.5))
    keys = await asyncio.wait_for(measure(f"http://example.test:{port}/trickle", s), 10)
    request = keys["requests"][0]
    assert request["failure"] == errors.GENERIC_TIMEOUT
    assert request["response"]["code"] == 200  # headers arrived; the body never finished
    assert request["t"] - request["t0"] < 3


async def test_huge_headers_fail_cleanly(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http()
    servers.append(server)
    keys = await measure(f"http://example.test:{port}/hugeheaders", settings(pki, resolver[1]))
    assert keys["requests"][0]["failure"] == errors.HTTP_PROTOCOL_ERROR


async def test_nxdomain_stops_before_tcp(pki: PKI, resolver: tuple[Zone, str]) -> None:
    keys = await measure("https://nx.test/", settings(pki, resolver[1]))
    assert {q["failure"] for q in keys["queries"]} == {errors.DNS_NXDOMAIN}
    assert keys["tcp_connect"] == [] and keys["requests"] == []


async def test_bogon_answers_are_recorded_but_never_contacted(
    pki: PKI, resolver: tuple[Zone, str]
) -> None:
    keys = await measure("https://bogon.test/", settings(pki, resolver[1]))
    assert keys["x_skipped_bogons"] == ["10.10.34.35"]
    assert keys["tcp_connect"] == []


async def test_every_address_is_tried_and_one_carries_http(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http(tls=pki.good)
    servers.append(server)
    keys = await measure(f"https://two.test:{port}/", settings(pki, resolver[1]))
    outcomes = {t["ip"]: t["status"]["failure"] for t in keys["tcp_connect"]}
    assert outcomes == {"127.0.0.1": None, "127.0.0.2": errors.CONNECTION_REFUSED}
    assert [h["address"] for h in keys["tls_handshakes"]] == [f"127.0.0.1:{port}"]
    assert [r["address"] for r in keys["requests"]] == [f"127.0.0.1:{port}"]


async def test_tls_failure_means_no_http_request(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http(tls=pki.unknown_ca)
    servers.append(server)
    keys = await measure(f"https://example.test:{port}/", settings(pki, resolver[1]))
    assert keys["tls_handshakes"][0]["failure"] == errors.SSL_UNKNOWN_AUTHORITY
    assert keys["tls_handshakes"][0]["peer_certificates"]
    assert keys["requests"] == []


async def test_reset_after_connect_is_recorded(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_raw("reset")
    servers.append(server)
    keys = await measure(f"https://example.test:{port}/", settings(pki, resolver[1]))
    assert keys["tcp_connect"][0]["status"]["success"] is True
    assert keys["tls_handshakes"][0]["failure"] == errors.CONNECTION_RESET


async def test_idn_host_goes_on_the_wire_as_punycode(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    zone, address = resolver
    server, port = await serve_http()
    servers.append(server)
    keys = await measure(f"http://сайт.қаз:{port}/", settings(pki, address))
    assert ("xn--80aswg.xn--80ao21a", "A") in zone.queries
    assert keys["requests"][0]["request"]["headers"]["Host"] == f"xn--80aswg.xn--80ao21a:{port}"
    assert keys["requests"][0]["response"]["code"] == 200


async def test_ip_literal_url_skips_dns_and_sni(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http(tls=pki.good)
    servers.append(server)
    keys = await measure(f"https://127.0.0.1:{port}/", settings(pki, resolver[1]))
    assert keys["queries"] == []
    assert keys["tls_handshakes"][0]["server_name"] == ""
    assert keys["tls_handshakes"][0]["failure"] is None  # the cert has an IP SAN


async def test_self_control_repeats_a_reset_with_a_neutral_name(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_raw("reset")
    servers.append(server)
    keys = await measure(f"https://example.test:{port}/", settings(pki, resolver[1]))
    control = keys["x_self_control"]
    assert control["server_name"] == "example.com"
    assert control["tcp_connect"][0]["ip"] == "127.0.0.1"
    assert control["tcp_connect"][0]["port"] == port
    # This server resets every connection, whatever the name: the control sees it too.
    assert control["tls_handshakes"][0]["failure"] == errors.CONNECTION_RESET
    assert control["tls_handshakes"][0]["no_tls_verify"] is True


async def test_self_control_succeeds_when_only_the_name_is_refused(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    async def censor_host(path: str, headers: dict[str, str], writer: Any) -> None:
        if headers.get("host", "").startswith("example.test"):
            writer.transport.abort()  # like an in-path device resetting on the Host header
            return
        await respond(writer, 200, b"<title>neutral</title>")

    server, port = await serve_http(censor_host)
    servers.append(server)
    keys = await measure(f"http://example.test:{port}/", settings(pki, resolver[1]))
    assert keys["requests"][0]["failure"] in (errors.CONNECTION_RESET, errors.EOF_ERROR)
    [neutral] = keys["x_self_control"]["requests"]
    assert neutral["request"]["headers"]["Host"] == f"example.com:{port}"
    assert neutral["response"]["code"] == 200


async def test_no_self_control_when_everything_worked(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    server, port = await serve_http(tls=pki.good)
    servers.append(server)
    keys = await measure(f"https://example.test:{port}/", settings(pki, resolver[1]))
    assert keys["x_self_control"] == {}


@pytest.fixture
async def doh_url(pki: PKI, resolver: tuple[Zone, str], servers: list[object]) -> str:
    """A DoH server answering from the loopback zone."""
    zone, _ = resolver

    async def doh_handler(incoming: Incoming) -> Reply:
        return Reply(200, zone.reply(incoming.body) or b"", "application/dns-message")

    doh = await http11.start(
        doh_handler, "127.0.0.1", 0, max_body=4096, read_timeout=5, tls=pki.good
    )
    servers.append(doh)
    return f"https://localhost:{doh.sockets[0].getsockname()[1]}/dns-query"


async def measure_with(url: str, s: Settings) -> dict[str, Any]:
    session = Session(s)
    try:
        return await web_connectivity.measure(url, session)
    finally:
        await session.aclose()


async def test_helper_control_is_stored_after_failover_and_doh_is_not_repeated(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object], doh_url: str
) -> None:
    _, address = resolver
    site, port = await serve_http(tls=pki.good)
    helper, _ = await helper_server.start(
        HelperConfig(allow_private=True, resolver=address, ca_bundle=pki.bundle),
        "127.0.0.1",
        0,
    )
    servers.extend([site, helper])
    helper_url = f"http://127.0.0.1:{helper.sockets[0].getsockname()[1]}/"
    dead = "http://127.0.0.1:9/"  # the discard port: nothing listens, the connect is refused
    s = settings(pki, address, helper_urls=(dead, helper_url), doh_urls=(doh_url,))
    keys = await measure_with(f"https://example.test:{port}/", s)
    assert keys["control_failure"] is None
    assert [(c["kind"], c["address"], c["failure"]) for c in keys["x_controls"]] == [
        ("helper", dead, errors.CONNECTION_REFUSED),
        ("helper", helper_url, None),
    ]  # and no DoH: the second helper answered
    control = keys["control"]
    assert control["dns"]["addrs"] == ["127.0.0.1"]
    assert control["tcp_connect"][f"127.0.0.1:{port}"]["status"] is True
    assert control["http_request"]["status_code"] == 200
    assert control["http_request"]["title"] == keys["requests"][0]["response"]["x_title"]
    assert keys["x_doh_queries"] == []  # the working helper already resolved the name


@pytest.mark.parametrize("helper_urls", [(), ("http://127.0.0.1:9/",)])
async def test_doh_is_the_dns_control_without_a_working_helper(
    pki: PKI,
    resolver: tuple[Zone, str],
    servers: list[object],
    doh_url: str,
    helper_urls: tuple[str, ...],
) -> None:
    site, port = await serve_http()
    servers.append(site)
    s = settings(pki, resolver[1], helper_urls=helper_urls, doh_urls=(doh_url,))
    keys = await measure_with(f"http://example.test:{port}/", s)
    assert [(q["engine"], q["query_type"], q["failure"]) for q in keys["x_doh_queries"]] == [
        ("doh", "A", None)
    ]
    assert keys["x_doh_queries"][0]["answers"][0]["ipv4"] == "127.0.0.1"


async def test_unreachable_helper_is_a_control_failure_not_a_crash(
    pki: PKI, resolver: tuple[Zone, str], servers: list[object]
) -> None:
    site, port = await serve_http()
    servers.append(site)
    s = settings(pki, resolver[1], helper_urls=("http://127.0.0.1:9/",))
    session = Session(s)
    try:
        keys = await web_connectivity.measure(f"http://example.test:{port}/", session)
    finally:
        await session.aclose()
    assert keys["control"] == {}
    assert keys["control_failure"] == errors.CONNECTION_REFUSED
    assert keys["requests"][0]["response"]["code"] == 200
