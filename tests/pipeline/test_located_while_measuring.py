"""The network lookup runs alongside the first targets, and every line still carries its result.

The lookup here is a stand-in that answers only once the loopback target has been asked for its
page: were the lookup done before measuring, as it once was, it would never answer (its guard
wait ends the test with an AS0/ZZ line instead). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import PKI
from loopback import dns_server
from loopback.background import background
from loopback.dns_server import Zone
from loopback.probe_settings import loopback_settings
from loopback.web import respond, serve_http
from nettests.scripted import scripted_session

from probe import runner
from probe.analysis import AnalysisOptions
from probe.inputs import targets_from_urls
from probe.net.location import Endpoints, Location
from probe.net.scripted import Answers, Server, response
from probe.nettests.registry import select as select_tests
from probe.pipeline import run as pipeline
from probe.pipeline.options import RunOptions
from probe.report.envelope import RunInfo
from probe.runner import jobs_for

PUBLIC = "198.51.100.23"
GUARD = 30.0
"""Seconds the stand-in lookup waits for the target's request before giving up (a deadlock
guard, not a measure of time)."""


class Shown:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.records: list[dict[str, Any]] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def planned(self, total: int) -> None:
        pass

    def measured(self, record: dict[str, Any]) -> None:
        self.records.append(record)


def _run(
    pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, found: Location
) -> tuple[list[dict[str, Any]], Shown, bool]:
    """One web target; the lookup returns ``found`` once the target has been asked."""
    asked = threading.Event()

    async def echo(path: str, headers: dict[str, str], writer: Any) -> None:
        asked.set()
        await respond(writer, 200, f"<title>You are {PUBLIC}</title>".encode(), {"X-Seen": PUBLIC})

    async def lookup(endpoints: Endpoints, resolver: str, timeout: float) -> Location:
        await asyncio.to_thread(asked.wait, GUARD)
        return found if asked.is_set() else Location(None, "AS0", "ZZ", "", "never asked")

    monkeypatch.setattr(pipeline, "locate", lookup)
    with background() as bg:
        transport, resolver = bg.run(dns_server.serve(Zone({"example.test": ["127.0.0.1"]})))
        server, port = bg.run(serve_http(echo))
        settings = loopback_settings(pki, resolver, helper_urls=(), doh_urls=())
        options = RunOptions(
            list_name=None,
            urls=(f"http://example.test:{port}/",),
            tests=("web_connectivity",),
            lists_dir=None,
            output=tmp_path / "out.jsonl",
            resume=None,
            settings=settings,
            analysis=AnalysisOptions(("127.0.0.0/8",)),
            geoip=Endpoints("myaddr.test@127.0.0.1:9", "origin.test", "name.test"),
        )
        shown = Shown()
        outcome = pipeline.execute(options, pipeline.select(options), shown)
        bg.loop.call_soon_threadsafe(server.close)
        bg.loop.call_soon_threadsafe(transport.close)
    lines = outcome.path.read_text().splitlines()
    return [json.loads(line) for line in lines], shown, asked.is_set()


def test_the_first_target_is_measured_before_the_lookup_ends(
    pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = Location(PUBLIC, "AS64500", "KZ", "EXAMPLE-AS")
    [record], shown, asked = _run(pki, tmp_path, monkeypatch, found)
    assert asked
    assert (record["probe_asn"], record["probe_cc"]) == ("AS64500", "KZ")
    assert record["probe_network_name"] == "EXAMPLE-AS"
    assert record["report_id"].split("_")[2:4] == ["KZ", "64500"]
    # The public address was learned after the target answered; it is scrubbed all the same.
    assert PUBLIC not in json.dumps(record)
    assert record["test_keys"]["requests"][0]["response"]["headers"]["X-Seen"] == "[scrubbed]"
    assert shown.records == [record] and shown.notes == []


def test_a_failed_lookup_still_stores_as0_zz_and_says_why(
    pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = Location(None, "AS0", "ZZ", "", "Timeout: no answer")
    [record], shown, _ = _run(pki, tmp_path, monkeypatch, failed)
    assert (record["probe_asn"], record["probe_cc"], record["probe_network_name"]) == (
        "AS0",
        "ZZ",
        "",
    )
    assert record["report_id"].split("_")[2:4] == ["ZZ", "0"]
    assert shown.notes == ["network lookup failed (Timeout: no answer); storing AS0/ZZ"]


async def test_a_run_cut_short_while_the_lookup_runs_keeps_what_it_measured() -> None:
    """Ctrl-C before the lookup ends: the finished measurement is written with AS0/ZZ (what is
    known then), not dropped while it waited."""
    servers = {"192.0.2.10:80": Server(reply=response(200, b"<title>ok</title>"))}
    session, backend = scripted_session(servers, {"example.test": Answers(("192.0.2.10",))})
    options = RunOptions(
        list_name=None,
        urls=(),
        tests=(),
        lists_dir=None,
        output=None,
        resume=None,
        settings=session.settings,
        analysis=AnalysisOptions(),
        geoip=None,
        backend=backend,
    )
    known = {"web_connectivity": RunInfo("web_connectivity", "0", "urls")}
    waiting = asyncio.Event()

    class NeverLocated:
        async def ready(self) -> dict[str, RunInfo]:
            waiting.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        def known(self) -> dict[str, RunInfo]:
            return known

    written: list[dict[str, Any]] = []
    jobs = jobs_for(
        select_tests(["web_connectivity"], None), targets_from_urls(["http://example.test/"])
    )
    run = asyncio.create_task(runner.run(jobs, options, NeverLocated(), written.append))
    await asyncio.wait_for(waiting.wait(), GUARD)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    [record] = written
    assert record["report_id"] == known["web_connectivity"].report_id
    assert (record["probe_asn"], record["probe_cc"]) == ("AS0", "ZZ")
    assert record["test_keys"]["requests"][0]["response"]["code"] == 200
