from __future__ import annotations

import json
from pathlib import Path

import pytest

from probe.report.jsonl import ResultsError
from probe.report.resume import recover


def line(url: str, report_id: str = "r1") -> str:
    record = {
        "input": url,
        "test_name": "web_connectivity",
        "report_id": report_id,
        "test_start_time": "2026-11-27 03:00:00",
        "test_keys": {},
    }
    return json.dumps(record) + "\n"


def test_missing_file_means_nothing_done(tmp_path: Path) -> None:
    assert recover(tmp_path / "none.jsonl").done == set()


def test_intact_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line("https://a.test/") + line("https://b.test/"))
    before = path.read_bytes()
    got = recover(path)
    assert got.done == {
        ("web_connectivity", "https://a.test/"),
        ("web_connectivity", "https://b.test/"),
    }
    assert got.report_ids == {"web_connectivity": "r1"}
    assert got.test_start_time is not None and got.test_start_time.hour == 3
    assert (got.torn_bytes, got.torn_line) == (0, 0)
    assert path.read_bytes() == before


def test_torn_tail_is_reported_and_cut(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    whole = line("https://a.test/")
    path.write_text(whole + line("https://b.test/")[:25])
    got = recover(path)
    assert got.done == {("web_connectivity", "https://a.test/")}
    assert (got.torn_bytes, got.torn_line) == (25, 2)
    assert path.read_text() == whole
    assert all(json.loads(x) for x in path.read_text().splitlines())


@pytest.mark.parametrize(
    "last",
    [
        '{"input": "https://b.te\n',
        "[1,2,3]\n",
        "[" * 100_000 + "\n",
        '{"input": "x", "test_name": "t", "test_keys": {}, "test_start_time": 5}\n',
        '{"input": "x", "test_keys": {}}\n',
    ],
    ids=["unterminated-json", "array", "deep", "time-not-text", "no-test-name"],
)
def test_complete_last_line_that_is_no_measurement_is_an_error(tmp_path: Path, last: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line("https://a.test/") + last)
    before = path.read_bytes()
    with pytest.raises(ResultsError, match=r"r\.jsonl:2: .*nothing changed"):
        recover(path)
    assert path.read_bytes() == before


def test_corrupt_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line("https://a.test/") + "garbage\n" + line("https://c.test/"))
    with pytest.raises(ResultsError, match=r"r\.jsonl:2: "):
        recover(path)
