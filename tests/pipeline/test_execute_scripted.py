"""One whole run (runner → analysis → writer) over the scripted backend chosen in RunOptions."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from nettests.scripted import scripted_session

from probe.analysis import AnalysisOptions
from probe.net import errors
from probe.net.scripted import Answers, Server, response
from probe.pipeline.options import RunOptions
from probe.pipeline.run import execute, select

A = "192.0.2.10"


class Shown:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def note(self, text: str) -> None:
        pass

    def planned(self, total: int) -> None:
        pass

    def measured(self, record: dict[str, Any]) -> None:
        self.records.append(record)


def run(tmp_path: Path, tests: tuple[str, ...], urls: tuple[str, ...]) -> list[dict[str, Any]]:
    servers = {f"{A}:443": Server(reply=response(200, b"<title>ok</title>"))}
    session, backend = scripted_session(servers, {"example.test": Answers((A,))})
    options = RunOptions(
        list_name=None,
        urls=urls,
        tests=tests,
        lists_dir=None,
        output=tmp_path / "out.jsonl",
        resume=None,
        settings=replace(session.settings, parallel=2),
        analysis=AnalysisOptions(),
        geoip=None,
        backend=backend,
    )
    shown = Shown()
    outcome = execute(options, select(options), shown)
    assert backend.open == set()
    lines = [json.loads(line) for line in outcome.path.read_text().splitlines()]
    assert lines == shown.records
    return lines


def test_a_web_run_is_measured_analysed_and_written(tmp_path: Path) -> None:
    [line] = run(tmp_path, ("web_connectivity",), ("https://example.test/",))
    keys = line["test_keys"]
    assert keys["requests"][0]["response"]["code"] == 200
    assert "blocking" in keys and "accessible" in keys


def test_the_pipeline_writes_the_app_summary_keys_the_nettest_does_not(tmp_path: Path) -> None:
    """Telegram's shipped data centres are refused by the scripted backend (nothing leaves
    memory): the nettest stores only how far each got; the pipeline adds ts-020's keys."""
    [line] = run(tmp_path, ("telegram",), ())
    keys = line["test_keys"]
    dcs = [r for r in keys["x_endpoints"] if r["role"] == "dc"]
    assert dcs and {r["failure"] for r in dcs} == {errors.CONNECTION_REFUSED}
    assert (keys["telegram_tcp_blocking"], keys["telegram_http_blocking"]) == (True, True)
    assert "x_blocking" in keys
