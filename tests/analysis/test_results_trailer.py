"""Readers apply a run's trailer: the file is written once, the verdicts are the final ones."""

from __future__ import annotations

import json
from pathlib import Path

from probe.analysis import RunAnalysis, RunSummary, analyze_run, mark_network
from probe.analysis.results import read_results
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
