"""A damaged upload queue: each bad file is set aside with its reason, the rest is still sent.

Queue files live on a volunteer's disk for days: a disk error or a hand edit can leave any bytes
in them. None may end in a traceback, and none may keep the good measurements from going out.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from probe.cli.app import app
from probe.report.jsonl import read_jsonl
from probe.upload.queue import UploadQueue

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "measurements"
DAMAGED: dict[str, bytes] = {
    "binary": bytes(range(256)),
    "empty": b"",
    "array": b"[1, 2, 3]",
    "deep": b'{"measurement": ' + b"[" * 100_000 + b"]" * 100_000 + b', "queued": 1}',
    "huge-number": b'{"measurement": {}, "queued": 1' + b"0" * 5000 + b"}",
    "no-measurement": b'{"measurement": 5, "queued": 1}',
    "bad-time": b'{"measurement": {"input": "x"}, "queued": "yesterday"}',
    "torn": b'{"measurement": {"input": "http://a.test/"}, "que',
}


def test_damaged_queue_files_are_set_aside_and_the_good_ones_still_come_out(
    tmp_path: Path,
) -> None:
    queue = UploadQueue(tmp_path, "https://collector.test/")
    good = list(read_jsonl(FIXTURES / "small-run.jsonl"))[:3]
    assert all(queue.add(record) for record in good)
    for name, data in DAMAGED.items():
        (queue.pending / f"{name}.json").write_bytes(data)
    entries = list(queue.entries())
    assert [e.record for e in entries] == good
    assert queue.count() == len(good)
    assert len(queue.problems) == len(DAMAGED)
    for name in DAMAGED:
        [problem] = [p for p in queue.problems if f"/{name}.json: " in p]
        assert "moved to" in problem and len(problem) < 300, problem
        assert (queue.rejected / f"{name}.damaged").read_bytes() == DAMAGED[name]  # kept as is
    assert "nested deeper than" in next(p for p in queue.problems if "/deep.json" in p)


def test_damaged_bookkeeping_files_cost_at_most_a_resend(tmp_path: Path) -> None:
    queue = UploadQueue(tmp_path, "https://collector.test/")
    for damage in (b"\xff\xfe garbage", b"[" * 100_000, b'{"r": {"opened": "x", "report_id": 5}}'):
        (queue.folder / "reports.json").write_bytes(damage)
        (queue.folder / "sent.log").write_bytes(damage)
        again = UploadQueue(tmp_path, "https://collector.test/")
        assert again.report_for("r") is None
        assert again.open_reports() == {}
    queue.remember_report("r", "20260101T000000Z_collector_report")
    assert queue.report_for("r") == "20260101T000000Z_collector_report"
    assert json.loads((queue.folder / "reports.json").read_text())["r"]["report_id"]


def test_probe_upload_names_each_damaged_file_and_keeps_the_rest_queued(tmp_path: Path) -> None:
    collector = "http://127.0.0.1:9/"  # closed: nothing is sent, everything good stays queued
    queue = UploadQueue(tmp_path, collector)
    good = list(read_jsonl(FIXTURES / "small-run.jsonl"))[:2]
    for record in good:
        queue.add(record)
    (queue.pending / "binary.json").write_bytes(DAMAGED["binary"])
    args = ["upload", "--pending", "--collector", collector, "--queue-dir", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--upload-budget", "1"], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "warning: upload: " in result.output and "binary.json: " in result.output
    assert "2 queued for later" in result.output
    assert queue.count() == 2
