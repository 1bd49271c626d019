"""TCP, TLS and HTTP failures: blocked, down or undetermined depending on the controls."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.builders import (
    OTHER,
    REAL,
    Json,
    connect,
    handshake,
    helper,
    measurement,
    neutral,
    page_body,
    query,
    request,
    verdict,
)
from probe.net import errors

HOST = "www.tumblr.com"
HTTPS = f"https://{HOST}/"
HTTP = f"http://{HOST}/"
EP = f"{REAL}:443"


def _tls_failure(failure: str, *, addrs: tuple[str, ...] = (REAL,), **kwargs: Any) -> Json:
    ip = addrs[0]
    return measurement(
        HTTPS,
        queries=[query(HOST, addrs)],
        tcp=[connect(ip, 443)],
        tls=[handshake(f"{ip}:443", HOST, failure)],
        **kwargs,
    )


def test_connect_dropped_with_consistent_dns_is_tcp_ip_blocking() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80, "generic_timeout_error")],
        control=helper(tcp={f"{REAL}:80": True}),
    )
    keys = verdict(m)
    assert keys["dns_consistency"] == "consistent"
    assert keys["http_experiment_failure"] == "generic_timeout_error"
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "tcp_ip",
        False,
        "tcp.timeout",
    )
    assert "helper connected" in keys["x_detail"]


def test_connect_reset_is_tcp_reset() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80, "connection_refused")],
        control=helper(tcp={f"{REAL}:80": True}),
    )
    assert verdict(m)["x_technique"] == "tcp.reset"


def test_connect_refused_with_inconsistent_dns_is_dns_blocking() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [OTHER])],
        tcp=[connect(OTHER, 80, "connection_refused")],
        control=helper(tcp={f"{OTHER}:80": False}),
    )
    keys = verdict(m)
    assert (keys["dns_consistency"], keys["blocking"], keys["x_technique"]) == (
        "inconsistent",
        "dns",
        "dns.spoof",
    )
    assert "connection_refused" in keys["x_detail"]


def test_closed_port_everywhere_is_down() -> None:
    m = measurement(
        "http://www.tumblr.com:444/",
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 444, "connection_refused")],
        control=helper(tcp={f"{REAL}:444": False}, http_failure="connection_refused"),
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, False, None)


def test_rst_on_sni_with_consistent_dns_names_the_neutral_sni() -> None:
    control = neutral([handshake(EP, "example.com", no_verify=True)])
    keys = verdict(_tls_failure("connection_reset", self_control=control))
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "http-failure",
        False,
        "tls.reset",
    )
    assert keys["x_detail"] == (
        "RST after the ClientHello with SNI www.tumblr.com at 203.0.113.10:443; "
        "same IP with SNI example.com completed: the name triggered it"
    )


def test_rst_on_sni_with_inconsistent_dns_is_dns_blocking() -> None:
    keys = verdict(_tls_failure("connection_reset", addrs=(OTHER,), control=helper()))
    assert (keys["dns_consistency"], keys["blocking"], keys["x_technique"]) == (
        "inconsistent",
        "dns",
        "dns.spoof",
    )


def test_tls_timeout_confirmed_by_the_helper_handshake() -> None:
    keys = verdict(_tls_failure("generic_timeout_error", control=helper(tls={EP: True})))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "tls.timeout")


def test_tls_failure_that_the_helper_shares_is_down() -> None:
    keys = verdict(_tls_failure("connection_reset", control=helper(tls={EP: False})))
    assert (keys["blocking"], keys["accessible"]) == (False, False)


def test_a_neutral_handshake_that_fails_too_proves_nothing() -> None:
    control = neutral([handshake(EP, "example.com", "connection_reset", no_verify=True)])
    keys = verdict(_tls_failure("connection_reset", self_control=control))
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (None, None, None)


def test_rst_on_host_with_a_neutral_host_answering_is_http_reset() -> None:
    address = f"{REAL}:80"
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(HTTP, address, 0, failure="connection_reset")],
        self_control=neutral(requests=[request("http://example.com/", address, 404)]),
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "http.reset")
    assert "same IP with Host example.com answered 404: the name triggered it" in keys["x_detail"]


def test_http_timeout_while_the_helper_fetched_the_page() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(HTTP, f"{REAL}:80", 0, failure="generic_timeout_error")],
        control=helper(),
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "http.timeout")


def test_http_failure_that_the_helper_shares_is_down() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(HTTP, f"{REAL}:80", 0, failure="eof_error")],
        control=helper(http_failure="eof_error"),
    )
    assert verdict(m)["blocking"] is False and verdict(m)["accessible"] is False


def test_redirect_chain_whose_later_hop_is_blocked_blocks_the_target() -> None:
    start = "http://short.example/"
    m = measurement(
        start,
        queries=[query("short.example", [OTHER]), query(HOST, [REAL])],
        tcp=[connect(OTHER, 80), connect(REAL, 443)],
        tls=[handshake(EP, HOST, "connection_reset")],
        requests=[request(start, f"{OTHER}:80", 301, headers={"Location": HTTPS})],
        control=helper((OTHER,)),
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "tls.reset")
    assert HOST in keys["x_detail"] and "helper fetched the page" in keys["x_detail"]


def test_no_control_at_all_is_undetermined() -> None:
    m = measurement(
        HTTP, queries=[query(HOST, [REAL])], tcp=[connect(REAL, 80, "generic_timeout_error")]
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (None, None, None)
    assert keys["x_detail"].startswith("no control")


def test_a_failed_helper_is_undetermined_and_says_why() -> None:
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(HTTP, f"{REAL}:80", body=page_body("Страница заблокирована"))],
        control_failure="connection_reset",
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"]) == (None, None)
    assert "connection_reset" in keys["x_detail"]
    assert keys["x_blockpage"] == "kz_title"  # the observation is kept, the verdict is not made


def test_https_success_needs_no_control() -> None:
    m = measurement(
        HTTPS,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(EP, HOST)],
        requests=[request(HTTPS, EP, body=page_body("Tumblr"))],
        control_failure="generic_timeout_error",
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"]) == (False, True)


def test_unverified_https_success_is_not_enough() -> None:
    m = measurement(
        HTTPS,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(EP, HOST, no_verify=True)],
        requests=[request(HTTPS, EP, body=page_body("Tumblr"))],
    )
    assert verdict(m)["accessible"] is None


@pytest.mark.parametrize("stored", [errors.HTTP_TOO_MANY_REDIRECTS, "http_too_many_redirects"])
def test_redirect_loop_is_undetermined(stored: str) -> None:
    """Today's string, and probe 0.1's (read as today's), say the chain did not end."""
    m = measurement(
        HTTP,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(HTTP, f"{REAL}:80", 302, headers={"Location": HTTP})],
        control=helper(),
        x_failure=stored,
    )
    keys = verdict(m)
    assert keys["blocking"] is None and errors.HTTP_TOO_MANY_REDIRECTS in keys["x_detail"]
