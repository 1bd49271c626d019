"""One line of a results file, checked once before any reader looks inside it.

Results files are shared, hand-edited and sometimes hostile. Every reader (the analyst tools,
``probe analyze``, ``--resume``, upload) parses lines here, so a line nested a hundred thousand
levels deep, a number of five thousand digits, a lone UTF-16 surrogate or a key of the wrong type
is one clear reason naming the line, never a traceback from deep inside a reader. The checks
cover the envelope only; the analysis reads ``test_keys`` through accessors that tolerate any
shape (:mod:`probe.analysis.observations`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from probe.i18n import _, ngettext

MAX_DEPTH = 64
"""A measurement nests about eight levels; far deeper is not one, and would make every later
recursive step (encoding, scrubbing) a stack overflow."""
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
TIME_KEYS = ("measurement_start_time", "test_start_time")
TEXT_KEYS = (
    "input",
    "test_name",
    "report_id",
    "probe_asn",
    "probe_cc",
    "probe_network_name",
    "software_name",
    "software_version",
)
"""Base keys that are text when present (``input`` may also be null: a test without input)."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
MAX_SHOWN = 10
"""Skipped lines named one by one; beyond this only counted."""


class LineError(ValueError):
    """Why a line is not a measurement; str() is the reason, without file or line."""


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def parse(line: str) -> dict[str, Any]:
    """The JSON object one line holds."""
    try:
        value = json.loads(line)
    except RecursionError:
        raise LineError(f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg})") from None
    except ValueError:  # an integer beyond Python's limit on digits converted from text
        raise LineError("holds a number with too many digits") from None
    if not isinstance(value, dict):
        raise LineError(f"{_kind(value)}, not a JSON object")
    _check_depth(value)
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LineError("holds a lone UTF-16 surrogate, which is not text") from None
    return value


def _check_depth(value: dict[str, Any]) -> None:
    level: list[Any] = [value]
    for _depth in range(MAX_DEPTH):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise LineError(f"nested deeper than {MAX_DEPTH} levels")


def is_time(value: object) -> bool:
    """OONI's ``YYYY-MM-DD HH:MM:SS`` (UTC), a real date and time."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return False
    try:
        datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return False
    return True


def check_measurement(record: dict[str, Any], required: tuple[str, ...] = ()) -> None:
    """Raise LineError unless ``record``'s base keys have their documented types
    (docs/data-format.md); ``required`` names base keys that must also be present."""
    missing = [key for key in required if record.get(key) is None]
    if "test_keys" not in record:
        missing.insert(0, "test_keys")
    if missing:
        raise LineError(f"not a measurement (no {', '.join(missing)})")
    if not isinstance(record["test_keys"], dict | None):  # OONI writes null for a failed test
        raise LineError(f"test_keys is {_kind(record['test_keys'])}, not an object")
    for key in TEXT_KEYS:
        value = record.get(key)
        if not (isinstance(value, str) or (value is None and key == "input")) and key in record:
            raise LineError(f"{key} is {_kind(value)}, not text")
    for key in TIME_KEYS:
        if key in record and not is_time(record[key]):
            raise LineError(f"{key} is not a time written YYYY-MM-DD HH:MM:SS")
    annotations = record.get("annotations", {})
    if not isinstance(annotations, dict):
        raise LineError(f"annotations is {_kind(annotations)}, not an object")
    for key, value in annotations.items():
        if not isinstance(value, str):
            raise LineError(f"annotations.{key} is {_kind(value)}, not text")


@dataclass
class Skipped:
    """Lines a reader that can go on without them left out: the first few named, all counted."""

    shown: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, where: str) -> None:
        self.count += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(where)

    def summary(self) -> str:
        hidden = self.count - len(self.shown)
        skipped = ngettext(
            "skipped {count} line that is not a well-formed measurement",
            "skipped {count} lines that are not well-formed measurements",
            self.count,
        ).format(count=self.count)
        if hidden:
            skipped += " " + _("({count} more not listed)").format(count=hidden)
        return skipped
