"""The writer's periodic fsync runs on a thread of its own, never on the writing thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from probe.report import jsonl
from probe.report.jsonl import JsonlWriter

RECORD = {"input": "https://a.test/", "test_name": "web_connectivity", "test_keys": {}}


def test_fsync_while_writing_runs_off_the_writing_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(jsonl, "SYNC_INTERVAL", 0.0)
    monkeypatch.setattr(jsonl.os, "fsync", fsync)
    writer = JsonlWriter(tmp_path / "run.jsonl")
    writer.write(RECORD)
    writer.write(RECORD)
    writer.close()  # waits for the background sync, then syncs once more itself
    *background, last = threads
    assert background and all(name.startswith("fsync") for name in background)
    assert last == threading.current_thread().name
    assert len((tmp_path / "run.jsonl").read_text().splitlines()) == 2
