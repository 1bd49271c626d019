"""The run-level pass: a protocol blocked for the whole network leaves every site undetermined."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from analysis.builders import (
    OPTIONS,
    Json,
    connect,
    handshake,
    helper,
    measurement,
    neutral,
    query,
    request,
)
from probe.analysis import RunAnalysis, RunSummary, analyze_run, mark_network
from probe.analysis.network import MIN_TARGETS
from probe.cli.run_summary import print_run, slim

RESET = "connection_reset"


def _https_reset(i: int, *, neutral_failure: str | None = RESET) -> Json:
    host, ip = f"site{i}.example", f"203.0.113.{20 + i}"
    ep = f"{ip}:443"
    return measurement(
        f"https://{host}/",
        queries=[query(host, [ip])],
        tcp=[connect(ip, 443)],
        tls=[handshake(ep, host, RESET)],
        control=helper((ip,), tls={ep: True}),
        doh=[query(host, (), "connection_reset", engine="doh")],
        self_control=neutral([handshake(ep, "example.com", neutral_failure, no_verify=True)]),
    )


def _plain_page() -> Json:
    ip = "203.0.113.99"
    return measurement(
        "http://plain.example/",
        queries=[query("plain.example", [ip])],
        tcp=[connect(ip, 80)],
        requests=[request("http://plain.example/", f"{ip}:80", body="<title>Example Site</title>")],
        control=helper((ip,), title="Example Site", body_length=27),
    )


def test_every_handshake_reset_whatever_the_name_is_a_run_level_verdict() -> None:
    runs = [_https_reset(i) for i in range(3)] + [_plain_page()]
    analysed, summary = analyze_run(runs, OPTIONS)
    assert summary.network_unusable and summary.unusable_step == "tls"
    assert str(summary.reason).startswith("network unusable for TLS: every TLS handshake")
    assert "the client's own traffic, or the whole protocol" in str(summary.reason)
    assert (summary.undetermined, summary.ok, summary.blocked) == (3, 1, {})
    for m in analysed[:3]:
        keys = m["test_keys"]
        assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (None, None, None)
        assert keys["x_network_unusable"] is True and keys["x_detail"] == summary.reason
    plain = analysed[3]["test_keys"]
    assert (plain["blocking"], plain["accessible"], plain["x_network_unusable"]) == (
        False,
        True,
        False,
    )


def test_each_target_alone_would_be_an_address_block() -> None:
    analysed, summary = analyze_run([_https_reset(0)][: MIN_TARGETS - 1], OPTIONS)
    assert not summary.network_unusable
    assert analysed[0]["test_keys"]["x_technique"] == "ip.reset"


def test_a_neutral_name_that_got_through_keeps_the_verdicts_per_site() -> None:
    runs = [_https_reset(0), _https_reset(1, neutral_failure=None)]
    analysed, summary = analyze_run(runs, OPTIONS)
    assert not summary.network_unusable
    assert [m["test_keys"]["x_technique"] for m in analysed] == ["ip.reset", "tls.reset"]
    assert summary.blocked == {"ip.reset": 1, "tls.reset": 1}


def test_a_doh_control_that_answered_means_tls_works_on_this_network() -> None:
    runs = [_https_reset(i) for i in range(3)]
    runs[0]["test_keys"]["x_doh_queries"] = [query("site0.example", ["203.0.113.20"], engine="doh")]
    assert not analyze_run(runs, OPTIONS)[1].network_unusable


def test_every_connection_timing_out_everywhere_is_a_run_level_verdict() -> None:
    runs = []
    for i in range(2):
        host, ip = f"site{i}.example", f"203.0.113.{40 + i}"
        runs.append(
            measurement(
                f"http://{host}/",
                queries=[query(host, [ip])],
                tcp=[connect(ip, 80, "generic_timeout_error")],
                control=helper((ip,), tcp={f"{ip}:80": True}),
            )
        )
    analysed, summary = analyze_run(runs, OPTIONS)
    assert summary.unusable_step == "tcp" and "every TCP connection" in str(summary.reason)
    assert all(m["test_keys"]["blocking"] is None for m in analysed)


def test_probe_run_says_the_reason_first_and_blames_no_site(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    analysis = RunAnalysis(OPTIONS)
    provisional = RunSummary()  # as `probe run` writes each line before the run ends
    runs = [_https_reset(i) for i in range(3)]
    records = [slim(mark_network(analysis.add(m), provisional)) for m in runs]
    assert all(r["test_keys"]["x_technique"] == "ip.reset" for r in records)
    print_run(records, analysis.finish(), tmp_path / "out.jsonl", 3, timedelta(seconds=1))
    output = capsys.readouterr().out
    assert output.lstrip().startswith("network unusable for TLS")
    assert output.count("network unusable for TLS") == 1
    assert "ip.reset" not in output and "Blocked targets" not in output
