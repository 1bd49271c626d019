"""Drain an upload queue into a collector, backing off while it is unreachable.

Measurements of one local run (one ``report_id``) go into one collector report, opened on
first use and reused for an hour, as bk-003 asks; each is removed from the queue only after
its 200. While the collector is unreachable the drain waits 1, 2, 4 … seconds (or what
Retry-After says) within its time budget, then stops and leaves the rest for the next run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final

from probe.upload.client import CollectorClient, CollectorUnavailable, Refused
from probe.upload.queue import Entry, UploadQueue

MAX_BACKOFF: Final = 60.0


@dataclass
class Drained:
    sent: int = 0
    rejected: int = 0
    pending: int = 0
    last_error: str | None = None
    """Why the drain stopped early (the collector unreachable), if it did."""


@dataclass
class Uploader:
    queue: UploadQueue
    client: CollectorClient
    budget: float = 60.0
    """Seconds spent waiting for an unreachable collector before giving up for this run."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def drain(self) -> Drained:
        result = Drained()
        deadline = self.clock() + self.budget
        delay = 1.0
        for entry in self.queue.entries():
            while True:
                try:
                    self._send(entry)
                    result.sent += 1
                    delay = 1.0
                    break
                except Refused as exc:
                    self.queue.reject(entry, exc.status, exc.message)
                    result.rejected += 1
                    break
                except CollectorUnavailable as exc:
                    result.last_error = str(exc)
                    wait = min(MAX_BACKOFF, exc.retry_after or delay)
                    if self.clock() + wait > deadline:
                        result.pending = self.queue.count()
                        return result
                    self.sleep(wait)
                    delay = min(MAX_BACKOFF, delay * 2)
        self._close_reports()
        result.pending = self.queue.count()
        result.last_error = None if not result.pending else result.last_error
        return result

    def _send(self, entry: Entry) -> None:
        local = str(entry.record.get("report_id", ""))
        report = self.queue.report_for(local)
        if report is None:
            report = self.client.open(entry.record)
            self.queue.remember_report(local, report)
        try:
            self.client.submit(report, entry.record)
        except Refused as exc:
            if exc.status != HTTPStatus.NOT_FOUND:
                raise
            # The report was closed or expired: bk-003 says to submit under a new one.
            report = self.client.open(entry.record)
            self.queue.remember_report(local, report)
            self.client.submit(report, entry.record)
        self.queue.acknowledged(entry)

    def _close_reports(self) -> None:
        """Close every report the queue no longer needs; a failure leaves it for the timer."""
        waiting = {str(e.record.get("report_id", "")) for e in self.queue.entries()}
        for local, report in self.queue.open_reports().items():
            if local in waiting:
                continue
            with contextlib.suppress(CollectorUnavailable, Refused):
                self.client.close_report(report)
            self.queue.remember_report(local, None)
