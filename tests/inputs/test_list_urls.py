"""URL validation through the public API: every rejection names the argument and the reason."""

from __future__ import annotations

import pytest

from probe.inputs import ListError, Target, targets_from_urls


def shown(value: str) -> str:
    """How messages quote a value: repr, cut to 80 characters."""
    return repr(value if len(value) <= 80 else value[:80] + "…")


def reason_for(url: str) -> str:
    with pytest.raises(ListError) as caught:
        targets_from_urls(["https://fine.example/", url])
    assert caught.value.path == "--url"
    assert caught.value.line == 2
    assert str(caught.value) == f"--url:2: {caught.value.reason}"
    return caught.value.reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty URL"),
        ("https://exa mple.com/", "URL contains whitespace"),
        ("https://example.com/a\u2028b", "URL contains whitespace"),
        ("https://example.com/\x7f", "URL contains a control character"),
        ("ftp://example.com/", "scheme must be http or https, not 'ftp'"),
        ("example.com/", "missing scheme (http:// or https://)"),
        ("https://user:pw@example.com/", "user info (user@host) is not allowed"),
        ("https:///path", "missing host"),
        ("https://:443/", "missing host"),
        ("http://[::1/", "cannot parse URL: Invalid IPv6 URL"),
        ("https://example.com:0/", "invalid port '0'"),
        ("https://example.com:65536/", "invalid port '65536'"),
        ("https://example.com:+80/", "invalid port '+80'"),
        ("https://example.com:http/", "invalid port 'http'"),
        ("https://example.com:\u0668\u0660/", "invalid port '\u0668\u0660'"),
        ("https://exa_mple-.com/", "host 'exa_mple-.com' has an invalid label 'exa_mple-'"),
        ("https://a..b/", "host 'a..b' has an invalid label ''"),
        ("https://ex%61mple.com/", "host 'ex%61mple.com' has an invalid label 'ex%61mple'"),
        ("https://999.1.1.1/", "host '999.1.1.1' is neither an IP address nor a domain name"),
        (
            "https://xn--zz.com/",
            "host 'xn--zz.com' has an invalid punycode label 'xn--zz' (Invalid A-label)",
        ),
        (
            "https://" + "a" * 64 + ".com/",
            f"host '{'a' * 64}.com' has an invalid label '{'a' * 64}'",
        ),
        ("https://" + "a." * 127 + "com/", "host is longer than 253 characters"),
    ],
)
def test_rejected_urls(url: str, reason: str) -> None:
    assert reason_for(url) == f"bad URL {shown(url)}: {reason}"


@pytest.mark.parametrize("host", ["☃.com", "a\u200db.com"])
def test_hosts_outside_idna_2008_are_rejected(host: str) -> None:
    url = f"https://{host}/"
    assert reason_for(url).startswith(f"bad URL {url!r}: host {host!r} is not a valid IDNA 2008")


def test_long_values_are_shortened_in_messages() -> None:
    url = "gopher://" + "x" * 500
    expected = f"bad URL {url[:80] + '…'!r}: scheme must be http or https, not 'gopher'"
    assert reason_for(url) == expected


@pytest.mark.parametrize(
    ("url", "hostname", "ascii_hostname", "port"),
    [
        ("https://сайт.қаз/", "сайт.қаз", "xn--80aswg.xn--80ao21a", 443),
        ("http://СаЙт.Қаз:8080/x", "сайт.қаз", "xn--80aswg.xn--80ao21a", 8080),
        # IDNA 2008 keeps ß (IDNA 2003 would map it to "ss").
        ("https://faß.de/", "faß.de", "xn--fa-hia.de", 443),
        (
            "https://xn--80aswg.xn--80ao21a/",
            "xn--80aswg.xn--80ao21a",
            "xn--80aswg.xn--80ao21a",
            443,
        ),
        ("http://Example.COM./", "example.com.", "example.com", 80),
        ("https://203.0.113.7:8443/", "203.0.113.7", "203.0.113.7", 8443),
        ("http://[2001:db8::1]/", "2001:db8::1", "2001:db8::1", 80),
        ("https://[::1]:4443/", "::1", "::1", 4443),
        ("https://_dmarc.example.com/", "_dmarc.example.com", "_dmarc.example.com", 443),
        ("https://example.com:/", "example.com", "example.com", 443),
    ],
)
def test_accepted_urls(url: str, hostname: str, ascii_hostname: str, port: int) -> None:
    (target,) = targets_from_urls([url])
    assert target == Target(url=url)
    assert (target.hostname, target.ascii_hostname, target.port) == (hostname, ascii_hostname, port)


def test_url_arguments_are_stripped_and_have_no_list_origin() -> None:
    (target,) = targets_from_urls(["  https://example.com/  "])
    assert (target.url, target.list_path, target.line, target.category_code) == (
        "https://example.com/",
        "",
        0,
        "",
    )


@pytest.mark.parametrize(
    "same",
    [
        "https://EXAMPLE.com:443/",
        "https://example.com",
        "https://example.com/#top",
        "https://example.com./",
    ],
)
def test_duplicate_url_arguments_name_the_first(same: str) -> None:
    with pytest.raises(ListError) as caught:
        targets_from_urls(["https://example.com/", same])
    assert str(caught.value) == f"--url:2: duplicate URL {same!r} (first at --url:1)"


def test_idn_and_punycode_spellings_are_duplicates() -> None:
    with pytest.raises(ListError) as caught:
        targets_from_urls(["https://сайт.қаз/", "https://xn--80aswg.xn--80ao21a/"])
    assert caught.value.line == 2
    assert caught.value.reason.endswith("(first at --url:1)")


def test_different_scheme_port_path_or_query_are_not_duplicates() -> None:
    urls = [
        "https://example.com/",
        "http://example.com/",
        "https://example.com:8443/",
        "https://example.com/a",
        "https://example.com/?q=1",
    ]
    assert [t.url for t in targets_from_urls(urls)] == urls


def test_no_url_arguments_give_no_targets() -> None:
    assert targets_from_urls([]) == []
