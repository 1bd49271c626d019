"""Reading list files: formats, encodings and every reason a list is rejected, with file:line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from probe.inputs import CITIZEN_LAB_COLUMNS, ListError, Target, load_list

HEADER = ",".join(CITIZEN_LAB_COLUMNS)
ROW = "https://example.com/,NEWS,News Media,2026-11-27,test,a note"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def error(tmp_path: Path, name: str, content: str | bytes) -> tuple[str, str]:
    """The message and the path prefix it must start with."""
    path = write(tmp_path, name, content)
    with pytest.raises(ListError) as caught:
        load_list(path)
    assert caught.value.path == str(path)
    return str(caught.value), str(path)


def test_citizen_lab_csv(tmp_path: Path) -> None:
    content = (
        f"{HEADER}\n"
        f"{ROW}\n"
        "\n"
        'https://сайт.қаз/,GOVT,,2026-11-27,"Report, 2016","two\nlines"\n'
        "http://203.0.113.9:8080/x,CTRL,Control content,2026-11-27,lab,\n"
    )
    path = write(tmp_path, "kz.csv", content)
    rows = [
        ("https://example.com/", "NEWS", "News Media", "test", "a note", 2),
        # An empty description is filled from the code; a quoted field may span lines.
        ("https://сайт.қаз/", "GOVT", "Government", "Report, 2016", "two\nlines", 4),
        ("http://203.0.113.9:8080/x", "CTRL", "Control content", "lab", "", 6),
    ]
    assert load_list(path) == [
        Target(url, code, description, "2026-11-27", source, notes, str(path), line)
        for url, code, description, source, notes, line in rows
    ]


def test_plain_text_skips_blanks_and_comments(tmp_path: Path) -> None:
    content = (
        "# a comment\r\n\r\n  https://example.com/  \r\n   # indented comment\nhttp://x.example/\n"
    )
    path = write(tmp_path, "list.txt", content)
    assert [(t.url, t.line, t.category_code, t.list_path) for t in load_list(path)] == [
        ("https://example.com/", 3, "", str(path)),
        ("http://x.example/", 5, "", str(path)),
    ]


def test_header_makes_a_non_csv_file_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "list.txt", f"\n{HEADER}\n{ROW}\n")
    (target,) = load_list(path)
    assert (target.category_code, target.notes, target.line) == ("NEWS", "a note", 3)


def test_csv_with_other_columns_needs_only_url(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.csv", "Comment, URL \nfirst,https://example.com/\n")
    (target,) = load_list(path)
    assert (target.url, target.category_code, target.category_description) == (
        "https://example.com/",
        "",
        "",
    )


@pytest.mark.parametrize(
    "bom_and_codec",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_are_honoured(tmp_path: Path, bom_and_codec: tuple[bytes, str]) -> None:
    bom, codec = bom_and_codec
    text = f"{HEADER}\r\nhttps://сайт.қаз/,NEWS,News Media,2026-11-27,s,n\r\n"
    # No suffix, so the header is recognised only if the BOM was removed before it.
    path = write(tmp_path, "list", bom + text.encode(codec))
    (target,) = load_list(path)
    assert (target.url, target.ascii_hostname, target.line) == (
        "https://сайт.қаз/",
        "xn--80aswg.xn--80ao21a",
        2,
    )


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    message, path = error(tmp_path, "l.txt", b"https://a.example/\n\nhttps://b.ex\xffample/\n")
    assert message == f"{path}:3: not valid UTF-8 text (invalid start byte at byte 32)"


def test_invalid_utf16_names_its_line(tmp_path: Path) -> None:
    data = (
        codecs.BOM_UTF16_LE + "https://a.example/\nhttps://".encode("utf-16-le") + b"\x00\xd8a\x00"
    )
    message, path = error(tmp_path, "l.txt", data)
    assert message == f"{path}:2: not valid UTF-16-LE text (illegal UTF-16 surrogate at byte 56)"


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    message, path = error(tmp_path, "l.txt", b"https://a.example/\nPNG\x00\x00\n")
    assert message == f"{path}:2: NUL character: binary data, or UTF-16 without a byte order mark"


def test_utf16_without_bom_is_explained(tmp_path: Path) -> None:
    message, path = error(tmp_path, "l.txt", "https://a.example/\n".encode("utf-16-le"))
    assert message.startswith(f"{path}:1: NUL character")


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (
            "\n\nname,notes\nx,y\n",
            3,
            "missing required column 'url' in the header (found: name, notes)",
        ),
        ("url,source,URL\n", 1, "duplicate column 'url'"),
        (
            "url,category_code,notes\n",
            1,
            "missing required column 'category_description', 'date_added', 'source': a Citizen"
            " Lab header has all of url, category_code, category_description, date_added,"
            " source, notes",
        ),
        (f"{HEADER}\n{ROW}\nhttps://b.example/,NEWS\n", 3, "expected 6 fields, found 2"),
        (f"{HEADER}\n{ROW},extra\n", 2, "expected 6 fields, found 7"),
        (f'{HEADER}\n{ROW}\n"https://b.example/,NEWS\n\n', 3, "bad CSV (unexpected end of data)"),
        (f'{HEADER}\n"https://b.example/"x,NEWS\n', 2, "bad CSV (',' expected after '\"')"),
        (
            f"{HEADER}\n{ROW}\nhttps://b.example/\r,NEWS,News Media,d,s,n\n",
            3,
            "bad CSV (new-line character seen in unquoted field - do you need to open the file"
            " in universal-newline mode?)",
        ),
        (
            f"{HEADER}\nhttps://example.com/a b,NEWS,News Media,d,s,n\n",
            2,
            "bad URL 'https://example.com/a b': URL contains whitespace",
        ),
        (
            f"{HEADER}\n{ROW}\n\nhttps://EXAMPLE.com:443,NEWS,News Media,d,s,n\n",
            4,
            "duplicate URL 'https://EXAMPLE.com:443' (first at {path}:2)",
        ),
        (f"{HEADER}\nhttps://b.example/,,News Media,d,s,n\n", 2, "missing category code"),
        (
            f"{HEADER}\nhttps://b.example/,BLOGS,x,d,s,n\n",
            2,
            "unknown category code 'BLOGS'",
        ),
        (
            f"{HEADER}\nhttps://b.example/,news,x,d,s,n\n",
            2,
            "unknown category code 'news'; did you mean NEWS?",
        ),
    ],
)
def test_csv_errors(tmp_path: Path, content: str, line: int, reason: str) -> None:
    message, path = error(tmp_path, "bad.csv", content)
    assert message == f"{path}:{line}: {reason.format(path=path)}"


def test_oversized_field_is_a_csv_error(tmp_path: Path) -> None:
    message, path = error(tmp_path, "bad.csv", f'{HEADER}\n"{"x" * 200_000}"\n')
    assert message == f"{path}:2: bad CSV (field larger than field limit (131072))"


def test_csv_file_without_header_is_rejected(tmp_path: Path) -> None:
    message, path = error(tmp_path, "bad.csv", f"{ROW}\n")
    assert message.startswith(f"{path}:1: missing required column 'url' in the header (found: ")


def test_plain_text_errors_name_the_line(tmp_path: Path) -> None:
    message, path = error(tmp_path, "l.txt", "# c\nhttps://a.example/\n\nftp://b.example/\n")
    assert (
        message == f"{path}:4: bad URL 'ftp://b.example/': scheme must be http or https, not 'ftp'"
    )


def test_plain_text_duplicates(tmp_path: Path) -> None:
    message, path = error(tmp_path, "l.txt", "https://a.example/\nhttps://A.example\n")
    assert message == f"{path}:2: duplicate URL 'https://A.example' (first at {path}:1)"


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.txt", ""), ("comments.txt", "# nothing yet\n\n"), ("header.csv", f"{HEADER}\n")],
)
def test_a_list_without_targets_is_rejected(tmp_path: Path, name: str, content: str) -> None:
    message, path = error(tmp_path, name, content)
    assert message == f"{path}: the list has no targets"


def test_unreadable_path(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(ListError) as caught:
            load_list(path)
        assert (caught.value.path, caught.value.line) == (str(path), 0)
        assert str(caught.value).startswith(f"{path}: cannot read the list (")
