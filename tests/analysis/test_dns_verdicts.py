"""DNS branches: NXDOMAIN, spoofing (bogons, localhost), timeouts, injection, hijacking, down."""

from __future__ import annotations

import pytest

from analysis.builders import (
    OTHER,
    REAL,
    connect,
    handshake,
    helper,
    measurement,
    page_body,
    query,
    request,
    verdict,
)

URL = "http://example.org/"
HOST = "example.org"


def test_nxdomain_at_the_probe_while_the_helper_resolves_is_dns_blocking() -> None:
    keys = verdict(
        measurement(URL, queries=[query(HOST, failure="dns_nxdomain_error")], control=helper())
    )
    assert keys["dns_consistency"] == "inconsistent"
    assert keys["dns_experiment_failure"] == "dns_nxdomain_error"
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "dns",
        False,
        "dns.nxdomain",
    )
    assert "dns_nxdomain_error" in keys["x_detail"] and REAL in keys["x_detail"]


def test_nxdomain_everywhere_is_a_site_that_is_down() -> None:
    control = helper((), dns_failure="dns_name_error", http_failure="dns_lookup_error")
    keys = verdict(
        measurement(URL, queries=[query(HOST, failure="dns_nxdomain_error")], control=control)
    )
    assert keys["dns_consistency"] == "consistent"
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, False, None)


def test_spoofed_bogon_is_dns_spoofing() -> None:
    keys = verdict(measurement(URL, queries=[query(HOST, ["10.10.34.35"])], control=helper()))
    assert keys["dns_consistency"] == "inconsistent"
    assert (keys["blocking"], keys["x_technique"]) == ("dns", "dns.spoof")
    assert "10.10.34.35" in keys["x_detail"]


def test_spoofed_localhost_is_dns_spoofing() -> None:
    keys = verdict(measurement(URL, queries=[query(HOST, ["127.0.0.1"])], control=helper()))
    assert (keys["dns_consistency"], keys["blocking"], keys["x_technique"]) == (
        "inconsistent",
        "dns",
        "dns.spoof",
    )


def test_bogon_exemption_comes_from_the_options() -> None:
    """TEST-NET answers are bogons in the field; the lab exempts its ranges through the options."""
    from probe.analysis import AnalysisOptions

    m = measurement(
        URL,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80)],
        requests=[request(URL, f"{REAL}:80", body=page_body("Example Site"))],
        control=helper(("192.0.2.80",)),
    )
    assert verdict(m)["blocking"] is False
    # In the field the nettest does not connect to a bogon: only the answer is stored.
    unconnected = measurement(URL, queries=[query(HOST, [REAL])], control=helper(("192.0.2.80",)))
    field = verdict(unconnected, AnalysisOptions())
    assert (field["dns_consistency"], field["x_technique"]) == ("inconsistent", "dns.spoof")
    assert f"bogon {REAL}" in field["x_detail"]


def test_dns_timeout_while_the_helper_resolves() -> None:
    queries = [
        query(HOST, failure="generic_timeout_error"),
        query(HOST, failure="dns_temporary_failure", engine="getaddrinfo", resolver=""),
    ]
    keys = verdict(measurement(URL, queries=queries, control=helper()))
    assert (keys["blocking"], keys["x_technique"]) == ("dns", "dns.timeout")


def test_injected_answer_that_beat_the_genuine_one() -> None:
    m = measurement(
        URL,
        queries=[query(HOST, [OTHER], late=[REAL])],
        tcp=[connect(OTHER, 80, "connection_refused")],
        control=helper(),
    )
    keys = verdict(m)
    assert (keys["blocking"], keys["x_technique"]) == ("dns", "dns.inject")
    assert "beat the genuine one" in keys["x_detail"]


def test_same_forgery_from_two_resolvers_is_injection() -> None:
    queries = [query(HOST, [OTHER]), query(HOST, [OTHER], resolver="192.0.2.99:53")]
    m = measurement(
        URL, queries=queries, tcp=[connect(OTHER, 80, "connection_refused")], control=helper()
    )
    assert verdict(m)["x_technique"] == "dns.inject"


def test_dns_hijacked_to_a_transparent_proxy_serving_the_real_page_is_accessible() -> None:
    m = measurement(
        URL,
        queries=[query(HOST, [OTHER])],
        tcp=[connect(OTHER, 80)],
        requests=[request(URL, f"{OTHER}:80", body=page_body("Example Site"))],
        control=helper(),
    )
    keys = verdict(m)
    assert keys["dns_consistency"] == "inconsistent"
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, True, None)


def test_doh_is_the_dns_control_when_there_is_no_helper() -> None:
    m = measurement(
        URL,
        queries=[query(HOST, failure="dns_nxdomain_error")],
        doh=[query(HOST, [REAL], engine="doh", resolver="https://192.0.2.8/dns-query")],
    )
    keys = verdict(m)
    assert (keys["dns_consistency"], keys["x_technique"]) == ("inconsistent", "dns.nxdomain")
    assert "DoH" in keys["x_detail"]


def test_a_failed_doh_query_is_no_control() -> None:
    m = measurement(
        URL,
        queries=[query(HOST, failure="dns_nxdomain_error")],
        doh=[query(HOST, failure="generic_timeout_error", engine="doh")],
    )
    keys = verdict(m)
    assert (keys["dns_consistency"], keys["blocking"], keys["accessible"]) == (None, None, None)
    assert keys["x_technique"] is None


@pytest.mark.parametrize(("rcode", "consistency"), [(None, None), ("NXDOMAIN", "inconsistent")])
def test_a_doh_server_whose_own_name_failed_is_no_nxdomain_control(
    rcode: str | None, consistency: str | None
) -> None:
    """Unreachable, the DoH server leaves ``dns_nxdomain_error`` about its own name and no rcode;
    only a reply from it (an rcode) says the target's name does not exist."""
    doh = query(HOST, failure="dns_nxdomain_error", engine="doh") | {"x_rcode": rcode}
    m = measurement(URL, queries=[query(HOST, [REAL])], doh=[doh])
    assert verdict(m)["dns_consistency"] == consistency


def test_shared_asn_makes_different_addresses_consistent() -> None:
    control = helper(("203.0.113.20",))
    control["ip_info"] = {
        REAL: {"asn": 64500, "flags": 1},
        "203.0.113.20": {"asn": 64500, "flags": 2},
    }
    m = measurement(
        URL,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, 80, "generic_timeout_error")],
        control=control,
    )
    keys = verdict(m)
    assert keys["dns_consistency"] == "consistent"
    assert keys["x_technique"] == "tcp.timeout"


def test_a_verified_handshake_vouches_for_an_address() -> None:
    url = "https://example.org/"
    m = measurement(
        url,
        queries=[query(HOST, [OTHER])],
        tcp=[connect(OTHER, 443)],
        tls=[handshake(f"{OTHER}:443", HOST)],
        requests=[request(url, f"{OTHER}:443", 200, "<html>different</html>")],
        control=helper(),
    )
    keys = verdict(m)
    assert keys["dns_consistency"] == "consistent"
    assert (keys["blocking"], keys["accessible"]) == (False, True)


def test_helper_flag_valid_for_domain_vouches_for_an_address() -> None:
    control = helper(("203.0.113.20",))
    control["ip_info"] = {OTHER: {"asn": 0, "flags": 1 | 8}}
    m = measurement(
        URL,
        queries=[query(HOST, [OTHER])],
        tcp=[connect(OTHER, 80, "generic_timeout_error")],
        control=control,
    )
    assert verdict(m)["dns_consistency"] == "consistent"
    control["ip_info"] = {OTHER: {"asn": 0, "flags": 1}}
    assert verdict(m)["dns_consistency"] == "inconsistent"


def test_a_name_in_the_helpers_addresses_is_no_address() -> None:
    """Old helpers list CNAME targets in ``addrs``; with nothing else, the helper found none."""
    control = helper(("example.net",), http_failure="dns_lookup_error")
    keys = verdict(
        measurement(URL, queries=[query(HOST, failure="dns_nxdomain_error")], control=control)
    )
    assert keys["dns_consistency"] == "consistent"
    assert (keys["blocking"], keys["accessible"]) == (False, False)
    assert "example.net" not in keys["x_detail"]


def test_an_answer_for_a_name_the_helper_says_does_not_exist_is_not_blocking() -> None:
    """An ISP rewriting NXDOMAIN to a search page hides a missing site; it blocks nothing."""
    control = helper((), dns_failure="dns_name_error", http_failure="dns_lookup_error")
    keys = verdict(
        measurement(
            URL,
            queries=[query(HOST, [OTHER])],
            tcp=[connect(OTHER, 80)],
            requests=[request(URL, OTHER, 302, failure="http_invalid_redirect_url")],
            control=control,
        )
    )
    assert keys["dns_consistency"] == "inconsistent"
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, False, None)
    assert "does not exist" in keys["x_detail"]


def test_an_answer_for_a_missing_name_with_a_differing_page_stays_dns_blocking() -> None:
    """When the helper did fetch a page, the control's negative answer is not the whole story."""
    control = helper((), dns_failure="dns_name_error")
    keys = verdict(
        measurement(
            URL,
            queries=[query(HOST, [OTHER])],
            tcp=[connect(OTHER, 80)],
            requests=[request(URL, OTHER, 403, page_body("Blocked", 300))],
            control=control,
        )
    )
    assert (keys["blocking"], keys["x_technique"]) == ("dns", "dns.spoof")
