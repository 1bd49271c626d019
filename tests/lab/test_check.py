"""``probe lab check``'s comparison: only given keys count, and absent keys never pass."""

from __future__ import annotations

from typing import Any

import pytest

from probe.lab.check import NOT_COMPUTED, compare, index, verdict_of
from probe.lab.scenario import Expect


def _m(url: str, **keys: Any) -> dict[str, Any]:
    return {"input": url, "test_keys": {"queries": [], **keys}}


@pytest.mark.parametrize(
    ("blocking", "accessible", "verdict"),
    [
        (False, True, "ok"),
        (False, False, "down"),
        (None, None, "undetermined"),
        ("dns", False, "blocked"),
        ("http-diff", False, "blocked"),
        ("dns", True, "blocking=dns, accessible=true"),
    ],
)
def test_verdict_mapping(blocking: object, accessible: object, verdict: str) -> None:
    assert verdict_of({"blocking": blocking, "accessible": accessible}) == verdict


def test_only_present_keys_are_compared() -> None:
    measurements = index([_m("https://a.kz/", blocking="dns", accessible=False)])
    rows = compare([Expect("https://a.kz/", verdict="blocked")], measurements)
    assert [(r.key, r.ok) for r in rows] == [("verdict", True)]
    rows = compare([Expect("https://a.kz/", blocking="http-failure")], measurements)
    assert [(r.key, r.expected, r.measured, r.ok) for r in rows] == [
        ("blocking", "http-failure", "dns", False)
    ]


def test_absent_keys_are_mismatches_reported_as_not_computed() -> None:
    expect = Expect("https://a.kz/", verdict="ok", blocking=False, technique="tls.reset")
    rows = compare([expect], index([_m("https://a.kz/")]))
    assert [(r.key, r.measured, r.ok) for r in rows] == [
        ("verdict", NOT_COMPUTED, False),
        ("blocking", NOT_COMPUTED, False),
        ("technique", NOT_COMPUTED, False),
    ]


def test_false_blocking_and_technique_match_exactly() -> None:
    measurement = _m("https://a.kz/", blocking=False, accessible=True, x_technique=None)
    ok = compare([Expect("https://a.kz/", blocking=False)], index([measurement]))
    assert [r.ok for r in ok] == [True]
    wrong = compare([Expect("https://a.kz/", technique="tls.reset")], index([measurement]))
    assert [(r.measured, r.ok) for r in wrong] == [("null", False)]


def test_urls_match_after_normalisation_and_missing_ones_fail() -> None:
    measurements = index([_m("https://A.kz:443/", blocking=False, accessible=True)])
    assert compare([Expect("https://a.kz/", verdict="ok")], measurements)[0].ok
    (missing,) = compare([Expect("https://b.kz/", verdict="ok")], measurements)
    assert (missing.key, missing.ok) == ("measurement", False)


def test_network_unusable_is_compared_and_absent_means_not_computed() -> None:
    expect = Expect("https://a.kz/", network_unusable=True)
    unusable = _m("https://a.kz/", x_network_unusable=True)
    usable = _m("https://a.kz/", x_network_unusable=False)
    assert [r.ok for r in compare([expect], index([unusable]))] == [True]
    (row,) = compare([expect], index([usable]))
    assert (row.key, row.expected, row.measured, row.ok) == (
        "network_unusable",
        "true",
        "false",
        False,
    )
    (row,) = compare([expect], index([_m("https://a.kz/")]))
    assert (row.measured, row.ok) == (NOT_COMPUTED, False)


def test_detail_must_contain_the_words_and_a_miss_shows_the_whole_sentence() -> None:
    said = "RST after the ClientHello; residual blocking suspected: the retry could not connect"
    measurements = index([_m("https://a.kz/", x_detail=said)])
    hit = compare([Expect("https://a.kz/", detail="residual blocking suspected")], measurements)
    assert [(r.key, r.measured, r.ok) for r in hit] == [
        ("detail", "residual blocking suspected", True)
    ]
    miss = compare([Expect("https://a.kz/", detail="the address is blocked")], measurements)
    assert [(r.measured, r.ok) for r in miss] == [(said, False)]
    absent = compare([Expect("https://a.kz/", detail="x")], index([_m("https://a.kz/")]))
    assert [(r.measured, r.ok) for r in absent] == [(NOT_COMPUTED, False)]
