"""--repeat in the analyst tools: `probe diff` has an intermittent state, `probe report` a
blocking rate per target, both grouping one run's measurements of an input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysts.factory import measurement, write_jsonl
from probe.analysis.repeats import Repeats
from probe.analysts.diff import Change, diff_paths
from probe.analysts.outcomes import Outcome
from probe.analysts.summary import summarize_runs
from probe.cli.app import app

URL = "https://www.torproject.org/"
OTHER = "https://news.kz/"


def run_file(path: Path, statuses: list[str], run: str) -> Path:
    """One run (one report id) that measured URL once per status, a second apart, and OTHER."""
    report = f"20260101T1{run}0000Z_webconnectivity_KZ_9198_n1_{run * 4}"
    lines = [
        measurement(URL, status, report_id=report, start=f"2026-01-01 1{run}:00:0{n}")
        for n, status in enumerate(statuses)
    ]
    lines.append(measurement(OTHER, "ok", report_id=report, start=f"2026-01-01 1{run}:00:00"))
    return write_jsonl(path, lines)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        (["tls.reset"] * 3, ["tls.reset", "ok", "tls.reset"], Change.NEWLY_INTERMITTENT),
        (["tls.reset", "ok", "ok"], ["tls.reset"] * 3, Change.NEWLY_BLOCKED),
        (["tls.reset", "ok", "ok"], ["ok"], Change.UNBLOCKED),
        (["ok"], ["down", "tls.reset", "down"], Change.NEWLY_INTERMITTENT),
        (["tls.reset", "ok"], ["ok", "tls.reset", "tls.reset"], Change.STILL_INTERMITTENT),
        (["tls.reset"] * 3, ["tls.reset"], Change.STILL_BLOCKED),
    ],
)
def test_diff_tells_always_from_sometimes_blocked(
    tmp_path: Path, old: list[str], new: list[str], change: Change
) -> None:
    before = run_file(tmp_path / "old.jsonl", old, "0")
    after = run_file(tmp_path / "new.jsonl", new, "1")
    rows = {row.input: row for row in diff_paths([before], [after]).rows}
    assert rows[URL].change is change
    assert rows[OTHER].change is Change.STILL_OK
    code, output = invoke("diff", str(before), str(after), "--json")
    assert code == int(change.is_change), output
    row = next(r for r in json.loads(output)["rows"] if r["input"] == URL)
    assert row["change"] == str(change)
    blocked = sum(s != "ok" and s != "down" for s in new)
    assert row["new"]["repeats"] == (
        Repeats(blocked, len(new)).as_record() if len(new) > 1 else None
    )
    intermittent = 0 < blocked < len(new)
    assert (row["new"]["status"] == "intermittent") is intermittent
    if intermittent:  # the evidence shown is that of a blocked measurement
        assert row["new"]["technique"] == "tls.reset"


def test_diff_table_shows_the_rate_and_the_state(tmp_path: Path) -> None:
    before = run_file(tmp_path / "old.jsonl", ["tls.reset"] * 3, "0")
    after = run_file(tmp_path / "new.jsonl", ["tls.reset", "ok", "ok"], "1")
    code, output = invoke("diff", str(before), str(after))
    assert code == 1
    assert "newly intermittent: 1" in output
    assert "blocked in 3 of 3 measurements (blocked)" in output
    assert "blocked in 1 of 3 measurements (intermittent)" in output


def test_report_gives_each_repeated_target_its_rate(tmp_path: Path) -> None:
    path = run_file(tmp_path / "run.jsonl", ["tls.reset", "ok", "tls.reset", "ok", "ok"], "0")
    code, output = invoke("report", str(path))
    assert code == 0, output
    assert "Blocking rate" in output
    rate_lines = [line for line in output.splitlines() if "blocked in" in line]
    assert len(rate_lines) == 1  # OTHER was measured once: no rate
    assert URL in rate_lines[0] and "blocked in 2 of 5 measurements (intermittent)" in rate_lines[0]
    html = tmp_path / "report.html"
    code, output = invoke("report", str(path), "--html", str(html))
    assert code == 0, output
    page = html.read_text("utf-8")
    assert "Blocking rate" in page and "blocked in 2 of 5 measurements (intermittent)" in page


def test_report_without_repeats_has_no_rate_table(tmp_path: Path) -> None:
    path = run_file(tmp_path / "run.jsonl", ["tls.reset"], "0")
    code, output = invoke("report", str(path))
    assert code == 0 and "Blocking rate" not in output


def test_a_run_that_blocked_a_target_sometimes_shows_it_blocked_in_the_timeline(
    tmp_path: Path,
) -> None:
    """The timeline's cell is blocked when any measurement of that run was, whatever came last."""
    before = run_file(tmp_path / "old.jsonl", ["ok"], "0")
    after = run_file(tmp_path / "new.jsonl", ["tls.reset", "ok"], "1")
    summary = summarize_runs([before, after])
    cells = summary.timeline[URL]
    assert sorted(cells.values()) == sorted([Outcome.OK, Outcome.BLOCKED])
    assert summary.changing_targets(10)[0] == [URL]
