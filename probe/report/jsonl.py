"""JSONL results files: one measurement per line, flushed as soon as it is complete.

Durability is the point: a Ctrl-C, a crash or a ``kill -9`` must keep every measurement that had
finished, so each line is written whole and flushed to the kernel at once. Against a power cut,
the file is also fsynced, at most once a second, so a long run does not pay a disk sync per line;
that sync runs on a thread of its own, so a slow disk never stalls the event loop that writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from probe.report.lines import LineError, Skipped, check_measurement, parse

SYNC_INTERVAL = 1.0
MIN_FREE_BYTES = 8 << 20
"""One measurement can hold a 1 MiB body (more once JSON-escaped); with less room than a few of
them, the run would fail at its first write, so it fails before measuring instead."""


TRAILER_KEY = "x_run_trailer"
"""The one key of a trailer line: what the run-level pass found (docs/data-format.md)."""
_TAIL_BYTES = 1 << 16
"""A trailer is a few hundred bytes; reading this much from the end always holds it whole."""


class ResultsError(Exception):
    """A results file that cannot be written or read; str() names the file and line."""


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._synced = time.monotonic()
        self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsync")
        self._pending: Future[None] | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(path.parent).free
            if free < MIN_FREE_BYTES:
                raise ResultsError(
                    f"{path}: cannot write results: only {free // 1024} KiB free on that disk"
                )
            self._file = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ResultsError(f"{path}: cannot write results: {exc.strerror or exc}") from exc

    def write(self, record: dict[str, Any]) -> None:
        line = dump_line(record)
        try:
            self._file.write(line)
            self._file.flush()
            if time.monotonic() - self._synced >= SYNC_INTERVAL:
                self._sync_soon()
        except OSError as exc:
            raise ResultsError(f"{self.path}: cannot write results: {exc.strerror or exc}") from exc
        self.count += 1

    def write_trailer(self, trailer: dict[str, Any]) -> None:
        """Append the run-level result as the last line; measurements already written stay."""
        self.write({TRAILER_KEY: trailer})
        self.count -= 1  # not a measurement

    def _sync_soon(self) -> None:
        """Start an fsync in the background unless one is still running; an earlier one's
        failure is raised here (an OSError, as a write's)."""
        if self._pending is not None:
            if not self._pending.done():
                return
            self._pending.result()
        self._synced = time.monotonic()
        self._pending = self._syncer.submit(os.fsync, self._file.fileno())

    def close(self) -> None:
        # The lines are already with the kernel; a failed sync must not hide the results.
        with contextlib.suppress(OSError):
            if self._pending is not None:
                self._pending.result()
            os.fsync(self._file.fileno())
        self._syncer.shutdown()
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


def write_atomically(output: Path, lines: Iterable[str]) -> None:
    """Replace ``output`` with ``lines`` in one step, so it may be the file they are read from."""
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with open(descriptor, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        # mkstemp makes the file private; keep the mode the results file had (or a plain 0644).
        os.chmod(temporary, output.stat().st_mode if output.exists() else 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dump_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def rewrite(path: Path, transform: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Apply ``transform`` to every measurement of ``path``, in place and atomically."""
    write_atomically(path, (dump_line(transform(r)) for r in read_jsonl(path)))


def is_trailer(record: dict[str, Any]) -> bool:
    return TRAILER_KEY in record and "test_keys" not in record


def read_trailer(path: Path) -> dict[str, Any] | None:
    """The trailer a finished run appended, or None (no run-level finding, or interrupted)."""
    with path.open("rb") as handle:
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - _TAIL_BYTES))
        tail = handle.read().rstrip(b"\n").rpartition(b"\n")[2]
    try:
        record = parse(tail.decode("utf-8", errors="replace"))
    except LineError:
        return None  # a torn or damaged last line: read_jsonl names it
    if isinstance(record, dict) and is_trailer(record) and isinstance(record[TRAILER_KEY], dict):
        return dict(record[TRAILER_KEY])
    return None


def read_jsonl(
    path: Path, skipped: Skipped | None = None, required: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Stream measurements, skipping the trailer. A line that is not a well-formed measurement
    (:mod:`probe.report.lines`) is an error naming file:line, or, given ``skipped``, is left out
    and recorded there; ``required`` names base keys every measurement must have."""
    yield from (record for _, record in numbered_lines(path, skipped, required))


def numbered_lines(
    path: Path, skipped: Skipped | None = None, required: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """As :func:`read_jsonl`, with each measurement's line number."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = parse(line)
                if is_trailer(record):
                    continue
                check_measurement(record, required)
            except LineError as exc:
                if skipped is None:
                    raise ResultsError(f"{path}:{number}: {exc}") from exc
                skipped.add(f"{path}:{number}: {exc}")
                continue
            yield number, record
