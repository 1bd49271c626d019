"""Diff classification on fixture pairs that cover every class, through the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analysts.factory import measurement, write_jsonl
from probe.analysts.diff import Change, DiffError, classify, diff_paths
from probe.analysts.loading import MissingVerdictsError, summarize
from probe.cli.diff import diff
from probe.report.jsonl import ResultsError

# target -> (OLD status or None, NEW status or None, expected class)
PAIRS: dict[str, tuple[str | None, str | None, Change]] = {
    "https://a.test/": ("ok", "dns.spoof", Change.NEWLY_BLOCKED),
    "https://b.test/": ("tls.reset", "ok", Change.UNBLOCKED),
    "https://c.test/": ("dns.spoof", "tls.reset", Change.TECHNIQUE_CHANGED),
    "https://d.test/": ("ok", "down", Change.NEWLY_DOWN_OR_UNDETERMINED),
    "https://e.test/": ("tcp.timeout", "undetermined", Change.NEWLY_DOWN_OR_UNDETERMINED),
    "https://f.test/": ("down", "ok", Change.RECOVERED),
    "https://g.test/": ("ok", None, Change.ONLY_IN_OLD),
    "https://h.test/": (None, "tls.mitm", Change.ONLY_IN_NEW),
    "https://i.test/": ("tcp.timeout", "tcp.timeout", Change.STILL_BLOCKED),
    "https://j.test/": ("down", "undetermined", Change.NEWLY_DOWN_OR_UNDETERMINED),
    "https://k.test/": ("undetermined", "undetermined", Change.STILL_DOWN_OR_UNDETERMINED),
    "https://l.test/": ("ok", "ok", Change.STILL_OK),
    "https://m.test/": ("ok", "tls.mitm", Change.NEWLY_BLOCKED),
}


def _pair(tmp_path: Path, new_asn: str = "AS9198") -> tuple[Path, Path]:
    old = write_jsonl(
        tmp_path / "old.jsonl",
        [measurement(t, o) for t, (o, _, _) in PAIRS.items() if o],
    )
    new = write_jsonl(
        tmp_path / "new.jsonl",
        [
            measurement(t, n, asn=new_asn, start="2026-02-01 10:00:00", report_id="new")
            for t, (_, n, _) in PAIRS.items()
            if n
        ],
    )
    return old, new


def _cli(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(diff)
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_every_class_on_fixture_pair(tmp_path: Path) -> None:
    result = diff_paths(*([p] for p in _pair(tmp_path)))
    got = {row.input: row.change for row in result.rows}
    assert got == {target: expected for target, (_, _, expected) in PAIRS.items()}
    # the intermittent classes need a target measured more than once: tests/analysts/test_repeats
    repeated = {Change.NEWLY_INTERMITTENT, Change.STILL_INTERMITTENT}
    assert set(got.values()) == set(Change) - repeated
    assert result.changed
    assert not result.across_networks


def test_changes_come_first(tmp_path: Path) -> None:
    rows = diff_paths(*([p] for p in _pair(tmp_path))).rows
    flags = [row.change.is_change for row in rows]
    assert flags == sorted(flags, reverse=True)
    assert rows[0].change is Change.NEWLY_BLOCKED


def test_rows_carry_evidence_of_both_sides(tmp_path: Path) -> None:
    rows = {r.input: r for r in diff_paths(*([p] for p in _pair(tmp_path))).rows}
    mitm = rows["https://m.test/"]
    assert mitm.old is not None and mitm.new is not None
    assert mitm.new.mitm_root == "Security Certificate"
    assert mitm.new.failing_step == "tls: ssl_unknown_authority"
    assert mitm.old.failing_step is None
    technique = rows["https://c.test/"]
    assert technique.old is not None and technique.new is not None
    assert technique.old.resolved_ips == ("203.0.113.10",)
    assert (technique.old.status, technique.new.status) == (
        "blocked dns.spoof",
        "blocked tls.reset",
    )


def test_blocking_type_stands_in_for_a_missing_technique() -> None:
    path = Path("x.jsonl")
    base = measurement("https://a.test/", "tls.reset")
    other = measurement("https://a.test/", "tls.reset")
    base["test_keys"]["x_technique"] = other["test_keys"]["x_technique"] = None
    other["test_keys"]["blocking"] = "dns"
    assert classify(summarize(base, path), summarize(base, path)) is Change.STILL_BLOCKED
    assert classify(summarize(base, path), summarize(other, path)) is Change.TECHNIQUE_CHANGED


def test_latest_measurement_of_a_folder_stands(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    write_jsonl(folder / "1.jsonl", [measurement("https://a.test/", "dns.spoof")])
    write_jsonl(
        folder / "2.jsonl",
        [measurement("https://a.test/", "ok", start="2026-03-01 00:00:00", report_id="r2")],
    )
    old = write_jsonl(tmp_path / "old.jsonl", [measurement("https://a.test/", "ok")])
    result = diff_paths([old], [folder])
    assert [row.change for row in result.rows] == [Change.STILL_OK]
    assert len(result.new.runs) == 2


def test_unchanged_runs_are_not_a_change(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/", "tcp.timeout")])
    new = write_jsonl(tmp_path / "b.jsonl", [measurement("https://a.test/", "tcp.timeout")])
    assert not diff_paths([old], [new]).changed
    code, output = _cli(str(old), str(new))
    assert code == 0
    assert "still blocked" in output


def test_different_lists_are_refused(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/")])
    new = write_jsonl(tmp_path / "b.jsonl", [measurement("https://a.test/", list_name="global")])
    with pytest.raises(DiffError, match="list kz and NEW measured list global"):
        diff_paths([old], [new])


def test_nothing_in_common_is_refused(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/")])
    new = write_jsonl(tmp_path / "b.jsonl", [measurement("https://b.test/")])
    with pytest.raises(DiffError, match="no target"):
        diff_paths([old], [new])


def test_files_without_verdicts_ask_for_probe_analyze(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/", verdicts=False)])
    with pytest.raises(MissingVerdictsError, match="run `probe analyze"):
        diff_paths([old], [old])


def test_files_that_are_not_measurements_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"hello": 1}\n')
    good = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/")])
    with pytest.raises(ResultsError, match=r"junk.jsonl:1: not a measurement"):
        diff_paths([good], [junk])
    code, output = _cli(str(good), str(junk))
    assert code == 2
    assert "not a measurement" in output


def test_cli_exit_status_json_and_filters(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    code, output = _cli(str(old), str(new), "--json")
    assert code == 1
    data = json.loads(output)
    assert data["changed"] is True
    assert data["counts"]["newly blocked"] == 2
    assert len(data["rows"]) == len(PAIRS)
    row = next(r for r in data["rows"] if r["input"] == "https://h.test/")
    assert row["old"] is None and row["new"]["mitm_root"] == "Security Certificate"

    code, output = _cli(str(old), str(new), "--json", "--only-changes")
    changes = {r["change"] for r in json.loads(output)["rows"]}
    assert "still ok" not in changes and "newly blocked" in changes

    code, output = _cli(str(old), str(new), "--json", "--category", "NONE")
    assert code == 0
    assert json.loads(output)["rows"] == []


def test_cli_table_frames_two_networks_as_isp_against_isp(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, new_asn="AS21299")
    code, output = _cli(str(old), str(new), "--only-changes")
    assert code == 1
    assert "ISP against ISP" in output and "AS9198" in output and "AS21299" in output
    assert "│ newly blocked" in output and "│ still ok" not in output
    assert "mitm root: Security Certificate" in output
    assert "failed at tls: connection_reset" in output


def test_cli_table_is_capped_by_max_rows(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    code, output = _cli(str(old), str(new), "--max-rows", "2")
    assert code == 1
    assert output.count("│ newly blocked") == 2 and "unblocked" not in output.split("┏")[1]
    assert f"{len(PAIRS) - 2} more rows not shown" in output


def test_unusable_network_is_reported_in_the_header(tmp_path: Path) -> None:
    record = measurement("https://a.test/", "undetermined")
    record["test_keys"]["x_network_unusable"] = True
    old = write_jsonl(tmp_path / "a.jsonl", [measurement("https://a.test/")])
    new = write_jsonl(tmp_path / "b.jsonl", [record])
    code, output = _cli(str(old), str(new))
    assert code == 1
    assert "NEW: 1 target," in output and "(1 run on an unusable network)" in output
    code, output = _cli(str(old), str(new), "--json")
    assert json.loads(output)["new"]["runs"][0]["network_unusable"] is True
