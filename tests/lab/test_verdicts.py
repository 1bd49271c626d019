"""Every shipped scenario's [[expect]] entries hold under `probe lab check`, end to end.

This is the acceptance test of the analysis: real servers, real censor rules, the real control
helper, and the verdicts the probe writes. A failing row names the scenario, URL and key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conformance.checks import file_mismatches, load_with_oonidata
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.lab import lab_app
from probe.lab import check as checking
from probe.lab import scenario

pytestmark = [pytest.mark.lab, needs_root]


CHANCE = {"intermittent"}
"""Scenarios whose check fails by chance now and then (seven fair coins that all land blocked,
1 in 64): tests/lab/test_intermittent.py checks that the check then says so."""


@pytest.mark.parametrize("name", sorted(set(scenario.shipped()) - CHANCE))
def test_shipped_scenario_expectations_all_pass(name: str, tmp_path: Path) -> None:
    out = tmp_path / "check.jsonl"
    result = CliRunner().invoke(lab_app, ["check", name, "--output", str(out)])
    expects = scenario.load(scenario.shipped()[name]).expects
    measurements = [json.loads(line) for line in out.read_text().splitlines()]
    failed = [
        f"{row.url} {row.key}: expected {row.expected}, measured {row.measured}"
        for row in checking.compare(expects, checking.index(measurements))
        if not row.ok
    ]
    assert not failed, f"{name}: " + "; ".join(failed)
    assert result.exit_code == 0, result.output
    # What the lab measured is what OONI's tools read (tests/conformance, docs/conformance.md).
    assert file_mismatches(out) == [], name
    loaded = load_with_oonidata(out)
    assert loaded == {"loaded": len([m for m in measurements if "test_keys" in m]), "failures": []}
