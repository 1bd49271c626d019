"""The volunteer's address never reaches the results, even from a site that echoes it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report.spelled import every_spelling
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.lab import lab_app
from probe.lab import plan

pytestmark = [pytest.mark.lab, needs_root]

SCENARIO = """
name = "echo"
description = "A site that shows every visitor their own address"

[[site]]
domain = "echo.example.org"
echo_client = true
"""


@pytest.mark.parametrize(
    ("geoip", "network"),
    [("--geoip", ("AS64500", "KZ")), ("--no-geoip", ("AS0", "ZZ"))],
)
def test_echoed_client_address_is_scrubbed_everywhere(
    tmp_path: Path, geoip: str, network: tuple[str, str]
) -> None:
    scenario = tmp_path / "echo.toml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out.jsonl"
    probe = ["probe", "run", "--output", str(out), "--no-progress", geoip]
    urls = ["--url", "https://echo.example.org/", "--url", "http://echo.example.org/"]
    result = CliRunner().invoke(lab_app, ["run", str(scenario), "--", *probe, *urls])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 2
    # The lab's geolocation answers with the client's real address; it located the network,
    # or was not asked: without it the probe knows its address from its interface and sockets.
    assert {(r["probe_asn"], r["probe_cc"]) for r in records} == {network}
    # The site really echoed it, but the file holds only the scrubbed marker.
    for record in records:
        response = record["test_keys"]["requests"][0]["response"]
        assert response["headers"]["X-Client-Address"] == "[scrubbed]"
        assert "You connect from [scrubbed]" in response["body"]
        assert record["probe_ip"] == "127.0.0.1"
    leaks = [s for s in every_spelling(plan.CLIENT) if s in text or s in result.output]
    assert leaks == []
