"""--repeat N: only a web target whose first measurement was not ok is measured again, N more
times, each repeat a gap after the measurement before it and ahead of the rest of the list."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from typing import Any

import pytest

from probe.analysis import AnalysisOptions
from probe.inputs import Target
from probe.nettests import registry
from probe.nettests.registry import Nettest
from probe.pipeline.options import RunOptions
from probe.report.envelope import RunInfo
from probe.runner import Job, Schedule, jobs_for, repeat_after, run
from probe.settings import Settings

VERDICTS = {
    "ok": (False, True),
    "blocked": ("http-failure", False),
    "down": (False, False),
    "undetermined": (None, None),
}


def target(name: str) -> Target:
    return Target(url=f"https://{name}.kz/", category_code="NEWS")


class Scripted:
    """A fake web_connectivity: each URL's measurements come out as its script says, in turn;
    the loop time of each start and end is kept."""

    def __init__(self, scripts: dict[str, list[str]]) -> None:
        self.scripts = {f"https://{name}.kz/": list(s) for name, s in scripts.items()}
        self.times: dict[str, list[tuple[float, float]]] = {url: [] for url in self.scripts}
        self.nettest = Nettest("web_connectivity", "0.5.0", "scripted", False, self.measure)

    async def measure(self, url: str, session: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(0.01)
        self.times[url].append((start, loop.time()))
        return {"x_scripted": self.scripts[url].pop(0)}


def measure_all(
    scripts: dict[str, list[str]], times: int, gap: float = 0.0, parallel: int = 4
) -> tuple[list[dict[str, Any]], list[int], Scripted]:
    fake = Scripted(scripts)
    options = RunOptions(
        list_name=None,
        urls=(),
        tests=(),
        lists_dir=None,
        output=None,
        resume=None,
        settings=replace(Settings(), parallel=parallel),
        analysis=AnalysisOptions(),
        geoip=None,
        repeat=times,
        repeat_gap=gap,
    )
    written: list[dict[str, Any]] = []
    planned: list[int] = []

    def sink(record: dict[str, Any]) -> dict[str, Any]:
        blocking, accessible = VERDICTS[record["test_keys"]["x_scripted"]]
        record["test_keys"] |= {"blocking": blocking, "accessible": accessible}
        written.append(record)
        return record

    jobs = jobs_for([fake.nettest], [target(name) for name in scripts])
    asyncio.run(run(jobs, options, Known(), sink, planned=planned.append))
    return written, planned, fake


class Known:
    """Envelope data known from the start (no network lookup under way)."""

    def __init__(self) -> None:
        self.infos = {"web_connectivity": RunInfo("web_connectivity", "0.5.0", "urls")}

    async def ready(self) -> dict[str, RunInfo]:
        return self.infos

    def known(self) -> dict[str, RunInfo]:
        return self.infos


def repeats_of(written: list[dict[str, Any]], name: str) -> list[object]:
    url = f"https://{name}.kz/"
    return [m["test_keys"].get("x_repeat") for m in written if m["input"] == url]


def test_only_targets_that_were_not_ok_are_measured_again_n_more_times() -> None:
    scripts = {
        "ok": ["ok"],
        "blocked": ["blocked"] * 4,
        "down": ["down"] * 4,
        "unknown": ["undetermined"] * 4,
    }
    written, planned, _ = measure_all(scripts, times=3)
    assert repeats_of(written, "ok") == [None]
    for name in ("blocked", "down", "unknown"):
        assert repeats_of(written, name) == [None] + [{"repeat": k, "of": 3} for k in (1, 2, 3)]
    assert len(written) == 13 and planned[-1] == 13 and planned == sorted(planned)
    report_ids = {m["report_id"] for m in written}
    assert len(report_ids) == 1  # every line of the run in one report, as OONI has


def test_a_repeat_that_comes_out_ok_does_not_stop_the_others() -> None:
    """Stopping at the first ok would make the rate depend on the order the coin fell in."""
    written, _, _ = measure_all({"coin": ["blocked", "ok", "blocked", "ok"]}, times=3)
    assert [m["test_keys"]["x_scripted"] for m in written] == ["blocked", "ok", "blocked", "ok"]


def test_without_repeat_nothing_is_measured_again() -> None:
    written, planned, _ = measure_all({"blocked": ["blocked"]}, times=0)
    assert repeats_of(written, "blocked") == [None] and planned == []


def test_measurements_of_one_target_are_a_gap_apart() -> None:
    gap = 0.15
    _, _, fake = measure_all({"a": ["blocked"] * 3, "b": ["ok"], "c": ["ok"]}, times=2, gap=gap)
    spans = fake.times["https://a.kz/"]
    assert len(spans) == 3
    for (_, ended), (started, _) in itertools.pairwise(spans):
        assert started - ended >= gap


def test_only_web_connectivity_and_listed_targets_are_repeated() -> None:
    other = replace(registry.get("web_connectivity"), name="dns_injection")
    blocked = {"test_keys": {"blocking": "dns", "accessible": False}}
    assert repeat_after(Job(other, target("a")), blocked, 3) is None
    assert repeat_after(Job(registry.get("tor"), None), blocked, 3) is None
    web = Job(registry.get("web_connectivity"), target("a"))
    assert repeat_after(web, blocked, 0) is None
    assert repeat_after(web, blocked, 2) == replace(web, repeat=(1, 2))
    assert repeat_after(replace(web, repeat=(2, 2)), blocked, 2) is None


@pytest.mark.parametrize("status", ["blocked", "ok"])
def test_a_repeat_is_followed_by_the_next_whatever_it_found(status: str) -> None:
    web = Job(registry.get("web_connectivity"), target("a"), (1, 3))
    blocking, accessible = VERDICTS[status]
    found = {"test_keys": {"blocking": blocking, "accessible": accessible}}
    assert repeat_after(web, found, 3) == replace(web, repeat=(2, 3))


def test_a_due_repeat_goes_before_the_rest_of_the_list_and_not_before_it_is_due() -> None:
    web = registry.get("web_connectivity")
    a, b, c = (Job(web, target(n)) for n in "abc")
    again = replace(a, repeat=(1, 1))
    schedule = Schedule([a, b, c], gap=10.0)
    assert schedule.take(0.0) == a
    schedule.add(again, ended=1.0)
    assert schedule.planned == 4
    assert schedule.take(5.0) == b  # not due: the list goes on
    assert schedule.take(11.0) == again  # due: ahead of c
    assert schedule.take(11.0) == c
    assert schedule.take(11.0) is None
    schedule.add(replace(a, repeat=(2, 2)), ended=12.0)
    assert schedule.take(13.0) == 22.0  # nothing else to do: wait until it is due
