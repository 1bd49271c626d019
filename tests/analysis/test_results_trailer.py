"""Readers apply a run's trailer: the file is written once, the verdicts are the final ones."""

from __future__ import annotations

import json
from pathlib import Path

from probe.analysis import RunAnalysis, RunSummary, analyze_run, combined, mark_network
from probe.analysis.results import read_results, summarise_parts
from probe.report.jsonl import JsonlWriter, read_jsonl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "measurements"


def test_the_trailer_marks_what_a_rewrite_used_to(tmp_path: Path) -> None:
    source = list(read_jsonl(FIXTURES / "unusable-network.jsonl"))
    expected, summary = analyze_run(source)
    assert summary.network_unusable
    path = tmp_path / "run.jsonl"
    run = RunAnalysis()
    with JsonlWriter(path) as writer:  # as `probe run` writes: provisional marks, then a trailer
        for measurement in source:
            writer.write(mark_network(run.add(measurement), RunSummary()))
        writer.write_trailer(run.finish().as_dict())
    written = [json.loads(line) for line in path.read_text("utf-8").splitlines()[:-1]]
    assert all(m["test_keys"]["x_network_unusable"] is False for m in written)
    assert list(read_results(path)) == expected


def test_without_a_trailer_the_lines_are_read_as_written(tmp_path: Path) -> None:
    path = FIXTURES / "small-run.jsonl"
    assert list(read_results(path)) == list(read_jsonl(path))


def test_each_trailer_marks_only_its_own_part(tmp_path: Path) -> None:
    """A sitting on a dead network, resumed on a working one, then dead again: each part is
    marked by its own trailer only (what probe run --resume writes)."""
    dead = list(read_jsonl(FIXTURES / "unusable-network.jsonl"))
    alive = list(read_jsonl(FIXTURES / "small-run.jsonl"))
    path = tmp_path / "run.jsonl"
    parts = [dead, alive, dead]
    with JsonlWriter(path) as writer:
        for number, part in enumerate(parts):
            run = RunAnalysis()
            for measurement in part:
                writer.write(mark_network(run.add(measurement), RunSummary()))
            if number < len(parts) - 1 or run.finish().network_unusable:
                writer.write_trailer(run.finish().as_dict())
    marks = [m["test_keys"]["x_network_unusable"] for m in read_results(path)]
    assert marks == [True] * len(dead) + [False] * len(alive) + [True] * len(dead)
    summaries = summarise_parts(path)
    assert [s.network_unusable for s in summaries] == [True, False, True, False]
    shown = combined(summaries)
    assert shown.total == sum(s.total for s in summaries)
    assert shown.reason is not None and shown.reason.startswith("part 1: network unusable")
    assert "part 3: network unusable" in shown.reason
