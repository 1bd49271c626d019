"""Run level: the unusable-network verdict, the summary, and re-analysis being idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.builders import OPTIONS, REAL, Json, connect, helper, measurement, query
from probe.analysis import ANALYSIS_KEYS, analyze_measurement, analyze_run, merge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "measurements"


def _load(name: str) -> list[Json]:
    return [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]


def test_every_target_failing_alike_without_control_is_an_unusable_network() -> None:
    analysed, summary = analyze_run(_load("unusable-network.jsonl"), OPTIONS)
    assert summary.network_unusable and summary.undetermined == summary.total == 3
    assert "dns step (generic_timeout_error)" in str(summary.reason)
    for m in analysed:
        keys = m["test_keys"]
        assert keys["x_network_unusable"] is True
        assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (None, None, None)
        assert keys["x_detail"] == summary.reason


def test_one_reachable_control_means_the_network_works() -> None:
    runs = _load("unusable-network.jsonl")
    runs[0]["test_keys"]["control"] = helper()
    runs[0]["test_keys"]["control_failure"] = None
    analysed, summary = analyze_run(runs, OPTIONS)
    assert not summary.network_unusable
    assert all(m["test_keys"]["x_network_unusable"] is False for m in analysed)
    assert analysed[0]["test_keys"]["x_technique"] == "dns.timeout"


def test_targets_failing_differently_are_not_an_unusable_network() -> None:
    runs = _load("unusable-network.jsonl")
    runs[1]["test_keys"]["queries"] = [query("b.example", [REAL])]
    runs[1]["test_keys"]["tcp_connect"] = [connect(REAL, 80, "connection_refused")]
    assert not analyze_run(runs, OPTIONS)[1].network_unusable


def test_a_single_failing_target_is_not_a_verdict_on_the_network() -> None:
    assert not analyze_run(_load("unusable-network.jsonl")[:1], OPTIONS)[1].network_unusable


def test_summary_groups_blocked_by_technique() -> None:
    _, summary = analyze_run(_load("small-run.jsonl"), OPTIONS)
    assert summary.as_dict() | {"analysis_version": "-"} == {
        "total": 5,
        "ok": 1,
        "down": 1,
        "undetermined": 1,
        "blocked": {"http.blockpage": 1, "tls.reset": 1},
        "network_unusable": False,
        "reason": None,
        "unusable_step": None,
        "analysis_version": "-",
        "apps": [],
        "unanalysed": {},
        "notes": [],
    }


def test_merging_replaces_every_analysis_key_and_keeps_the_raw_ones() -> None:
    m = measurement("http://example.org/", queries=[query("example.org", [REAL])])
    m["test_keys"]["x_technique"] = "stale"
    m["test_keys"]["x_old_analysis_key"] = 1
    once = merge(m, analyze_measurement(m, OPTIONS))
    twice = merge(once, analyze_measurement(once, OPTIONS))
    assert once == twice
    assert once["test_keys"]["queries"] == m["test_keys"]["queries"]
    assert once["test_keys"]["x_technique"] is None
    assert list(once["test_keys"])[-1] in ANALYSIS_KEYS


def test_analysis_tolerates_damaged_keys() -> None:
    damaged = {"input": "http://example.org/", "test_keys": {"queries": "junk", "requests": [1]}}
    keys = analyze_measurement(damaged, OPTIONS)
    assert (keys["blocking"], keys["accessible"]) == (None, None)
    assert analyze_measurement({"input": "ftp://x/", "test_keys": {}})["blocking"] is None


def test_app_tests_get_their_own_verdict_line_and_the_common_keys() -> None:
    tor = {
        "test_name": "tor",
        "input": "",
        "test_keys": {
            "targets": {
                "192.0.2.1:443": {"target_protocol": "or_port_dirauth", "failure": None},
                "192.0.2.1:80": {"target_protocol": "dir_port", "failure": None},
            }
        },
    }
    analysed, summary = analyze_run([*_load("small-run.jsonl"), tor], OPTIONS)
    assert summary.total == 5  # the web summary counts web targets only
    assert summary.apps == ["Tor: reachable"]
    keys = analysed[-1]["test_keys"]
    assert (keys["x_blocking"], keys["x_accessible"], keys["x_detail"]) == (
        False,
        True,
        "Tor: reachable",
    )


def _unreachable_tor(control: dict[str, object] | None) -> dict[str, object]:
    tor = {
        "test_name": "tor",
        "input": "",
        "test_keys": {
            "targets": {
                f"192.0.2.{i}:443": {
                    "target_protocol": "or_port_dirauth",
                    "failure": "generic_timeout_error",
                    "summary": {"connect": {"failure": "generic_timeout_error"}},
                }
                for i in range(1, 4)
            }
        },
    }
    if control is not None:
        tor["test_keys"]["x_control"] = control  # type: ignore[index]
    return tor


@pytest.mark.parametrize(
    ("control", "expected", "why"),
    [
        (None, (None, None), "no control confirmed these endpoints were up"),
        ({"failure": "connection_refused"}, (None, None), "no control confirmed"),
        (
            {"endpoints": {"192.0.2.1:443": {"status": False, "failure": "connect_error"}}},
            (None, None),
            "the control could not reach them either",
        ),
        (
            {"endpoints": {"192.0.2.1:443": {"status": True, "failure": None}}, "failure": None},
            ("tcp_ip", False),
            "the control reached them",
        ),
    ],
    ids=["no-control", "control-failed", "down-for-the-control-too", "control-reached"],
)
def test_an_unreachable_app_is_blocked_only_when_the_control_reached_it(
    control: dict[str, object] | None, expected: tuple[object, object], why: str
) -> None:
    analysed, summary = analyze_run([_unreachable_tor(control)], OPTIONS)
    keys = analysed[0]["test_keys"]
    assert (keys["x_blocking"], keys["x_accessible"]) == expected
    status = "blocked" if expected[0] else "undetermined"
    assert summary.apps[0].startswith(f"Tor: {status} (")
    assert why in summary.apps[0]
