"""The upload queue on disk: one file per measurement, written atomically, per collector.

A volunteer's line to the collector may be censored or down, and the probe may be killed at any
moment, so a measurement is first written whole (temporary file, fsync, rename) and only
removed once the collector acknowledged it. A kill can then cost at most a resend, which the
collector recognises by the measurement's id. ``sent.log`` remembers what was acknowledged, so
uploading the same file again sends nothing; a measurement the collector refused moves to
``rejected/`` with the reason rather than being dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs

from probe.options import ENV_UPLOAD_QUEUE
from probe.report.identity import measurement_id

REPORT_REUSE_SECONDS: Final = 3600.0
"""bk-003: past an hour since a report was opened, a retry goes into a new report."""


def default_root() -> Path:
    """``PROBE_UPLOAD_QUEUE``, else the user data folder's ``upload-queue``."""
    configured = os.environ.get(ENV_UPLOAD_QUEUE)
    return Path(configured) if configured else platformdirs.user_data_path("probe") / "upload-queue"


def write_atomically(path: Path, text: str) -> None:
    """``path`` holds either its old content or all of ``text``, whenever the process dies."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass(frozen=True)
class Entry:
    uid: str
    path: Path
    record: dict[str, Any]
    queued: float


class UploadQueue:
    """The queue of one collector, under ``root/<digest of its URL>/``."""

    def __init__(self, root: Path, collector: str) -> None:
        self.folder = root / hashlib.sha256(collector.encode()).hexdigest()[:16]
        self.pending = self.folder / "pending"
        self.rejected = self.folder / "rejected"
        self.pending.mkdir(parents=True, exist_ok=True)
        self.rejected.mkdir(exist_ok=True)
        (self.folder / "collector.txt").write_text(collector + "\n", encoding="utf-8")
        self._ledger = self.folder / "sent.log"
        self._reports = self.folder / "reports.json"
        self._sent = self._read_ledger()

    def _read_ledger(self) -> set[str]:
        try:
            text = self._ledger.read_text(encoding="ascii")
        except FileNotFoundError:
            return set()
        return {line for line in text.splitlines() if len(line) == 64}  # a torn last line drops

    def add(self, record: dict[str, Any]) -> bool:
        """Queue one measurement; False when it is queued or acknowledged already."""
        uid = measurement_id(record)
        path = self.pending / f"{uid}.json"
        if uid in self._sent or path.exists():
            return False
        write_atomically(path, json.dumps({"queued": time.time(), "measurement": record}))
        return True

    def entries(self) -> Iterator[Entry]:
        """Queued measurements, oldest first; a file that cannot be read is left for later."""
        found = []
        for path in self.pending.glob("*.json"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(Entry(path.stem, path, data["measurement"], float(data["queued"])))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        yield from sorted(found, key=lambda e: (e.queued, e.uid))

    def count(self) -> int:
        return sum(1 for _ in self.pending.glob("*.json"))

    def acknowledged(self, entry: Entry) -> None:
        """The collector stored it: note it in the ledger, then forget the file."""
        with self._ledger.open("a", encoding="ascii") as ledger:
            ledger.write(entry.uid + "\n")
        self._sent.add(entry.uid)
        entry.path.unlink(missing_ok=True)

    def reject(self, entry: Entry, status: int, reason: str) -> None:
        text = json.dumps({"status": status, "reason": reason, "measurement": entry.record})
        write_atomically(self.rejected / entry.path.name, text)
        entry.path.unlink(missing_ok=True)

    def report_for(self, local_id: str) -> str | None:
        """The collector's report that ``local_id``'s measurements go to, if recent enough."""
        entry = self._load_reports().get(local_id)
        if (
            not isinstance(entry, dict)
            or time.time() - entry.get("opened", 0) > REPORT_REUSE_SECONDS
        ):
            return None
        report = entry.get("report_id")
        return report if isinstance(report, str) else None

    def remember_report(self, local_id: str, report_id: str | None) -> None:
        reports = self._load_reports()
        if report_id is None:
            reports.pop(local_id, None)
        else:
            reports[local_id] = {"report_id": report_id, "opened": time.time()}
        write_atomically(self._reports, json.dumps(reports))

    def open_reports(self) -> dict[str, str]:
        return {k: v["report_id"] for k, v in self._load_reports().items() if isinstance(v, dict)}

    def _load_reports(self) -> dict[str, Any]:
        try:
            value = json.loads(self._reports.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}
