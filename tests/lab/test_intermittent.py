"""The shipped ``intermittent`` scenario checked as a volunteer would: `probe lab check` runs
`probe run --repeat 6` on an sni-reset at probability 0.5, and expects the target blocked in
some but not all of its measurements.

The target is measured again only because its first measurement was not ok; its repeats are
on lines of their own in the same report, a gap apart; the check's verdict, and `probe analyze`
recomputing the rate from the lines, agree with what the lines say.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conformance.checks import file_mismatches, load_with_oonidata
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.app import app

pytestmark = [pytest.mark.lab, needs_root]
TARGET = "https://www.torproject.org/"
CONTROL = "https://www.example.org/"
REPEAT = 6


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if '"test_keys"' in line]


def test_the_intermittent_scenario_is_blocked_in_some_not_all_measurements(
    tmp_path: Path,
) -> None:
    out = tmp_path / "check.jsonl"
    result = CliRunner().invoke(app, ["lab", "check", "intermittent", "--output", str(out)],
                                env={"COLUMNS": "200"})  # fmt: skip
    lines = _lines(out)
    target = [m for m in lines if m["input"] == TARGET]
    assert [m["input"] for m in lines].count(CONTROL) == 1  # ok: never measured again
    first, *repeats = target
    assert "x_repeat" not in first["test_keys"]
    assert first["test_keys"]["blocking"] is not False  # why it was measured again
    assert [m["test_keys"]["x_repeat"] for m in repeats] == [
        {"repeat": n, "of": REPEAT} for n in range(1, REPEAT + 1)
    ]
    assert {m["report_id"] for m in lines} == {first["report_id"]}
    starts = [datetime.fromisoformat(m["measurement_start_time"]) for m in target]
    assert starts == sorted(starts) and (starts[-1] - starts[0]).total_seconds() >= REPEAT - 1
    blocked = sum(m["test_keys"]["x_technique"] == "tls.reset" for m in target)
    assert {m["test_keys"]["x_technique"] for m in target} <= {"tls.reset", None}
    rate = {"blocked": blocked, "of": REPEAT + 1, "rate": round(blocked / (REPEAT + 1), 4)}
    rate["state"] = "intermittent" if blocked < REPEAT + 1 else "blocked"
    assert [m["test_keys"]["x_blocking_rate"] for m in target] == [rate] * (REPEAT + 1)
    # all seven blocked (1 in 64 with a fair coin) is the one way the check may fail
    assert result.exit_code == (0 if rate["state"] == "intermittent" else 1), result.output
    assert f"{rate['state']} (blocked in {blocked} of {REPEAT + 1})" in result.output

    again = tmp_path / "analysed.jsonl"
    analysed = CliRunner().invoke(app, ["analyze", str(out), "--output", str(again)])
    assert analysed.exit_code == 0, analysed.output
    recomputed = [m for m in _lines(again) if m["input"] == TARGET]
    assert [m["test_keys"]["x_blocking_rate"] for m in recomputed] == [rate] * (REPEAT + 1)
    said = f"{TARGET}: blocked in {blocked} of {REPEAT + 1} measurements ({rate['state']})"
    assert said in analysed.output
    # one line per measurement, as OONI's own tools read them (last: skips without
    # their venv)
    assert file_mismatches(out) == []
    assert load_with_oonidata(out) == {"loaded": len(lines), "failures": []}
