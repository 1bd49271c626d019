"""Decoding Content-Encoding: every form servers send, and never past the body cap."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probe.net.content import codings, decode

PAGE = b"<html><title>Blocked</title>" + b"x" * 5000 + b"</html>"
CAP = 1 << 20


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("header", "encoded"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("GZIP", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", _raw_deflate(PAGE)),  # what some servers mean by deflate
        ("gzip, deflate", zlib.compress(gzip.compress(PAGE))),
        ("identity, gzip", gzip.compress(PAGE)),
    ],
)
def test_each_coding_is_removed(header: str, encoded: bytes) -> None:
    decoded = decode(encoded, header, CAP)
    assert decoded.body == PAGE
    assert not decoded.truncated and decoded.failure is None
    assert decoded.codings == tuple(codings(header))


def test_no_coding_leaves_the_body_as_it_is() -> None:
    assert decode(PAGE, None, CAP).body == PAGE
    assert decode(PAGE, "identity", CAP).codings == ()


def test_concatenated_gzip_members_are_all_read() -> None:
    assert decode(gzip.compress(b"one ") + gzip.compress(b"two"), "gzip", CAP).body == b"one two"


def test_a_stream_cut_by_the_body_cap_keeps_what_it_holds() -> None:
    page = random.Random(1).randbytes(100_000)
    encoded = gzip.compress(page)
    decoded = decode(encoded[: len(encoded) // 2], "gzip", CAP)
    assert decoded.failure is None
    assert 0 < len(decoded.body) < len(page) and page.startswith(decoded.body)


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(bytes(200 << 20), compresslevel=9)  # 200 MiB of zeros in ~200 KB
    decoded = decode(bomb, "gzip", 1 << 16)
    assert len(decoded.body) == 1 << 16
    assert decoded.truncated


def test_unknown_or_broken_codings_keep_the_bytes_and_say_why() -> None:
    brotli = decode(b"\x8b\x02\x80hello\x03", "br", CAP)
    assert brotli.body == b"\x8b\x02\x80hello\x03" and "br" in (brotli.failure or "")
    broken = decode(b"not gzip at all", "gzip", CAP)
    assert broken.body == b"not gzip at all" and broken.failure is not None
    assert decode(gzip.compress(b"inner"), "gzip, br", CAP).failure is not None


@given(st.binary(max_size=4096), st.sampled_from(["gzip", "deflate", "gzip, gzip"]))
def test_any_body_survives_a_round_trip(body: bytes, header: str) -> None:
    encoded = body
    for coding in codings(header):
        encoded = gzip.compress(encoded) if coding == "gzip" else zlib.compress(encoded)
    assert decode(encoded, header, CAP).body == body


@given(st.binary(max_size=512), st.sampled_from(["gzip", "deflate", "br", "gzip, deflate"]))
def test_junk_never_raises(junk: bytes, header: str) -> None:
    decoded = decode(junk, header, 256)
    assert len(decoded.body) <= 256
