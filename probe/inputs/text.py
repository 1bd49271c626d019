"""Bytes to lines, tolerating the encodings spreadsheet tools write and naming the bad line."""

from __future__ import annotations

import codecs

from probe.inputs.errors import ListError

# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32-LE"),
    (codecs.BOM_UTF32_BE, "UTF-32-BE"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16-LE"),
    (codecs.BOM_UTF16_BE, "UTF-16-BE"),
)


def decode_lines(data: bytes, path: str) -> list[str]:
    """Lines of ``data`` (UTF-8 unless a byte order mark says otherwise), without line endings.

    Only ``\\n`` (with an optional ``\\r`` before it) ends a line, so numbers match editors.
    """
    encoding, skip = "UTF-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, skip = name, len(bom)
            break
    body = data[skip:]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = body[: exc.start].decode(encoding, errors="replace")
        raise ListError(
            path,
            _line_at(prefix, len(prefix)),
            f"not valid {encoding} text ({exc.reason} at byte {skip + exc.start})",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise ListError(
            path,
            _line_at(text, nul),
            "NUL character: binary data, or UTF-16 without a byte order mark",
        )
    return [line.removesuffix("\r") for line in text.split("\n")]


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1
