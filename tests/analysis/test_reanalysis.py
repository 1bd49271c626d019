"""Per-test analysis, and re-analysis as a pure function of the file: stored options, overrides."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from analysis.builders import LAB, OPTIONS, REAL, Json, connect, helper, measurement, query
from probe.analysis import (
    OPTIONS_KEY,
    AnalysisOptions,
    OptionFlags,
    analyze_measurement,
    analyze_run,
    merge,
)
from probe.analysis.per_test import judge_of
from probe.cli.analyze import analyze
from probe.nettests.registry import nettests

HOST = "www.tumblr.com"


def _dropped(host: str = HOST) -> Json:
    return measurement(
        f"http://{host}/",
        queries=[query(host, [REAL])],
        tcp=[connect(REAL, 80, "generic_timeout_error")],
        control=helper(tcp={f"{REAL}:80": True}),
    )


def _dns_injection(host: str) -> Json:
    return {
        "input": f"http://{host}/",
        "test_name": "dns_injection",
        "test_keys": {"x_dns_duplicate_responses": [], "queries": []},
    }


def test_the_table_names_registered_tests_and_no_test_borrows_the_web_rules() -> None:
    assert [name for name in nettests() if judge_of(name) is None] == ["dns_injection"]
    assert judge_of("verdict") is None  # an analysis module that judges no test
    assert judge_of("../tor") is None and judge_of("no_such_test") is None


def test_a_test_without_analysis_is_undetermined_and_not_an_unusable_network() -> None:
    analysed, summary = analyze_run([_dns_injection(f"s{i}.example") for i in range(3)], OPTIONS)
    assert not summary.network_unusable and summary.total == 0
    assert summary.unanalysed == {"dns_injection": 3}
    for m in analysed:
        keys = m["test_keys"]
        assert (keys["x_blocking"], keys["x_accessible"], keys["x_technique"]) == (None, None, None)
        assert keys["x_detail"] == "no analysis for dns_injection"
        assert keys["x_network_unusable"] is False


def test_the_run_stores_its_options_and_analyze_reuses_them() -> None:
    run = merge(_dropped(), analyze_measurement(_dropped(), OPTIONS))
    assert run["test_keys"][OPTIONS_KEY] == {"bogon_exempt": list(LAB), "interception_roots": []}
    stored = json.loads(json.dumps(run))
    assert analyze_measurement(stored) == analyze_measurement(stored, OPTIONS)
    assert analyze_measurement(stored)["x_technique"] == "tcp.timeout"
    # A flag overrides the stored value: without the exemption the lab address is a bogon.
    overridden = analyze_measurement(stored, OptionFlags(bogon_exempt=()))
    assert overridden["x_technique"] is None
    assert overridden[OPTIONS_KEY] == {"bogon_exempt": [], "interception_roots": []}


def test_a_file_without_options_says_so() -> None:
    old = _dropped()
    analysed, summary = analyze_run([old, _dropped("b.example")])
    assert analysed[0]["test_keys"][OPTIONS_KEY] is None
    assert summary.notes and "do not record the analysis options" in summary.notes[0]
    _, given = analyze_run([old], OptionFlags(bogon_exempt=LAB, extra_roots=()))
    assert given.notes == []
    assert AnalysisOptions.from_record({"bogon_exempt": "junk"}) is None


def test_analyze_warns_about_a_file_without_options(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(analyze)
    app.callback()(lambda: None)
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(json.dumps(_dropped()) + "\n", encoding="utf-8")
    new.write_text(
        json.dumps(merge(_dropped(), analyze_measurement(_dropped(), OPTIONS))) + "\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    warned = runner.invoke(app, ["analyze", str(old)])
    assert warned.exit_code == 0 and "warning:" in warned.output
    assert "--bogon-exempt" in " ".join(warned.output.split())
    told = runner.invoke(
        app, ["analyze", str(old), "--bogon-exempt", "", "--interception-roots", ""]
    )
    assert told.exit_code == 0 and "warning" not in told.output
    clean = runner.invoke(app, ["analyze", str(new)])
    assert clean.exit_code == 0 and "warning" not in clean.output
    assert "tcp.timeout" in clean.output
