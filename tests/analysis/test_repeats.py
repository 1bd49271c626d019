"""--repeat: the measurements of one input in one report give a blocking rate and a state."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from probe.analysis import RunAnalysis, RunSummary, analyze_run, mark_network
from probe.analysis.repeats import Repeats
from probe.analysis.results import read_results
from probe.report.jsonl import JsonlWriter
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
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "measurements"


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


def test_one_target_measured_many_times_is_not_a_network() -> None:
    """The network is judged unusable on two targets at least: a target the run measured again
    (``--repeat``) counts once, so its repeats cannot make a dead network out of one site."""
    lines = (FIXTURES / "unusable-network.jsonl").read_text("utf-8").splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    one_site = [copy.deepcopy(first) for _ in range(4)]
    _, summary = analyze_run(one_site, OPTIONS)
    assert not summary.network_unusable
    assert summary.repeats == {(first["input"], ""): Repeats(0, 4)}
    _, summary = analyze_run([*one_site, second], OPTIONS)
    assert summary.network_unusable
    assert "all 2 targets failed" in str(summary.reason)


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
