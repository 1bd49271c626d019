"""Every shipped scenario's [[expect]] entries hold under `probe lab check`, end to end.

This is the acceptance test of the analysis: real servers, real censor rules, the real control
helper, and the verdicts the probe writes. A failing row names the scenario, URL and key.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.lab import lab_app
from probe.lab import check as checking
from probe.lab import scenario

pytestmark = [pytest.mark.lab, needs_root]
# Until the analysis names the address for a reset the neutral name met too (the verdicts
# branch, with probe/analysis/vocabulary.py), this scenario must fail; once merged, it must pass.
# Remove this bridge after that merge.
_AWAITS_ADDRESS_VERDICTS = importlib.util.find_spec("probe.analysis.vocabulary") is None


def _case(name: str) -> Any:
    if name == "neutral-fails-too" and _AWAITS_ADDRESS_VERDICTS:
        reason = "needs blocking tcp_ip / ip.reset from the verdicts branch"
        return pytest.param(name, marks=pytest.mark.xfail(reason=reason, strict=True))
    return name


@pytest.mark.parametrize("name", [_case(n) for n in sorted(scenario.shipped())])
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
