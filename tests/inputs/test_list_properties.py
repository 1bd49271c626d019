"""Whatever a list file holds, loading it either succeeds or raises ListError."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from probe.inputs import CITIZEN_LAB_COLUMNS, ListError, Target, parse_list, targets_from_urls

NAMES = st.sampled_from(["list.csv", "list.txt", "list"])
# Pieces that steer generated text towards the parser's interesting branches.
PIECES = st.sampled_from(
    [
        ",".join(CITIZEN_LAB_COLUMNS),
        "url",
        ",",
        '"',
        "\n",
        "\r",
        "#",
        " ",
        "http://",
        "https://",
        "[::1]",
        ":",
        "@",
        "xn--",
        "сайт.қаз",
        "example.com",
        "/",
        "NEWS",
        "news",
        "\ufeff",
        "\x00",
    ]
)
LISTISH = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


def check(data: bytes, name: str) -> None:
    try:
        targets = parse_list(data, name)
    except ListError as exc:
        assert str(exc).startswith(f"{name}:")
        return
    assert targets
    for target in targets:
        assert isinstance(target, Target)
        # Everything accepted is usable by the network steps and survives a second check.
        assert target.ascii_hostname.isascii()
        assert 0 < target.port < 65536
    assert [t.url for t in targets_from_urls([t.url for t in targets])] == [t.url for t in targets]


@given(st.binary(max_size=300), NAMES)
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    check(data, name)


@given(st.text(max_size=200), NAMES, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_arbitrary_text(text: str, name: str, encoding: str) -> None:
    check(text.encode(encoding, errors="surrogatepass"), name)


@given(LISTISH, NAMES)
def test_list_like_text(text: str, name: str) -> None:
    check(text.encode("utf-8", errors="surrogatepass"), name)


@given(st.lists(st.text(max_size=60), max_size=5))
def test_arbitrary_url_arguments(urls: list[str]) -> None:
    try:
        targets = targets_from_urls(urls)
    except ListError as exc:
        assert exc.path == "--url"
        assert 1 <= exc.line <= len(urls)
        return
    assert len(targets) == len(urls)
