"""`probe run --packet-tests` inside the lab: the verdict and the evidence the packet tests add."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance.checks import file_mismatches, load_with_oonidata
from lab.labkit import needs_root
from typer.testing import CliRunner

from probe.cli.lab import lab_app
from probe.lab import plan

pytestmark = [pytest.mark.lab, needs_root]


def run_in_lab(
    scenario: str, url: str, out: Path, how: tuple[str, ...] = ("--packet-tests",)
) -> dict[str, Any]:
    argv = ["run", scenario, "--", "probe", "run", "--url", url, "--output", str(out),
            *how, "--no-progress"]  # fmt: skip
    result = CliRunner().invoke(lab_app, argv)
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(out.read_text())
    # The packet tests' keys are what OONI's tools read too (tests/conformance).
    assert file_mismatches(out) == []
    assert load_with_oonidata(out) == {"loaded": 1, "failures": []}
    return record["test_keys"]


def test_dns_injection_is_proven_and_named(tmp_path: Path) -> None:
    keys = run_in_lab("dns-inject", "https://www.azattyq.org/", tmp_path / "out.jsonl")
    assert keys["x_technique"] == "dns.inject"
    injection = keys["x_packet_tests"]["dns_injection"]
    assert injection["x_no_dns_address"] == plan.NO_DNS_ADDRESS
    assert injection["x_dns_duplicate_responses"]


def test_dns_injection_on_its_own_finds_the_forged_answers(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    keys = run_in_lab("dns-inject", "https://www.azattyq.org/", out, ("--test", "dns_injection"))
    assert keys["injected"] is True
    assert keys["x_no_dns_address"] == plan.NO_DNS_ADDRESS


def test_sni_reset_censor_is_located_at_its_hop(tmp_path: Path) -> None:
    keys = run_in_lab("sni-reset", "https://www.tumblr.com/", tmp_path / "out.jsonl")
    assert keys["x_technique"] == "tls.reset"
    location = keys["x_censor_location"]
    assert (location["censor_hop"], location["censor_router"]) == (2, plan.CENSOR_HOP_SIDE)
    judged = keys["x_rst_judgements"]
    assert judged and all(j["likely_injected"] for j in judged)


def test_a_silent_censor_is_placed_after_its_router(tmp_path: Path) -> None:
    keys = run_in_lab("sni-drop", "https://soundcloud.com/", tmp_path / "out.jsonl")
    assert keys["x_technique"] == "tls.timeout"
    location = keys["x_censor_location"]
    assert (location["censor_hop"], location["censor_router"]) == (2, plan.CENSOR_HOP_SIDE)
    assert location["may_be_server"] is True


def test_censor_locate_on_its_own_is_analysed(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    keys = run_in_lab("host-drop", "http://www.geo.kz/", out, ("--test", "censor_locate"))
    assert (keys["x_blocking"], keys["x_technique"]) == ("http-failure", "http.timeout")
    location = keys["x_censor_location"]
    assert (location["censor_hop"], location["censor_router"]) == (2, plan.CENSOR_HOP_SIDE)
    assert location["located_by"] == "last_common_router"


def test_censor_locate_notices_residual_blocking(tmp_path: Path) -> None:
    """``residual``: once a trigger passed the censor, every new connection to the address is
    dropped, the control's too. The probes after that say nothing about where the censor is, so
    it is not placed at the first silent TTL, and the record says residual blocking."""
    out = tmp_path / "out.jsonl"
    keys = run_in_lab("residual", "https://www.tumblr.com/", out, ("--test", "censor_locate"))
    location = keys["x_censor_location"]
    residual = location["residual_blocking"]
    assert residual is not None, location["detail"]
    assert residual["failure"] == "generic_timeout_error"
    assert "residual blocking suspected" in location["detail"]
    # The reset that set the block off came from the censor's hop; nothing later is read.
    assert (location["censor_hop"], location["censor_router"]) == (2, plan.CENSOR_HOP_SIDE)
    assert residual["trigger_ttl"] == 3
