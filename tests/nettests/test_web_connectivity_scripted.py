"""web_connectivity's logic over the scripted backend: the loopback tests' assertions, without
sockets or root, and the cases loopback cannot stage (a reset by SNI, a late DNS answer)."""

from __future__ import annotations

from typing import Any

import pytest

from nettests.scripted import scripted_session
from probe.net import errors
from probe.net.scripted import Answers, Reply, Server, TLSPlay, redirect, response
from probe.nettests import web_connectivity

A, B, C = "192.0.2.10", "198.51.100.20", "203.0.113.30"
PAGE = response(200, b"<title>Hello</title>")


async def measure(
    url: str, servers: dict[str, Server], names: dict[str, Answers], **settings: Any
) -> dict[str, Any]:
    session, backend = scripted_session(servers, names, **settings)
    keys = await web_connectivity.measure(url, session)
    assert backend.open == set()  # every path closed what it opened
    return keys


async def test_https_page_measured_step_by_step() -> None:
    keys = await measure(
        "https://example.test/", {f"{A}:443": Server(reply=PAGE)}, {"example.test": Answers((A,))}
    )
    assert [(q["query_type"], q["failure"]) for q in keys["queries"]] == [
        ("A", None),
        ("AAAA", errors.DNS_NO_ANSWER),
    ]
    assert [t["ip"] for t in keys["tcp_connect"]] == [A]
    [hs] = keys["tls_handshakes"]
    assert (hs["failure"], hs["server_name"], hs["tls_version"]) == (
        None,
        "example.test",
        "TLSv1.3",
    )
    [request] = keys["requests"]
    assert request["failure"] is None
    assert request["request"]["headers"]["Host"] == "example.test"
    assert (request["response"]["code"], request["response"]["x_title"]) == (200, "Hello")
    assert request["address"] == f"{A}:443"
    assert keys["x_failure"] is None and keys["x_self_control"] == {}
    operations = [e["operation"] for e in keys["network_events"]]
    assert operations[:3] == ["connect", "tls_handshake_start", "write"]


async def test_redirects_are_followed_hop_by_hop_newest_first() -> None:
    www = Server(replies={"/a": redirect("/final"), "/final": PAGE})
    servers = {
        f"{A}:80": Server(replies={"example.test/": redirect("https://www.example.test/a")}),
        f"{B}:443": www,
        f"{C}:443": www,
    }
    names = {"example.test": Answers((A,)), "www.example.test": Answers((B, C))}
    keys = await measure("http://example.test/", servers, names)
    assert [r["request"]["url"] for r in keys["requests"]] == [
        "https://www.example.test/final",
        "https://www.example.test/a",
        "http://example.test/",
    ]
    assert [r["response"]["code"] for r in keys["requests"]] == [200, 302, 302]
    # The second name is resolved once (A and AAAA); both its addresses are connected on each
    # hop, and the first in the resolver's order carries both requests.
    assert [q["hostname"] for q in keys["queries"]].count("www.example.test") == 2
    assert len(keys["tcp_connect"]) == 5
    www_query = next(q for q in keys["queries"] if q["hostname"] == "www.example.test")
    first = www_query["answers"][0]["ipv4"]
    assert {r["address"] for r in keys["requests"][:2]} == {f"{first}:443"}


async def test_a_redirect_loop_stops_after_max_redirects() -> None:
    servers = {f"{A}:80": Server(reply=redirect("/again"))}
    keys = await measure(
        "http://example.test/", servers, {"example.test": Answers((A,))}, max_redirects=3
    )
    assert len(keys["requests"]) == 4
    assert keys["x_redirects_exhausted"] is True
    assert keys["x_failure"] == errors.HTTP_TOO_MANY_REDIRECTS


async def test_an_unparsable_location_ends_the_chain_with_its_failure() -> None:
    servers = {f"{A}:80": Server(reply=redirect("http://[::1/"))}
    keys = await measure("http://example.test/", servers, {"example.test": Answers((A,))})
    assert keys["x_failure"] == errors.HTTP_INVALID_REDIRECT
    assert [r["response"]["code"] for r in keys["requests"]] == [302]


async def test_failover_keeps_the_first_address_that_works() -> None:
    servers = {
        f"{A}:443": Server(connect=errors.CONNECTION_REFUSED),
        f"{B}:443": Server(delay=0.02, reply=PAGE),
        f"{C}:443": Server(tls=TLSPlay(errors.SSL_INVALID_HOSTNAME)),
    }
    keys = await measure("https://example.test/", servers, {"example.test": Answers((A, B, C))})
    assert {t["ip"]: t["status"]["failure"] for t in keys["tcp_connect"]} == {
        A: errors.CONNECTION_REFUSED,
        B: None,
        C: None,
    }
    assert [t["ip"] for t in keys["tcp_connect"]][-1] == B  # every address at once: B ends last
    assert [(h["address"], h["failure"]) for h in keys["tls_handshakes"]] == [
        (f"{C}:443", errors.SSL_INVALID_HOSTNAME),
        (f"{B}:443", None),
    ]
    [request] = keys["requests"]
    assert (request["address"], request["failure"]) == (f"{B}:443", None)
    assert keys["x_self_control"] == {}  # one address worked: nothing to tell apart


async def test_a_reset_by_sni_is_told_by_the_self_control() -> None:
    servers = {
        f"{A}:443": Server(
            tls_by_name={"blocked.test": TLSPlay(errors.CONNECTION_RESET)}, reply=PAGE
        )
    }
    keys = await measure("https://blocked.test/", servers, {"blocked.test": Answers((A,))})
    [hs] = keys["tls_handshakes"]
    assert hs["failure"] == errors.CONNECTION_RESET
    assert keys["requests"] == []
    control = keys["x_self_control"]
    assert (control["server_name"], control["host"]) == ("example.com", "example.com")
    assert [t["status"]["failure"] for t in control["tcp_connect"]] == [None]
    [neutral] = control["tls_handshakes"]
    assert (neutral["server_name"], neutral["failure"], neutral["no_tls_verify"]) == (
        "example.com",
        None,
        True,
    )
    [request] = control["requests"]
    assert (request["request"]["url"], request["response"]["code"]) == ("https://example.com/", 200)


async def test_a_failed_request_is_repeated_with_a_neutral_host() -> None:
    servers = {
        f"{A}:80": Server(
            replies={"blocked.test": Reply(failure=errors.CONNECTION_RESET)}, reply=PAGE
        )
    }
    keys = await measure("http://blocked.test/", servers, {"blocked.test": Answers((A,))})
    [request] = keys["requests"]
    assert request["failure"] == errors.CONNECTION_RESET
    [neutral] = keys["x_self_control"]["requests"]
    assert (neutral["request"]["headers"]["Host"], neutral["failure"]) == ("example.com", None)


async def test_a_late_dns_answer_is_kept_beside_the_injected_one() -> None:
    names = {"inject.test": Answers((A,), late=((0.01, (B,)),))}
    keys = await measure("http://inject.test/", {f"{A}:80": Server(reply=PAGE)}, names)
    [a, _] = keys["queries"]
    assert [x["ipv4"] for x in a["answers"]] == [A]
    assert [x["ipv4"] for x in a["x_late_answers"]] == [B]
    assert [t["ip"] for t in keys["tcp_connect"]] == [A]  # only the first answer is contacted


CONNECT_FAILURES = [
    errors.CONNECTION_REFUSED,
    errors.CONNECTION_RESET,
    errors.HOST_UNREACHABLE,
    errors.NETWORK_UNREACHABLE,
    errors.NETWORK_DOWN,
    errors.ADDRESS_NOT_AVAILABLE,
    errors.GENERIC_TIMEOUT,
]
TLS_FAILURES = [
    errors.SSL_UNKNOWN_AUTHORITY,
    errors.SSL_INVALID_HOSTNAME,
    errors.SSL_INVALID_CERTIFICATE,
    errors.SSL_FAILED_HANDSHAKE,
    errors.EOF_ERROR,
    errors.CONNECTION_RESET,
    errors.GENERIC_TIMEOUT,
]
HTTP_FAILURES = [errors.CONNECTION_RESET, errors.EOF_ERROR, errors.GENERIC_TIMEOUT]


@pytest.mark.parametrize("failure", CONNECT_FAILURES)
async def test_every_connect_failure_is_recorded(failure: str) -> None:
    keys = await measure(
        "http://example.test/",
        {f"{A}:80": Server(connect=failure)},
        {"example.test": Answers((A,))},
    )
    assert [t["status"] for t in keys["tcp_connect"]] == [{"success": False, "failure": failure}]
    assert keys["requests"] == [] and keys["x_self_control"] == {}


@pytest.mark.parametrize("failure", TLS_FAILURES)
async def test_every_tls_failure_is_recorded(failure: str) -> None:
    servers = {f"{A}:443": Server(tls=TLSPlay(failure, certificates=(b"leaf",)))}
    keys = await measure("https://example.test/", servers, {"example.test": Answers((A,))})
    [hs] = keys["tls_handshakes"]
    assert (hs["failure"], hs["negotiated_protocol"]) == (failure, "")
    assert len(hs["peer_certificates"]) == 1  # the chain is kept even when the handshake failed
    verified = failure in (
        errors.SSL_UNKNOWN_AUTHORITY,
        errors.SSL_INVALID_HOSTNAME,
        errors.SSL_INVALID_CERTIFICATE,
    )
    assert (hs["x_verify_code"] is not None) == verified
    assert keys["x_self_control"]["server_name"] == "example.com"


@pytest.mark.parametrize("failure", [*HTTP_FAILURES, errors.HTTP_PROTOCOL_ERROR])
async def test_every_http_failure_is_recorded(failure: str) -> None:
    reply = (
        Reply(b"SSH-2.0-not-http\r\n\r\n")
        if failure == errors.HTTP_PROTOCOL_ERROR
        else Reply(failure=failure)
    )
    keys = await measure(
        "http://example.test/", {f"{A}:80": Server(reply=reply)}, {"example.test": Answers((A,))}
    )
    [request] = keys["requests"]
    assert (request["failure"], request["response"]["code"]) == (failure, 0)


@pytest.mark.parametrize(
    ("answers", "failure"),
    [
        (Answers(rcode="NXDOMAIN"), errors.DNS_NXDOMAIN),
        (Answers(rcode="SERVFAIL"), errors.DNS_SERVFAIL),
        (Answers(rcode="REFUSED"), errors.DNS_REFUSED),
        (Answers(rcode="FORMERR"), errors.DNS_SERVER_MISBEHAVING),
        (Answers(), errors.DNS_NO_ANSWER),
        (Answers(timeout=True), errors.GENERIC_TIMEOUT),
    ],
)
async def test_every_dns_failure_is_recorded(answers: Answers, failure: str) -> None:
    keys = await measure("http://example.test/", {}, {"example.test": answers})
    assert [q["failure"] for q in keys["queries"]] == [failure, failure]
    assert keys["tcp_connect"] == []


async def test_the_system_resolver_is_scripted_too() -> None:
    keys = await measure(
        "http://example.test/",
        {f"{A}:80": Server(reply=PAGE)},
        {"example.test": Answers((A,))},
        system_dns=True,
    )
    engines = [(q["engine"], q["failure"]) for q in keys["queries"]]
    assert ("getaddrinfo", None) in engines
    assert keys["requests"][0]["response"]["code"] == 200
