"""Trailers: readers skip them as measurements; each closes its part, and resume keeps them."""

from __future__ import annotations

import json
from pathlib import Path

from probe.report.jsonl import TRAILER_KEY, JsonlWriter, read_jsonl, rewrite, trailers
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


def test_the_trailer_is_a_line_and_no_measurement(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    lines = path.read_text("utf-8").splitlines()
    assert json.loads(lines[-1]) == {TRAILER_KEY: TRAILER}
    assert [m["input"] for m in read_jsonl(path)] == ["https://a.test/", "https://b.test/"]
    assert trailers(path) == [(3, TRAILER)]


def test_no_trailer_when_the_run_appended_none(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=False)
    assert trailers(path) == []
    (tmp_path / "empty.jsonl").write_text("")
    assert trailers(tmp_path / "empty.jsonl") == []


def test_every_trailer_is_found_where_it_stands_and_garbage_ones_are_empty(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.jsonl"
    body = {**MEASUREMENT, "test_keys": {"body": '{"x_run_trailer": 1}'}}  # names it, is none
    lines = [MEASUREMENT, {TRAILER_KEY: TRAILER}, body, {TRAILER_KEY: [1, 2]}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"x_run_trailer": tor')
    assert trailers(path) == [(2, TRAILER), (4, {})]


def test_resuming_keeps_the_trailer_and_every_measurement(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    before = path.read_bytes()
    done = recover(path)
    assert len(done.done) == 2 and done.torn_bytes == 0
    assert (done.last_trailer, done.unjudged) == (3, 0)
    assert path.read_bytes() == before


def test_resume_counts_the_measurements_no_trailer_judged(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    with JsonlWriter(path) as writer:
        writer.write({**MEASUREMENT, "input": "https://c.test/"})
    done = recover(path)
    assert (done.last_trailer, done.unjudged, len(done.done)) == (3, 1, 3)


def test_a_rewrite_keeps_each_trailer_in_its_place(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _written(path, trailer=True)
    with JsonlWriter(path) as writer:
        writer.write({**MEASUREMENT, "input": "https://c.test/"})
    rewrite(path, lambda record: record)
    assert trailers(path) == [(3, TRAILER)]
    assert len(list(read_jsonl(path))) == 3
