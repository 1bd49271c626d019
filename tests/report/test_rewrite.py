"""Scrubbing a results file again, in place, for an address learned after lines were written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from probe.report.jsonl import JsonlWriter, ResultsError, rewrite
from probe.report.scrub import Scrubber

LATE = "203.0.113.77"


def _write(path: Path, bodies: list[str]) -> None:
    with JsonlWriter(path) as writer:
        for body in bodies:
            writer.write({"input": body, "test_keys": {"body": body}})


def test_earlier_lines_lose_an_address_learned_later(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _write(path, [f"you are {LATE}", "nothing here", f"hex 0x{0xCB00714D:08x}"])
    path.chmod(0o640)
    rewrite(path, Scrubber([LATE]))
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["test_keys"]["body"] for r in records] == [
        "you are [scrubbed]",
        "nothing here",
        "hex [scrubbed]",
    ]
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["run.jsonl"]  # no temporary left


def test_a_damaged_file_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    _write(path, [f"you are {LATE}"])
    with path.open("a") as handle:
        handle.write("not json\n")
    before = path.read_bytes()
    with pytest.raises(ResultsError, match=r"run.jsonl:2"):
        rewrite(path, Scrubber([LATE]))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.jsonl"]
