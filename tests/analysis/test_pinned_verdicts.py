"""Files written before a change keep their verdicts: ``probe analyze`` against a pinned sample.

``tests/fixtures/pinned/verdicts.json`` holds what the analysis gave each sample file before the
pipeline moved out of the CLI (OONI measurements, a synthetic run, an unusable network and
loopback runs of web_connectivity, tor and a test without analysis). Regenerate it only for an
intended verdict change, and say so in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probe.analysis import ANALYSIS_KEYS, OptionFlags, RunAnalysis
from probe.cli.app import app
from probe.report.jsonl import read_jsonl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PINNED: dict[str, Any] = json.loads((FIXTURES / "pinned" / "verdicts.json").read_text("utf-8"))


@pytest.mark.parametrize("sample", sorted(PINNED))
def test_analyze_gives_the_pinned_verdicts(sample: str, tmp_path: Path) -> None:
    out = tmp_path / "analysed.jsonl"
    result = CliRunner().invoke(app, ["analyze", str(FIXTURES / sample), "--output", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    measurements = [m for m in lines if "test_keys" in m]
    verdicts = [
        {k: m["test_keys"][k] for k in ANALYSIS_KEYS if k in m["test_keys"]} for m in measurements
    ]
    assert verdicts == PINNED[sample]["verdicts"]


@pytest.mark.parametrize("sample", sorted(PINNED))
def test_the_run_summary_is_the_pinned_one(sample: str) -> None:
    run = RunAnalysis(OptionFlags())
    for measurement in read_jsonl(FIXTURES / sample):
        run.add(measurement)
    assert run.finish().as_dict() == PINNED[sample]["summary"]
