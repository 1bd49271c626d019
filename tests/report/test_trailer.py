"""The trailer a finished run appends: readers skip it as a measurement, resume cuts it."""

from __future__ import annotations

import json
from pathlib import Path

from probe.report.jsonl import TRAILER_KEY, JsonlWriter, read_jsonl, read_trailer
from probe.report.resume import recover

MEASUREMENT = {"input": "https://a.test/", "test_name": "web_connectivity", "test_keys": {}}
TRAILER = {"network_unusable": True, "reason": "network unusable", "unusable_step": None}


def _written(path: Path, *, trailer: bool) -> None:
    with JsonlWriter(path) as writer:
        writer.write(MEASUREMENT)
        writer.write({**MEASUREMENT, "input": "https://b.test/"})
        if trailer:
            writer.write_trailer(TRAILER)
            assert writer.count == 2


def test_the_trailer_is_the_last_line_and_no_measurement(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    lines = path.read_text("utf-8").splitlines()
    assert json.loads(lines[-1]) == {TRAILER_KEY: TRAILER}
    assert [m["input"] for m in read_jsonl(path)] == ["https://a.test/", "https://b.test/"]
    assert read_trailer(path) == TRAILER


def test_no_trailer_when_the_run_appended_none(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=False)
    assert read_trailer(path) is None
    (tmp_path / "empty.jsonl").write_text("")
    assert read_trailer(tmp_path / "empty.jsonl") is None


def test_resuming_cuts_the_trailer_and_keeps_every_measurement(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    done = recover(path)
    assert len(done.done) == 2 and done.torn_bytes == 0
    assert read_trailer(path) is None
    assert len(path.read_text("utf-8").splitlines()) == 2
