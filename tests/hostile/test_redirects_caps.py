"""Size caps on what is stored: hostile heads, DNS replies and bogon lists stay small."""

from __future__ import annotations

import json

from probe.net import dns, http
from probe.nettests.resolution import MAX_SKIPPED_BOGONS, skip_bogon, skipped_keys


def _response(headers: tuple[tuple[str, str], ...]) -> http.Request:
    response = http.Response(200, headers, b"ok", False, 0.0)
    return http.Request("http://example.test/", "127.0.0.1:80", (), None, response, 0.0, 0.0)


def test_huge_and_numerous_headers_are_cut_and_flagged() -> None:
    headers = (("Location", "/x" * 50_000), *((f"X-{i}", "v" * 50) for i in range(5_000)))
    stored = _response(headers).as_ooni()["response"]
    assert stored["x_headers_truncated"] is True
    assert len(stored["headers"]["Location"]) == http.MAX_HEADER_VALUE
    assert len(json.dumps(stored)) < 3 * http.MAX_HEAD
    assert "x_headers_truncated" not in _response((("Server", "a"),)).as_ooni()["response"]


def test_a_followed_redirect_stores_less_body() -> None:
    response = http.Response(302, (), b"a" * 100_000, False, 0.0)
    request = http.Request("http://e.test/", "127.0.0.1:80", (), None, response, 0.0, 0.0)
    stored = request.as_ooni(body_limit=1000)["response"]
    assert len(stored["body"]) == 1000 and stored["body_is_truncated"] is True


def test_a_reply_with_3000_answers_stores_the_cap() -> None:
    answers = tuple(dns.Answer("A", f"10.{i // 256}.{i % 256}.1", 60) for i in range(3000))
    query = dns.Query("example.test", "A", "udp", "127.0.0.1:53", None, answers)
    stored = query.as_ooni()
    assert len(stored["answers"]) == dns.MAX_ANSWERS and stored["x_answers_truncated"] is True
    assert (
        "x_answers_truncated"
        not in dns.Query("e.test", "A", "udp", "", None, answers[:3]).as_ooni()
    )


def test_3000_skipped_bogons_are_capped_and_flagged() -> None:
    skipped: list[str] = []
    for i in range(3000):
        skip_bogon(f"10.0.{i // 256}.{i % 256}", skipped)
    keys = skipped_keys(skipped)
    assert len(keys["x_skipped_bogons"]) == MAX_SKIPPED_BOGONS
    assert keys["x_skipped_bogons_truncated"] is True
    assert "x_skipped_bogons_truncated" not in skipped_keys(skipped[:3])
