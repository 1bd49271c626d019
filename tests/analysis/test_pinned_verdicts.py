"""Files written before a change keep their verdicts: ``probe analyze`` against a pinned sample.

``tests/fixtures/pinned/verdicts.json`` holds what the analysis gave each sample file before the
pipeline moved out of the CLI (OONI measurements, a synthetic run, an unusable network and
loopback runs of web_connectivity, tor and a test without analysis). ``loopback-apps.jsonl`` was
written on loopback by probe at 9c4dc50, before the backend seam and before the app tests' OONI
keys moved from the nettests to ``probe.analysis.app_keys``; its entry is what that probe's
``probe analyze`` gave. Regenerate the file only for an intended verdict change, and say so in the
commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probe.analysis import ANALYSIS_KEYS, OptionFlags, RunAnalysis
from probe.analysis.app_keys import summary_keys
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


def test_the_app_keys_old_nettests_wrote_are_derived_again_from_their_observations() -> None:
    """Those nettests computed ``whatsapp_endpoints_status``, ``telegram_tcp_blocking``…
    themselves; the analysis now derives them from the stored observations alone."""
    apps = list(read_jsonl(FIXTURES / "pinned" / "loopback-apps.jsonl"))
    compared = 0
    for measurement in apps:
        stored = measurement["test_keys"]
        derived = summary_keys(measurement["test_name"], stored)
        observations = {k: v for k, v in stored.items() if k not in derived}
        again = summary_keys(measurement["test_name"], observations)
        assert again == {k: stored[k] for k in derived}, measurement["test_name"]
        compared += len(again)
    assert compared > 20  # every app but tor has its own keys
