"""Final pages: OONI's comparison keys, blockpages, differing pages and throttling."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.builders import (
    OTHER,
    REAL,
    Json,
    connect,
    helper,
    measurement,
    neutral,
    page_body,
    query,
    request,
    verdict,
)
from probe.analysis.httpdiff import compare_pages

HOST = "example.org"
URL = f"http://{HOST}/"


def _page(final: Json, *, addrs: tuple[str, ...] = (REAL,), **kwargs: Any) -> Json:
    return measurement(
        URL,
        queries=[query(HOST, addrs)],
        tcp=[connect(addrs[0], 80)],
        requests=[final],
        **kwargs,
    )


def test_matching_page_is_accessible_with_ooni_keys() -> None:
    keys = verdict(
        _page(request(URL, f"{REAL}:80", body=page_body("Example Site")), control=helper())
    )
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (False, True, None)
    assert keys["body_length_match"] is True and keys["body_proportion"] == 1.0
    assert keys["status_code_match"] is True and keys["title_match"] is True
    assert keys["headers_match"] is True
    assert keys["x_analysis_version"]


def test_different_page_with_consistent_dns_is_http_diff() -> None:
    final = request(URL, f"{REAL}:80", 403, page_body("Forbidden", 300), headers={"X-Box": "1"})
    keys = verdict(_page(final, control=helper(headers={"X-Site": "1"})))
    assert (keys["blocking"], keys["x_technique"]) == ("http-diff", "http.diff")
    assert keys["status_code_match"] is False and keys["body_length_match"] is False
    assert keys["title_match"] is False and keys["headers_match"] is False


def test_kazakh_blockpage_with_consistent_dns() -> None:
    final = request(URL, f"{REAL}:80", body=page_body("Страница заблокирована", 600))
    keys = verdict(_page(final, control=helper()))
    assert (keys["blocking"], keys["x_technique"], keys["x_blockpage"]) == (
        "http-diff",
        "http.blockpage",
        "kz_title",
    )


def test_blockpage_with_inconsistent_dns_is_dns_blocking() -> None:
    body = "<html><body><h1>Страница заблокирована</h1></body></html>"
    keys = verdict(_page(request(URL, f"{OTHER}:80", body=body), addrs=(OTHER,), control=helper()))
    assert (keys["dns_consistency"], keys["blocking"], keys["x_technique"]) == (
        "inconsistent",
        "dns",
        "http.blockpage",
    )
    assert keys["x_blockpage"] == "kz_body"


def test_lab_marker_names_the_lab_page() -> None:
    body = '<html><head><title>Страница заблокирована</title><meta name="probe-lab-blockpage">'
    keys = verdict(_page(request(URL, f"{REAL}:80", body=body), control=helper()))
    assert keys["x_blockpage"] == "probe_lab_default"


def test_blockpage_needs_only_the_doh_control() -> None:
    final = request(URL, f"{REAL}:80", body=page_body("Страница заблокирована", 600))
    doh = [query(HOST, [REAL], engine="doh")]
    keys = verdict(_page(final, doh=doh))
    assert keys["x_technique"] == "http.blockpage"


def test_page_without_a_helper_page_is_undetermined() -> None:
    doh = [query(HOST, [REAL], engine="doh")]
    keys = verdict(_page(request(URL, f"{REAL}:80", body=page_body("Example Site")), doh=doh))
    assert (keys["blocking"], keys["accessible"]) == (None, None)


def test_different_page_with_inconsistent_dns_is_dns_spoofing() -> None:
    final = request(
        URL, f"{OTHER}:80", 200, page_body("Parked domain", 500), headers={"X-Park": "1"}
    )
    keys = verdict(_page(final, addrs=(OTHER,), control=helper(headers={"X-Site": "1"})))
    assert (keys["blocking"], keys["x_technique"]) == ("dns", "dns.spoof")


def test_throttled_against_the_neutral_host() -> None:
    body = page_body("Example Site", 20000)
    slow = request(URL, f"{REAL}:80", body=body, transfer=5.0)
    fast = request("http://example.com/", f"{REAL}:80", body=body, transfer=0.01)
    keys = verdict(_page(slow, self_control=neutral(requests=[fast])))
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "http-failure",
        False,
        "throttle",
    )
    assert "kbit/s" in keys["x_detail"]


def test_throttled_below_the_floor_with_the_helper_confirming_the_page() -> None:
    body = page_body("Example Site", 20000)
    keys = verdict(
        _page(
            request(URL, f"{REAL}:80", body=body, transfer=4.0), control=helper(body_length=20000)
        )
    )
    assert keys["x_technique"] == "throttle"


def test_fast_enough_page_is_not_throttled() -> None:
    body = page_body("Example Site", 20000)
    keys = verdict(
        _page(
            request(URL, f"{REAL}:80", body=body, transfer=0.5), control=helper(body_length=20000)
        )
    )
    assert (keys["accessible"], keys["x_technique"]) == (True, None)


def test_body_that_stalls_after_the_headers_is_throttling() -> None:
    partial = request(
        URL, f"{REAL}:80", body="x" * 5000, failure="generic_timeout_error", transfer=10.0
    )
    keys = verdict(_page(partial, control=helper(body_length=200000)))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "throttle")
    assert "5000 bytes" in keys["x_detail"]


@pytest.mark.parametrize(
    ("measured", "control", "expected"),
    [(200, 200, True), (200, 302, False), (200, 503, None), (503, 503, True)],
)
def test_status_code_match_follows_ooni(measured: int, control: int, expected: bool | None) -> None:
    final = request(URL, f"{REAL}:80", measured, page_body("t"))
    assert (
        compare_pages(final, helper(status=control)["http_request"]).status_code_match is expected
    )


def test_body_proportion_threshold_is_exclusive() -> None:
    final = request(URL, f"{REAL}:80", body="x" * 700)
    result = compare_pages(final, helper(body_length=1000)["http_request"])
    assert (result.body_proportion, result.body_length_match) == (0.7, False)


def test_title_match_ignores_short_words_and_order() -> None:
    final = request(URL, f"{REAL}:80", body="<title>News of Almaty today</title>")
    same = compare_pages(final, helper(title="Almaty News today")["http_request"])
    other = compare_pages(final, helper(title="Almaty Weather")["http_request"])
    assert (same.title_match, other.title_match) == (True, False)


def test_headers_match_on_an_uncommon_header() -> None:
    final = request(URL, f"{REAL}:80", headers={"Server": "a", "X-Site-Id": "1"})
    control = helper(headers={"Server": "b", "X-Site-Id": "2", "Date": "now"})
    assert compare_pages(final, control["http_request"]).headers_match is True


def test_truncated_body_is_not_compared() -> None:
    final = request(URL, f"{REAL}:80", body=page_body("Example Site"))
    final["response"]["body_is_truncated"] = True
    result = compare_pages(final, helper()["http_request"])
    assert (result.body_length_match, result.title_match, result.status_code_match) == (
        None,
        None,
        True,
    )
