"""The upload queue on disk: one file per measurement, written atomically, per collector.

A volunteer's line to the collector may be censored or down, and the probe may be killed at any
moment, so a measurement is first written whole (temporary file, fsync, rename) and only
removed once the collector acknowledged it. A kill can then cost at most a resend, which the
collector recognises by the measurement's id. ``sent.log`` remembers what was acknowledged, so
uploading the same file again sends nothing; a measurement the collector refused moves to
``rejected/`` with the reason rather than being dropped. A queue file that is no longer a
queued measurement (a disk error, a hand edit) moves to ``rejected/`` too, as it is, and is
named in :attr:`UploadQueue.problems`; the other queued measurements go on.
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
from probe.report.lines import LineError, parse

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
        self.problems: list[str] = []
        """``FILE: reason`` for each queue file set aside as unreadable, for the CLI to show."""
        self._sent = self._read_ledger()

    def _read_ledger(self) -> set[str]:
        try:
            text = self._ledger.read_bytes().decode("ascii", errors="replace")
        except FileNotFoundError:
            return set()
        # A torn last line, or a damaged one, drops: at worst that measurement is sent again.
        return {line for line in text.splitlines() if len(line) == 64 and line.isalnum()}

    def add(self, record: dict[str, Any]) -> bool:
        """Queue one measurement; False when it is queued or acknowledged already."""
        uid = measurement_id(record)
        path = self.pending / f"{uid}.json"
        if uid in self._sent or path.exists():
            return False
        write_atomically(path, json.dumps({"queued": time.time(), "measurement": record}))
        return True

    def entries(self) -> Iterator[Entry]:
        """Queued measurements, oldest first. A file that cannot be read now is left for later;
        one that is no queued measurement is set aside (:meth:`_set_aside`)."""
        found = []
        for path in self.pending.glob("*.json"):
            try:
                data = parse(path.read_bytes().decode("utf-8", errors="replace"))
                record, queued = data.get("measurement"), data.get("queued")
                if not isinstance(record, dict):
                    raise LineError("no measurement object in it")
                if not isinstance(queued, int | float) or isinstance(queued, bool):
                    raise LineError("no queued time in it")
                found.append(Entry(path.stem, path, record, float(queued)))
            except OSError:
                continue
            except LineError as exc:
                self._set_aside(path, str(exc))
        yield from sorted(found, key=lambda e: (e.queued, e.uid))

    def _set_aside(self, path: Path, reason: str) -> None:
        """Move a damaged queue file to ``rejected/`` as it is, so it is neither retried forever
        nor lost; the reason goes to :attr:`problems`."""
        target = self.rejected / f"{path.stem}.damaged"
        try:
            os.replace(path, target)
        except OSError as exc:
            self.problems.append(f"{path}: {reason}; could not move it aside ({exc.strerror})")
            return
        self.problems.append(f"{path}: {reason}; moved to {target}")

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
        if not isinstance(entry, dict):
            return None
        opened, report = entry.get("opened"), entry.get("report_id")
        if not isinstance(opened, int | float) or time.time() - opened > REPORT_REUSE_SECONDS:
            return None
        return report if isinstance(report, str) else None

    def remember_report(self, local_id: str, report_id: str | None) -> None:
        reports = self._load_reports()
        if report_id is None:
            reports.pop(local_id, None)
        else:
            reports[local_id] = {"report_id": report_id, "opened": time.time()}
        write_atomically(self._reports, json.dumps(reports))

    def open_reports(self) -> dict[str, str]:
        return {
            local: entry["report_id"]
            for local, entry in self._load_reports().items()
            if isinstance(entry, dict) and isinstance(entry.get("report_id"), str)
        }

    def _load_reports(self) -> dict[str, Any]:
        """The reports opened recently; a damaged file is none (each is opened again)."""
        try:
            return parse(self._reports.read_bytes().decode("utf-8", errors="replace"))
        except (OSError, LineError):
            return {}
