"""OONI web_connectivity's page comparison: body length, status code, headers and title.

Each key is null when the comparison does not apply (no final response, no control page, a
truncated body), exactly as OONI's probe does, so values stay comparable with OONI's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from probe.analysis.observations import (
    Record,
    body_bytes,
    body_length,
    mapping,
    response,
    status_code,
)
from probe.control.title import extract_title

BODY_PROPORTION_THRESHOLD = 0.7
TITLE_MIN_WORD = 5
COMMON_HEADERS = frozenset(
    {
        "date", "content-type", "server", "cache-control", "vary", "set-cookie", "location",
        "expires", "x-powered-by", "content-encoding", "last-modified", "accept-ranges", "pragma",
        "x-frame-options", "etag", "x-content-type-options", "age", "via", "p3p",
        "x-xss-protection", "content-language", "cf-ray", "strict-transport-security", "link",
        "x-varnish", "content-length", "connection", "transfer-encoding", "keep-alive",
    }
)  # fmt: skip
"""Headers nearly every server sends; only the uncommon ones say which server answered."""


@dataclass(frozen=True)
class PageComparison:
    body_length_match: bool | None = None
    body_proportion: float | None = None
    status_code_match: bool | None = None
    headers_match: bool | None = None
    title_match: bool | None = None

    @property
    def same_page(self) -> bool:
        """OONI's table: same status and (similar length, or uncommon headers, or title)."""
        return bool(self.status_code_match) and bool(
            self.body_length_match or self.headers_match or self.title_match
        )


def compare_pages(final: Record | None, control: Record | None) -> PageComparison:
    if final is None or control is None or status_code(final) <= 0:
        return PageComparison()
    truncated = bool(response(final).get("body_is_truncated"))
    length_match, proportion = _body_length(final, control, truncated)
    return PageComparison(
        length_match,
        proportion,
        _status(status_code(final), control.get("status_code")),
        _headers(mapping(response(final).get("headers")), mapping(control.get("headers"))),
        None
        if truncated
        else _title(extract_title(body_bytes(final)), str(control.get("title") or "")),
    )


def _body_length(
    final: Record, control: Record, truncated: bool
) -> tuple[bool | None, float | None]:
    expected = control.get("body_length")
    measured = body_length(final)
    if truncated or not isinstance(expected, int) or expected <= 0 or measured <= 0:
        return None, None
    proportion = min(measured, expected) / max(measured, expected)
    return proportion > BODY_PROPORTION_THRESHOLD, round(proportion, 6)


def _status(measured: int, expected: object) -> bool | None:
    if not isinstance(expected, int) or expected <= 0:
        return None
    if measured == expected:
        return True
    # A control that got a server error says little about the page (OONI keeps this rule).
    return None if expected // 100 == 5 else False


def _headers(measured: object, expected: object) -> bool | None:
    ours = {str(k).lower() for k in mapping(measured)}
    theirs = {str(k).lower() for k in mapping(expected)}
    if ours == theirs:
        return True
    return bool((ours & theirs) - COMMON_HEADERS)


def _title(measured: str, expected: str) -> bool | None:
    if not measured:
        return None
    ours = {w.casefold() for w in measured.split() if len(w) >= TITLE_MIN_WORD}
    theirs = {w.casefold() for w in expected.split() if len(w) >= TITLE_MIN_WORD}
    return ours == theirs
