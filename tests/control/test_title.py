from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# Lone surrogates cannot be UTF-8 encoded, so no page on the wire can hold them.
ENCODABLE = st.characters(blacklist_categories=("Cs",), blacklist_characters="<")


@given(
    prefix=st.text(alphabet=ENCODABLE, max_size=200),
    title=st.text(alphabet=ENCODABLE, min_size=1, max_size=512),
    junk=st.binary(max_size=300),
)
def test_title_is_found_in_any_surroundings_and_junk_never_raises(
    prefix: str, title: str, junk: bytes
) -> None:
    page = f"{prefix}<TiTlE>{title}</title><title>second</title>"
    assert extract_title(page) == title
    assert extract_title(page.encode() + junk) == title
    assert isinstance(extract_title(junk), str)
