"""--repeat: the measurements of one input in one report give a blocking rate and a state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from probe.analysis import RunAnalysis, RunSummary, analyze_run, mark_network
from probe.analysis.repeats import Repeats
from probe.analysis.results import read_results
from probe.inputs import Target
from probe.nettests import registry
from probe.report.jsonl import JsonlWriter
from probe.runner import _rounds, jobs_for
from tests.analysis.builders import (
    OPTIONS,
    REAL,
    connect,
    handshake,
    helper,
    measurement,
    page_body,
    query,
    request,
)

URL = "https://www.tumblr.com/"


def ok_measurement() -> dict[str, Any]:
    page = request(URL, f"{REAL}:443", body=page_body("Example Site"))
    page["address"] = f"{REAL}:443"
    return measurement(
        URL,
        queries=[query("www.tumblr.com", [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(f"{REAL}:443", "www.tumblr.com")],
        requests=[page],
        control=helper(tls={f"{REAL}:443": True}),
    )


def reset_measurement() -> dict[str, Any]:
    return measurement(
        URL,
        queries=[query("www.tumblr.com", [REAL])],
        tcp=[connect(REAL, 443)],
        tls=[handshake(f"{REAL}:443", "www.tumblr.com", "connection_reset")],
        control=helper(tls={f"{REAL}:443": True}),
    )


def run(*measurements: dict[str, Any], report: str = "r1") -> list[dict[str, Any]]:
    for m in measurements:
        m["report_id"] = report
    analysed, summary = analyze_run(list(measurements), OPTIONS)
    assert {k[0] for k in summary.repeats} <= {URL}
    return analysed


def test_some_repeats_blocked_is_intermittent_with_its_rate() -> None:
    analysed = run(reset_measurement(), ok_measurement(), reset_measurement(), ok_measurement())
    rates = [m["test_keys"]["x_blocking_rate"] for m in analysed]
    assert rates[0] == {"blocked": 2, "of": 4, "rate": 0.5, "state": "intermittent"}
    assert all(r == rates[0] for r in rates)
    # each measurement keeps its own verdict
    assert [m["test_keys"]["x_technique"] for m in analysed] == ["tls.reset", None] * 2


@pytest.mark.parametrize(
    ("builders", "state"),
    [((reset_measurement,) * 3, "blocked"), ((ok_measurement,) * 3, "not blocked")],
)
def test_always_or_never_blocked(builders: Any, state: str) -> None:
    analysed = run(*(b() for b in builders))
    assert analysed[0]["test_keys"]["x_blocking_rate"]["state"] == state


def test_a_single_measurement_has_no_rate_and_reports_are_kept_apart() -> None:
    one = run(reset_measurement())
    assert "x_blocking_rate" not in one[0]["test_keys"]
    first, second = reset_measurement(), ok_measurement()
    first["report_id"], second["report_id"] = "r1", "r2"
    analysed, summary = analyze_run([first, second], OPTIONS)
    assert summary.repeats == {}
    assert "x_blocking_rate" not in analysed[0]["test_keys"]


def test_summary_lists_the_rate_once_per_target() -> None:
    measurements = [reset_measurement(), ok_measurement(), ok_measurement()]
    for m in measurements:
        m["report_id"] = "r1"
    _, summary = analyze_run(measurements, OPTIONS)
    assert summary.repeats == {(URL, "r1"): Repeats(1, 3)}
    assert summary.as_dict()["repeats"] == [
        {
            "input": URL,
            "report_id": "r1",
            "blocked": 1,
            "of": 3,
            "rate": 0.3333,
            "state": "intermittent",
        }
    ]
    assert Repeats(1, 3).sentence() == "blocked in 1 of 3 (intermittent)"


def test_repeats_come_a_round_of_the_list_apart() -> None:
    web = [registry.get("web_connectivity")]
    targets = [Target(url=u, category_code="NEWS") for u in ("http://a.kz/", "http://b.kz/")]
    jobs = jobs_for(web, targets, 3)
    assert [(j.input, j.repeat) for j in jobs] == [
        (t.url, (i, 3)) for i in (1, 2, 3) for t in targets
    ]
    assert all(j.repeat is None for j in jobs_for(web, targets))
    # one round at a time: a residual or intermittent rule meets each round afresh
    assert [[j.repeat for j in batch] for batch in _rounds(jobs)] == [
        [(i, 3)] * 2 for i in (1, 2, 3)
    ]
    assert len(_rounds(jobs_for(web, targets))) == 1


def test_probe_runs_trailer_carries_the_rates_to_every_reader(tmp_path: Path) -> None:
    source = [reset_measurement(), ok_measurement(), reset_measurement()]
    for m in source:
        m["report_id"] = "r1"
    expected, _ = analyze_run(source, OPTIONS)
    path = tmp_path / "run.jsonl"
    run = RunAnalysis(OPTIONS)
    with JsonlWriter(path) as writer:  # as `probe run` writes: provisional marks, then a trailer
        for measurement in source:
            writer.write(mark_network(run.add(measurement), RunSummary()))
        summary = run.finish()
        assert summary.marks and not summary.network_unusable
        writer.write_trailer(summary.as_dict())
    read = list(read_results(path))
    assert read == expected
    assert read[0]["test_keys"]["x_blocking_rate"]["state"] == "intermittent"
