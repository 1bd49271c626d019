"""``probe run`` inside the lab, with no lab flags: the raw observations show each censor rule."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lab.labkit import needs_root
from probe.cli.lab import lab_app
from probe.lab import check as checking
from probe.lab import scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
MIXED = Path(__file__).with_name("mixed.toml")
URLS = [
    "https://www.tumblr.com/",
    "https://ratel.kz/",
    "https://bridges.torproject.org/",
    "http://www.kub.kz/",
    "http://respublika-kz.info/",
    "http://www.ferghana.ru/",
    "https://example.org/",
    "https://gone.example.com/",
]
PROBE = [shutil.which("probe") or sys.executable, *([] if shutil.which("probe") else ["-c",
         "from probe.cli.app import main; main()"])]  # fmt: skip


@pytest.fixture(scope="module")
def mixed() -> Iterator[Lab]:
    with running(scenario.load(MIXED)) as lab:
        yield lab


@pytest.fixture(scope="module")
def results(mixed: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("e2e")
    targets = folder / "targets.txt"
    targets.write_text("".join(f"{url}\n" for url in URLS))
    out = folder / "results.jsonl"
    argv = [*PROBE, "run", "--yes", "--list", str(targets), "--output", str(out), "--no-progress"]
    assert mixed.run(argv) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    # The lab answers the probe's DNS geolocation: a Kazakh lab ISP, not AS0/ZZ.
    assert {(m["probe_asn"], m["probe_cc"]) for m in lines} == {("AS64500", "KZ")}
    return {m["input"]: m["test_keys"] for m in lines}


def _failures(entries: list[dict[str, Any]]) -> list[str | None]:
    return [e.get("failure", e.get("status", {}).get("failure")) for e in entries]


def test_every_target_is_measured_through_the_lab_resolver(results: dict[str, Any]) -> None:
    assert sorted(results) == sorted(URLS)
    answers = {
        a["ipv4"]
        for keys in results.values()
        for q in keys["queries"]
        for a in q["answers"]
        if "ipv4" in a
    }
    assert answers and all(a.startswith("203.0.113.") for a in answers)


def test_nxdomain_from_the_isp_and_for_a_site_that_is_down(results: dict[str, Any]) -> None:
    for url in ("https://ratel.kz/", "https://gone.example.com/"):
        queries = results[url]["queries"]
        assert {q["engine"] for q in queries} >= {"udp", "getaddrinfo"}
        assert set(_failures(queries)) == {"dns_nxdomain_error"}
        assert results[url]["tcp_connect"] == []


def test_tcp_ok_then_reset_after_client_hello(results: dict[str, Any]) -> None:
    keys = results["https://www.tumblr.com/"]
    assert _failures(keys["tcp_connect"]) == [None]
    assert _failures(keys["tls_handshakes"]) == ["connection_reset"]
    assert keys["requests"] == []


def test_reset_on_connect_for_ip_rule(results: dict[str, Any]) -> None:
    assert _failures(results["https://bridges.torproject.org/"]["tcp_connect"]) == [
        "connection_refused"
    ]


def test_reset_after_http_request_for_host_rule(results: dict[str, Any]) -> None:
    keys = results["http://www.kub.kz/"]
    assert _failures(keys["tcp_connect"]) == [None]
    assert _failures(keys["requests"]) == ["connection_reset"]


def test_blockpage_body_and_redirected_site(results: dict[str, Any]) -> None:
    blockpage = results["http://respublika-kz.info/"]["requests"][0]["response"]
    assert "Страница заблокирована" in blockpage["body"]
    custom = results["http://www.ferghana.ru/"]["requests"][0]["response"]
    assert "<title>Custom block</title>" in custom["body"]
    codes = [r["response"]["code"] for r in results["https://example.org/"]["requests"]]
    assert sorted(codes) == [200, 301]
    assert _failures(results["https://example.org/"]["tls_handshakes"]) == [None, None]


def test_lab_run_exits_with_the_command_status() -> None:
    runner = CliRunner()
    result = runner.invoke(lab_app, ["run", "clean", "--", "sh", "-c", "exit 7"])
    assert result.exit_code == 7
    result = runner.invoke(lab_app, ["run", "clean", "--", "sh", "-c", 'test "$PROBE_RESOLVER"'])
    assert result.exit_code == 0


def test_lab_check_measures_the_expect_urls_and_exits_on_the_comparison(tmp_path: Path) -> None:
    """Whether the verdicts are right belongs to the analysis tests; here, that ``check``
    measures exactly the [[expect]] URLs and its table and status follow the comparison."""
    out = tmp_path / "check.jsonl"
    result = CliRunner().invoke(lab_app, ["check", "clean", "--output", str(out)])
    measurements = [json.loads(line) for line in out.read_text().splitlines()]
    expects = scenario.load(scenario.shipped()["clean"]).expects
    assert sorted(m["input"] for m in measurements) == sorted(e.url for e in expects)
    rows = checking.compare(expects, checking.index(measurements))
    met = sum(r.ok for r in rows)
    assert f"{met} of {len(rows)} expectations met" in result.output
    assert result.exit_code == (0 if met == len(rows) else 1)
