"""`probe run --repeat` on loopback: the target that was not ok is measured again, each time on
its own line of the same report, and the summary, `probe analyze` and `probe report` give its
blocking rate from the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import PKI

from cli.test_run import lab, probe_env, run_probe

__all__ = ["lab"]  # the fixture, shared with test_run

REPEAT = 2
GAP = 1.0


def test_repeat_measures_again_only_what_was_not_ok(
    lab: dict[str, Any], pki: PKI, tmp_path: Path
) -> None:
    fine, reset = lab["urls"][0], lab["urls"][3]
    out = tmp_path / "out.jsonl"
    args = ["run", "--url", fine, "--url", reset, "--output", str(out), "--no-system-dns"]
    args += ["--timeout-tls", "2", "--repeat", str(REPEAT), "--repeat-gap", str(GAP)]
    result = run_probe(args, probe_env(pki, lab["resolver"]), tmp_path)
    assert result.returncode == 0, result.stderr
    *lines, trailer = [json.loads(line) for line in out.read_text().splitlines()]
    by_input: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_input.setdefault(line["input"], []).append(line["test_keys"])
    assert [k.get("x_repeat") for k in by_input[fine]] == [None]  # ok: measured once
    assert [k.get("x_repeat") for k in by_input[reset]] == [
        None,
        *({"repeat": n, "of": REPEAT} for n in range(1, REPEAT + 1)),
    ]
    assert {line["report_id"] for line in lines} == {lines[0]["report_id"]}
    # without a control a reset is undetermined: blocked in none of its three measurements
    [row] = trailer["x_run_trailer"]["repeats"]
    assert (row["input"], row["blocked"], row["of"], row["state"]) == (reset, 0, 3, "not blocked")
    said = f"{reset}: blocked in 0 of 3 measurements (not blocked)"
    assert said in result.stdout
    # one table row per target (its first measurement's, with the rate), then the rate line
    assert result.stdout.count(reset) == 2
    row = next(line for line in result.stdout.splitlines() if reset in line and said not in line)
    assert "blocked in 0 of 3 measurements (not blocked)" in row
    assert "3 of 3 measured" not in result.stdout and "4 of 4 measured" in result.stdout

    analysed = run_probe(["analyze", str(out)], probe_env(pki, lab["resolver"]), tmp_path)
    assert analysed.returncode == 0, analysed.stderr
    assert said in analysed.stdout

    report = run_probe(["report", str(out)], probe_env(pki, lab["resolver"]), tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Blocking rate" in report.stdout
    assert "blocked in 0 of 3 measurements" in report.stdout
