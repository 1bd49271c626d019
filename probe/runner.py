"""Runs nettests over many targets with bounded parallelism.

A fixed pool of workers pulls jobs from a queue, so memory stays flat for any list length and a
slow target only ever occupies one worker. Results are handed over as each job finishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

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

Sink = Callable[[dict[str, Any]], None]
WEB = "web_connectivity"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    nettest: Nettest
    target: Target | None
    """None for tests whose targets are built in (they run once; the nettest is given input ""
    and the stored ``input`` is null, as df-000 says)."""
    repeat: tuple[int, int] | None = None
    """(round, rounds) with ``--repeat``: stored as ``x_repeat``."""

    @property
    def input(self) -> str:
        return self.target.url if self.target else ""


def jobs_for(nettests: Sequence[Nettest], targets: Sequence[Target], repeat: int = 1) -> list[Job]:
    """URL tests ``repeat`` times per target, built-in tests once; the built-in ones first, as
    they are few. Repeats come a whole round of the list apart, so an intermittent rule meets
    them at different moments, and a residual one has long expired."""
    builtin = [Job(n, None) for n in nettests if n.builtin_inputs]
    url_tests = [n for n in nettests if not n.builtin_inputs]
    if repeat == 1:
        return builtin + [Job(n, t) for n in url_tests for t in targets]
    rounds = [
        Job(n, t, (i, repeat)) for i in range(1, repeat + 1) for n in url_tests for t in targets
    ]
    return builtin + rounds


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
) -> None:
    """Run every job; ``sink`` receives each finished measurement, in completion order.

    The first jobs start at once; each measurement is wrapped in its envelope when ``infos`` is
    ready (or, if the run is cut short first, with what it holds then), so nothing finished is
    lost. The options' secrets (private bridges) and ``own`` (the probe's addresses, which grow
    as sockets are opened and when the network lookup learns the public one) are scrubbed from
    every measurement before it leaves this function.
    """
    scrubber = Scrubber(options.secrets)
    own = own if own is not None else OwnAddresses()
    workers = max(1, min(options.settings.parallel, len(jobs)))
    queue: asyncio.Queue[Job] = asyncio.Queue()
    # getaddrinfo blocks a thread; the default pool (cores + 4) would cap real parallelism.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="getaddrinfo") as pool:
        session = Session(
            options.settings, executor=pool, own_addresses=own, backend=options.backend
        )

        def deliver(done: Measured, ready: Mapping[str, RunInfo]) -> None:
            scrubber.add(own.snapshot())
            sink(scrubber(done.envelope(ready[done.job.nettest.name])))

        async def worker() -> None:
            while not queue.empty():
                done = await measure(queue.get_nowait(), session, options.analysis)
                try:
                    ready = await infos.ready()
                except asyncio.CancelledError:
                    deliver(done, infos.known())  # interrupted: keep what was measured
                    raise
                deliver(done, ready)

        tasks: list[asyncio.Task[None]] = []
        try:
            for batch in _rounds(jobs):  # a round of --repeat starts when the last one ended
                for job in batch:
                    queue.put_nowait(job)
                tasks = [asyncio.create_task(worker()) for _ in range(workers)]
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await session.aclose()


def _rounds(jobs: Sequence[Job]) -> list[list[Job]]:
    """The jobs in runs of one ``--repeat`` round (all of them when nothing repeats)."""
    batches: list[list[Job]] = []
    for job in jobs:
        if not batches or (job.repeat or (1, 1))[0] != (batches[-1][-1].repeat or (1, 1))[0]:
            batches.append([])
        batches[-1].append(job)
    return batches


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
        test_keys["x_repeat"] = {"round": job.repeat[0], "of": job.repeat[1]}
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
