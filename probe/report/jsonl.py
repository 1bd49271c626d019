"""JSONL results files: one measurement per line, flushed as soon as it is complete.

Durability is the point: a Ctrl-C, a crash or a dying laptop must keep every measurement that
had finished, so each line is written whole, flushed and fsynced before the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self


class ResultsError(Exception):
    """A results file that cannot be written or read; str() names the file and line."""


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ResultsError(f"{path}: cannot write results: {exc.strerror or exc}") from exc

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise ResultsError(f"{self.path}: cannot write results: {exc.strerror or exc}") from exc
        self.count += 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Stream measurements; a line that is not a JSON object is an error naming file:line."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ResultsError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict) or "test_keys" not in record:
                raise ResultsError(f"{path}:{number}: not a measurement (no test_keys)")
            yield record
