"""The control flags: public defaults when absent, ``none`` to turn off, URL lists checked."""

from __future__ import annotations

import pytest

from probe.control.defaults import (
    DEFAULT_DOH_URLS,
    DEFAULT_HELPER_URLS,
    default_hosts,
    parse_doh_urls,
    parse_helper_urls,
)


def test_absent_flags_mean_the_public_controls() -> None:
    assert parse_helper_urls(None) == DEFAULT_HELPER_URLS
    assert [u.split("/")[2] for u in DEFAULT_HELPER_URLS] == [f"{i}.th.ooni.org" for i in range(4)]
    assert parse_doh_urls(None) == DEFAULT_DOH_URLS
    assert len({u.split("/")[2] for u in DEFAULT_DOH_URLS}) == 3  # three independent operators
    assert default_hosts() >= {"0.th.ooni.org", "3.th.ooni.org", "dns.google", "dns.quad9.net"}


@pytest.mark.parametrize("text", ["none", " NONE "])
def test_none_turns_a_control_off(text: str) -> None:
    assert parse_helper_urls(text) == ()
    assert parse_doh_urls(text) == ()


def test_lists_keep_their_order_without_blanks_or_repeats() -> None:
    lab = "http://198.51.100.80:8080/"
    assert parse_helper_urls(f" {lab} ,, https://h.test/,{lab}") == (lab, "https://h.test/")
    assert parse_doh_urls(" https://a.test/dns-query, ,https://b.test/q ") == (
        "https://a.test/dns-query",
        "https://b.test/q",
    )


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_doh_urls, "http://a.test/dns-query", "https://"),
        (parse_doh_urls, "", "no DoH URL given .*use 'none'"),
        (parse_helper_urls, " , ", "no test helper URL given"),
        (parse_helper_urls, "ftp://h.test/", "http:// or https://"),
        (parse_helper_urls, "https:///path", "test helper URL"),
        (parse_helper_urls, "https://h.test:99999/", "test helper URL"),
        (parse_helper_urls, "https://h.test/,none", "cannot be listed with URLs"),
    ],
)
def test_wrong_values_fail_before_any_measurement(parse: object, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)  # type: ignore[operator]
