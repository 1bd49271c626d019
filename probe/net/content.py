"""Undoing a response's Content-Encoding, within the body cap (a gzip bomb stops at the cap).

Bodies are stored decoded, as OONI stores them: a reader can match a title or a blockpage
without knowing HTTP, and the scrubber can see an address that a compressed body would hide.
gzip and deflate are what servers send to a client that names no ``Accept-Encoding`` (the
probe names none, as OONI's does not); any other coding is kept as received and named.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

GZIP = ("gzip", "x-gzip")
DEFLATE = "deflate"
IDENTITY = "identity"


@dataclass(frozen=True)
class Decoded:
    body: bytes
    codings: tuple[str, ...]
    """The codings that were removed, in the order the server applied them."""
    truncated: bool
    """The decoded body passed the cap and was cut there."""
    failure: str | None = None
    """Why a coding could not be removed; ``body`` is then the bytes as far as decoded."""


def codings(content_encoding: str | None) -> list[str]:
    """The codings a Content-Encoding header lists, ``identity`` left out."""
    names = (c.strip().lower() for c in (content_encoding or "").split(","))
    return [c for c in names if c and c != IDENTITY]


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    """Every member of a (maybe concatenated, maybe cut short) stream, stopping past ``cap``."""
    out = bytearray()
    while data and len(out) <= cap:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(data, cap + 1 - len(out))
        except zlib.error:
            if not out:
                raise
            break  # junk after a complete member: what came before is the body
        if not inflater.eof:
            break  # cut short by the body cap, or output past ours: what came out is kept
        data = inflater.unused_data
    return bytes(out)


def _decode_one(coding: str, data: bytes, cap: int) -> bytes:
    if coding in GZIP:
        return _inflate(data, 16 + zlib.MAX_WBITS, cap)
    if coding == DEFLATE:
        # RFC 9110 means zlib-wrapped; some servers send raw deflate.
        try:
            return _inflate(data, zlib.MAX_WBITS, cap)
        except zlib.error:
            return _inflate(data, -zlib.MAX_WBITS, cap)
    raise ValueError(f"unsupported content-coding {coding!r}")


def decode(body: bytes, content_encoding: str | None, cap: int) -> Decoded:
    """``body`` with its codings removed (last applied, first removed), at most ``cap`` bytes."""
    removed: list[str] = []
    for coding in reversed(codings(content_encoding)):
        try:
            decoded = _decode_one(coding, body, cap)
        except (zlib.error, ValueError) as exc:
            return Decoded(body[:cap], tuple(reversed(removed)), len(body) > cap, str(exc))
        body = decoded
        removed.append(coding)
    return Decoded(body[:cap], tuple(reversed(removed)), len(body) > cap)
