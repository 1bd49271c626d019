"""Runs nettests over many targets with bounded parallelism.

A fixed pool of workers pulls jobs from a :class:`Schedule`, so memory stays flat for any list
length and a slow target only ever occupies one worker. Results are handed over as each job
finishes; with ``--repeat``, a target whose first measurement was not ok is scheduled again.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from probe.analysis.observations import mapping
from probe.analysis.vocabulary import Category, category_of
from probe.inputs import Target
from probe.net.errors import unknown_failure
from probe.net.own_addresses import OwnAddresses
from probe.nettests.registry import Nettest
from probe.nettests.session import Session
from probe.pipeline.options import RunOptions
from probe.report.envelope import Envelope, RunInfo, measurement
from probe.report.scrub import Scrubber

if TYPE_CHECKING:
    from probe.analysis.options import AnalysisOptions

Sink = Callable[[dict[str, Any]], dict[str, Any]]
"""Takes a finished measurement, returns it as written (with its analysis keys)."""
WEB = "web_connectivity"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    nettest: Nettest
    target: Target | None
    """None for tests whose targets are built in (they run once; the nettest is given input ""
    and the stored ``input`` is null, as df-000 says)."""
    repeat: tuple[int, int] | None = None
    """(k, N) for the k-th of N re-measurements (``--repeat N``), stored as ``x_repeat``; None
    for a target's first measurement."""

    @property
    def input(self) -> str:
        return self.target.url if self.target else ""


def jobs_for(nettests: Sequence[Nettest], targets: Sequence[Target]) -> list[Job]:
    """Every URL test on every target, built-in tests once; the built-in ones first, as they are
    few. Repeats are not planned here: they depend on what the first measurement found."""
    builtin = [Job(n, None) for n in nettests if n.builtin_inputs]
    return builtin + [Job(n, t) for n in nettests if not n.builtin_inputs for t in targets]


def repeat_after(job: Job, written: dict[str, Any], times: int) -> Job | None:
    """The next measurement of ``job``'s target under ``--repeat times``, given the measurement
    just written, or None.

    Only a web_connectivity target whose first measurement was not ok is measured again, and
    then always ``times`` more times: stopping at the first ok one would leave a rate that
    depends on the order the coin fell in (an intermittent target would look mostly blocked).
    """
    if times == 0 or job.target is None or job.nettest.name != WEB:
        return None
    if job.repeat is None:
        from probe.analysis.per_test import stored_verdict  # once a measurement is written

        stored = stored_verdict(mapping(written.get("test_keys"))) or (None, None)
        return None if category_of(*stored) is Category.OK else replace(job, repeat=(1, times))
    done, _ = job.repeat
    return replace(job, repeat=(done + 1, times)) if done < times else None


class Schedule:
    """The jobs left: the list in order, and the repeats, each due ``gap`` seconds after the
    measurement before it ended.

    A due repeat goes before the rest of the list. So a target's measurements are spread over
    the run: never back to back (a residual block left by one has expired by the next, and an
    intermittent rule meets each afresh), and none waits for the end of a long list, when the
    network may have changed. Time is the event loop's clock.
    """

    def __init__(self, jobs: Sequence[Job], gap: float) -> None:
        self.gap = gap
        self.planned = len(jobs)
        self._list = deque(jobs)
        self._repeats: list[tuple[float, int, Job]] = []
        self._order = itertools.count()

    def add(self, job: Job, ended: float) -> None:
        heapq.heappush(self._repeats, (ended + self.gap, next(self._order), job))
        self.planned += 1

    def take(self, now: float) -> Job | float | None:
        """The job to start now; else when the next repeat is due; None when nothing is left."""
        if self._repeats and self._repeats[0][0] <= now:
            return heapq.heappop(self._repeats)[2]
        if self._list:
            return self._list.popleft()
        return self._repeats[0][0] if self._repeats else None


class Envelopes(Protocol):
    """Each test's envelope data (one report per test, as OONI has), part of which (the
    network's ASN and country) may still be being learned while the first targets are measured."""

    async def ready(self) -> Mapping[str, RunInfo]:
        """The complete data, once it is; until then a finished measurement waits here."""

    def known(self) -> Mapping[str, RunInfo]:
        """The data as far as known now: what a run cut short writes its last ones with."""


@dataclass(frozen=True)
class Measured:
    """One job's observations, before the envelope wraps them."""

    job: Job
    started: datetime
    runtime: float
    test_keys: dict[str, Any]
    resolver: str | None

    def envelope(self, info: RunInfo) -> Envelope:
        target = self.job.target
        category = target.category_code if target else ""
        url = target.url if target else None
        return measurement(
            info, url, self.started, self.runtime, self.test_keys, category, self.resolver
        )


async def run(
    jobs: Sequence[Job],
    options: RunOptions,
    infos: Envelopes,
    sink: Sink,
    own: OwnAddresses | None = None,
    planned: Callable[[int], None] | None = None,
) -> None:
    """Run every job, and the repeats ``--repeat`` asks for; ``sink`` receives each finished
    measurement, in completion order, and returns it as written (analysed).

    The first jobs start at once; each measurement is wrapped in its envelope when ``infos`` is
    ready (or, if the run is cut short first, with what it holds then), so nothing finished is
    lost. The options' secrets (private bridges) and ``own`` (the probe's addresses, which grow
    as sockets are opened and when the network lookup learns the public one) are scrubbed from
    every measurement before it leaves this function. ``planned`` hears the new number of
    measurements whenever a repeat is added.
    """
    scrubber = Scrubber(options.secrets)
    own = own if own is not None else OwnAddresses()
    workers = max(1, min(options.settings.parallel, len(jobs)))
    schedule = Schedule(jobs, options.repeat_gap)
    finished = asyncio.Event()
    running = 0
    loop = asyncio.get_running_loop()
    # getaddrinfo blocks a thread; the default pool (cores + 4) would cap real parallelism.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="getaddrinfo") as pool:
        session = Session(
            options.settings, executor=pool, own_addresses=own, backend=options.backend
        )

        def deliver(done: Measured, ready: Mapping[str, RunInfo]) -> dict[str, Any]:
            scrubber.add(own.snapshot())
            return sink(scrubber(done.envelope(ready[done.job.nettest.name])))

        async def one(job: Job) -> None:
            done = await measure(job, session, options.analysis)
            try:
                ready = await infos.ready()
            except asyncio.CancelledError:
                deliver(done, infos.known())  # interrupted: keep what was measured
                raise
            written = deliver(done, ready)
            again = repeat_after(job, written, options.repeat)
            if again is not None:
                schedule.add(again, loop.time())
                if planned is not None:
                    planned(schedule.planned)

        async def worker() -> None:
            nonlocal running, finished
            while True:
                seen = finished  # set when any job ends: it may have added a repeat
                item = schedule.take(loop.time())
                if isinstance(item, Job):
                    running += 1
                    try:
                        await one(item)
                    finally:
                        running -= 1
                        finished.set()
                        finished = asyncio.Event()
                elif item is None and not running:
                    return
                else:  # a repeat is not due yet, or a job still running may add one
                    timeout = None if item is None else max(0.0, item - loop.time())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(seen.wait(), timeout)

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await session.aclose()


async def measure(job: Job, session: Session, analysis: AnalysisOptions) -> Measured:
    loop = asyncio.get_running_loop()
    started = datetime.now(UTC)
    t0 = loop.time()
    log.debug("%s %s: started", job.nettest.name, job.input or "(built-in targets)")
    try:
        test_keys = dict(await job.nettest.measure(job.input, session))
        if session.settings.packet_tests and job.nettest.name == WEB:
            test_keys = await _with_packet_tests(job.input, test_keys, session, analysis)
    except Exception as exc:  # a bug on one target must not cost the volunteer the whole run
        log.error(
            "%s failed on one target: %s", job.nettest.name, type(exc).__name__, exc_info=True
        )
        test_keys = {"x_failure": unknown_failure(exc)}
    if job.repeat is not None:
        test_keys["x_repeat"] = {"repeat": job.repeat[0], "of": job.repeat[1]}
    runtime = loop.time() - t0
    failure = test_keys.get("x_failure")
    log.info(
        "%s %s: measured in %.2f s%s",
        job.nettest.name,
        job.input or "(built-in targets)",
        runtime,
        f" ({failure})" if failure else "",
    )
    return Measured(job, started, runtime, test_keys, session.resolver)


async def _with_packet_tests(
    url: str, keys: dict[str, Any], session: Session, analysis: AnalysisOptions
) -> dict[str, Any]:
    """Packet-level tests for a target the analysis finds blocked (``--packet-tests``), judged
    with the run's own analysis options, as its stored verdict will be."""
    from probe.analysis.run import analyze_measurement
    from probe.analysis.vocabulary import NAME_TECHNIQUES, technique_named

    stored = {"input": url, "test_name": WEB, "test_keys": keys}
    verdict = analyze_measurement(stored, analysis)
    if not isinstance(verdict.get("blocking"), str):
        return keys
    # Imported here: scapy costs most of a second at start-up, paid only when asked for.
    from probe.nettests.packet_followup import follow_up

    technique = technique_named(verdict.get("x_technique"))
    found = await follow_up(
        url,
        keys,
        session,
        dns=technique is not None and technique.is_dns,
        locate=technique in NAME_TECHNIQUES,
    )
    return {**keys, "x_packet_tests": found}
