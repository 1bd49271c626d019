"""The blockpage fingerprint file and its matching."""

from __future__ import annotations

import base64

import pytest

from probe.analysis.blockpages import (
    Fingerprint,
    match_blockpage,
    parse_fingerprints,
    shipped_fingerprints,
)


def test_shipped_file_holds_the_kazakh_blockpage_with_its_source() -> None:
    by_name = {f.name: f for f in shipped_fingerprints()}
    assert by_name["kz_body"].pattern == "Страница заблокирована"
    assert "Censored Planet" in by_name["kz_body"].source


def test_windows_1251_page_matches() -> None:
    body = "<title>Страница заблокирована</title>".encode("cp1251")
    request = {"response": {"body": {"format": "base64", "data": base64.b64encode(body).decode()}}}
    matched = match_blockpage(request)
    assert matched is not None and matched.name == "kz_title"


def test_header_fingerprint_and_no_match() -> None:
    box = Fingerprint("box", "header", "Server: CensorBox", "ZZ", "test")
    request = {"response": {"headers": {"Server": "CensorBox/1.0"}, "body": "hello"}}
    assert match_blockpage(request, [box]) == box
    assert match_blockpage({"response": {"body": "hello"}}) is None


def test_a_fingerprint_without_pattern_is_rejected() -> None:
    with pytest.raises(ValueError, match="#0"):
        parse_fingerprints('{"fingerprints": [{"name": "x", "kind": "body", "pattern": ""}]}')
