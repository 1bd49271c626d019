"""The probe's own log lines (``--log-level``, ``-v``), on stderr or in ``--log-file``, with every
IP address masked.

A log line may end up pasted in a public bug report, so no address appears in one: neither the
volunteer's (an echo server's answer, a socket's local address) nor a target's, which, with the
time, would tell who measured what. Measurements keep what they need; logs are for bugs.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Final

LEVELS: Final = ("debug", "info", "warning", "error")
MASK: Final = "[address]"
_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
_HEX = r"[0-9A-Fa-f]{1,4}"
_IPV6 = (
    rf"(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}"  # full form
    rf"|(?:{_HEX}(?::{_HEX})*)?::(?:{_HEX}(?::{_HEX})*)?)(?![\w:])"  # compressed
)
_PATTERNS: Final = (re.compile(_IPV4), re.compile(_IPV6))
"""IPv4 first, so the IPv4 tail of a mapped IPv6 address is masked whole."""


def masked(text: str) -> str:
    """``text`` with every IPv4 and IPv6 address replaced by :data:`MASK`."""
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class MaskingFormatter(logging.Formatter):
    """Masks the whole line, the traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return masked(super().format(record))


def check_level(level: str) -> int:
    """The logging level named ``level``; a ValueError names the accepted ones."""
    if level.lower() not in LEVELS:
        raise ValueError(f"--log-level {level!r}: use one of {', '.join(LEVELS)}")
    return int(getattr(logging, level.upper()))


def chosen_level(level: str, verbose: int = 0) -> int:
    """``-v`` means info and ``-vv`` debug, whatever ``--log-level`` says; else ``level``."""
    named = check_level(level)
    if verbose:
        return min(named, logging.DEBUG if verbose > 1 else logging.INFO)
    return named


def start_logging(level: str, verbose: int = 0, path: Path | None = None) -> None:
    """Send the ``probe`` loggers' lines at the chosen level and above to stderr, or appended to
    ``path``, masked. A file that cannot be opened is a ValueError naming it."""
    chosen = chosen_level(level, verbose)
    handler: logging.Handler
    if path is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        try:
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"--log-file {path}: {exc.strerror or exc}") from exc
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("probe")
    for old in [h for h in logger.handlers if isinstance(h.formatter, MaskingFormatter)]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(chosen)
