from __future__ import annotations

import pytest

from probe.control.title import extract_title


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("<html><head><title>Hello</title></head></html>", "Hello"),
        ("<TITLE>Upper</TiTlE>", "Upper"),
        ("<title>first</title><title>second</title>", "first"),
        ("<title></title>", ""),
        ("<title>a <b>bold</b> title</title>", ""),
        ("<title>" + "x" * 513 + "</title>", ""),
        ("<title>" + "я" * 512 + "</title>", "я" * 512),
        ("no title here", ""),
        ("<title lang='ru'>attributes are not matched</title>", ""),
    ],
)
def test_title_follows_oonis_rule(body: str, title: str) -> None:
    assert extract_title(body) == title


def test_bytes_are_read_as_utf8_with_invalid_bytes_replaced() -> None:
    body = "<title>Страница заблокирована</title>".encode() + b"\xff\xfe"
    assert extract_title(body) == "Страница заблокирована"
    assert extract_title(b"<title>\xffok</title>") == "\ufffdok"
