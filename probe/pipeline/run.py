"""One ``probe run``: targets → runner → measurement → analysis → scrub → writer → run-level pass.

The CLI parses flags into :class:`RunOptions`, calls :func:`select` then :func:`execute`, and
renders the :class:`Events` they emit; nothing here prints. Each measurement is analysed and
written once, as it finishes. The run-level pass never rewrites the file: when it marks
anything (an unusable network) it appends a trailer line that readers apply to the measurements
of this sitting only (:mod:`probe.analysis.results`, docs/data-format.md); a resumed run first
closes the part an interrupted one left unjudged with that part's own trailer.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from probe import runner
from probe.i18n import _
from probe.inputs import ListError, Target, find_list, lists_dir, load_list, targets_from_urls
from probe.net.dns import system_resolver
from probe.net.geoip import locate
from probe.net.location import UNKNOWN, Location
from probe.net.own_addresses import OwnAddresses, interface_addresses
from probe.net.raw import unavailable
from probe.nettests.registry import Nettest, UnknownNettest
from probe.nettests.registry import select as select_tests
from probe.pipeline.options import RunOptions
from probe.report.envelope import RunInfo
from probe.report.jsonl import JsonlWriter, ResultsError, rewrite
from probe.report.resume import Recovered, recover
from probe.report.scrub import Scrubber
from probe.runner import Job, jobs_for

if TYPE_CHECKING:
    from probe.analysis.options import AnalysisOptions
    from probe.analysis.run import RunAnalysis, RunSummary


class UsageError(Exception):
    """Bad input (a list, a flag, a results file): nothing was measured; the CLI exits 2."""


class RunFailed(Exception):
    """The results could not be written or scrubbed; the CLI exits 1."""


class Events(Protocol):
    """What a run tells whoever shows it; called from the run's own thread."""

    def note(self, text: str) -> None:
        """Something the volunteer should know; the run goes on."""

    def planned(self, total: int) -> None:
        """How many measurements the run will make; again, higher, when --repeat adds some."""

    def measured(self, record: dict[str, Any]) -> None:
        """One finished measurement, analysed and written."""


@dataclass(frozen=True)
class Selection:
    targets: list[Target]
    list_name: str
    nettests: list[Nettest]


@dataclass(frozen=True)
class Outcome:
    path: Path
    summary: RunSummary
    total: int
    """Measurements planned (after skipping what a resumed file holds), repeats included."""
    kept: int
    """Measurements written by this run."""
    took: timedelta
    interrupted: bool


def select(options: RunOptions) -> Selection:
    """The targets and nettests of the run; UsageError names the bad list or test."""
    targets: list[Target] = []
    name = "urls"
    try:
        if options.list_name:
            path = find_list(options.list_name, lists_dir(options.lists_dir))
            targets = load_list(path)
            name = path.stem
        if options.urls:
            known = {t.key for t in targets}
            targets += [t for t in targets_from_urls(list(options.urls)) if t.key not in known]
        nettests = select_tests(list(options.tests), name if options.list_name else None)
    except (ListError, UnknownNettest) as exc:
        raise UsageError(str(exc)) from exc
    if not targets and any(not n.builtin_inputs for n in nettests):
        raise UsageError(_("give --list NAME|PATH or at least one --url"))
    return Selection(targets, name, nettests)


def execute(options: RunOptions, selection: Selection, events: Events) -> Outcome:
    """Measure, analyse and write every job; Ctrl-C ends the run with everything kept.

    The network lookup (ASN, country) runs alongside the first targets, not before them: each
    measurement waits for it only when it is written, so every line still carries its result.
    """
    if options.settings.packet_tests and (reason := unavailable()):
        events.note(_("packet tests skipped, {reason}; everything else runs").format(reason=reason))
        options = replace(options, settings=replace(options.settings, packet_tests=False))
    started = datetime.now(UTC)
    jobs = jobs_for(selection.nettests, selection.targets)
    own = OwnAddresses(interface_addresses())
    jobs, done = _resume(options, jobs, own, events)
    default = Path("results") / f"{started:%Y%m%dT%H%M%SZ}-{selection.list_name}.jsonl"
    path = options.resume or options.output or default
    try:
        writer = JsonlWriter(path)
    except ResultsError as exc:
        raise UsageError(str(exc)) from exc
    analysis = _Verdicts(options.analysis)
    sink = _Sink(analysis, writer, own, events)
    planned = [len(jobs)]  # grows as --repeat adds measurements

    def replanned(total: int) -> None:
        planned[0] = total
        events.planned(total)

    async def measure_all() -> None:
        infos = _Located(lambda location: _infos(selection, location, started, done))
        lookup = asyncio.create_task(_locate(options, own, events))
        lookup.add_done_callback(infos.learned)
        try:
            await runner.run(jobs, options, infos, sink.write, own, replanned)
            await lookup  # a run with nothing left to measure still reports a failed lookup
        finally:
            lookup.cancel()  # Ctrl-C: the lookup is not waited for

    events.planned(len(jobs))
    interrupted = False
    with writer, fewer_collections():
        try:
            asyncio.run(measure_all())
        except KeyboardInterrupt:
            interrupted = True
        except ResultsError as exc:
            raise RunFailed(str(exc)) from exc
    if sink.scrubbed is not None:
        _scrub_late(path, options.secrets, own, sink.scrubbed)
    summary = analysis.finish()
    if summary.marks and not interrupted:
        _append_trailer(path, summary, Scrubber([*options.secrets, *own.snapshot()]))
    return Outcome(
        path, summary, planned[0], writer.count, datetime.now(UTC) - started, interrupted
    )


YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation while measuring (Python's
default is 700)."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often while measuring, and never rescan what start-up built.

    A measurement allocates thousands of short-lived dicts and lists, freed by reference
    counting, yet each 700 allocations started a collection, and every few hundred of those a
    full one over all the modules' objects: about 7 % of a 1,000-target run's CPU. Start-up's
    objects are frozen (left out of every collection) and young collections come 14 times less
    often. The run's peak memory does not grow with it (docs/performance.md, "CPU per
    target")."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class _Sink:
    """Where the runner hands each finished measurement: analysed, written, then shown."""

    def __init__(
        self, analysis: _Verdicts, writer: JsonlWriter, own: OwnAddresses, events: Events
    ) -> None:
        self._analysis = analysis
        self._writer = writer
        self._own = own
        self._events = events
        self.scrubbed: frozenset[str] | None = None
        """The addresses the first line was scrubbed of; None until one is written."""

    def write(self, record: dict[str, Any]) -> dict[str, Any]:
        analysed = self._analysis.add(record)
        if self.scrubbed is None:
            self.scrubbed = self._own.snapshot()
        self._writer.write(analysed)
        self._events.measured(analysed)
        return analysed


class _Verdicts:
    """The run's analysis, imported and begun when the first measurement has finished: the
    verdicts' modules are not needed to start measuring (docs/performance.md, "Start-up")."""

    def __init__(self, options: AnalysisOptions) -> None:
        self._options = options
        self._run: tuple[RunAnalysis, RunSummary] | None = None

    def _begun(self) -> tuple[RunAnalysis, RunSummary]:
        from probe.analysis.run import RunAnalysis, RunSummary

        if self._run is None:
            self._run = RunAnalysis(self._options), RunSummary()
        return self._run

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        """One measurement with its verdict, final unless the run-level pass marks it (the
        empty summary: nothing is marked while the run goes on)."""
        from probe.analysis.run import mark_network

        run, provisional = self._begun()
        return mark_network(run.add(record), provisional)

    def finish(self) -> RunSummary:
        return self._begun()[0].finish()


class _Located:
    """The envelope data of a run whose network lookup may still be under way
    (:class:`probe.runner.Envelopes`): AS0/ZZ until it ends, then what it found."""

    def __init__(self, build: Callable[[Location], dict[str, RunInfo]]) -> None:
        self._build = build
        self._infos = build(UNKNOWN)
        self._done = asyncio.get_running_loop().create_future()

    def learned(self, lookup: asyncio.Task[Location]) -> None:
        if not lookup.cancelled() and lookup.exception() is None:
            self._infos = self._build(lookup.result())
        self._done.set_result(None)

    async def ready(self) -> dict[str, RunInfo]:
        await asyncio.shield(self._done)  # a worker cancelled while waiting leaves it for others
        return self._infos

    def known(self) -> dict[str, RunInfo]:
        return self._infos


async def _locate(options: RunOptions, own: OwnAddresses, events: Events) -> Location:
    """The network the probe is on; its public address joins what is scrubbed before any
    measurement is written."""
    if options.geoip is None:
        return UNKNOWN
    resolver = options.settings.resolver or system_resolver()
    if resolver is None:
        return UNKNOWN
    location = await locate(options.geoip, resolver, options.settings.timeouts.dns)
    if location.failure:
        events.note(
            _("network lookup failed ({failure}); storing AS0/ZZ").format(failure=location.failure)
        )
    if location.ip:
        own.add([location.ip])
    return location


def _infos(
    selection: Selection, location: Location, started: datetime, done: Recovered | None
) -> dict[str, RunInfo]:
    """Each test's envelope data; a resumed run keeps the file's report ids and start time, so
    the result equals one whole run."""
    infos = {
        n.name: RunInfo(
            n.name,
            n.version,
            selection.list_name,
            started=started,
            probe_asn=location.asn,
            probe_cc=location.cc,
            probe_network_name=location.network_name,
        )
        for n in selection.nettests
    }
    if done is None or not done.test_start_time:
        return infos
    return {
        name: replace(
            info, report_id=done.report_ids.get(name, info.report_id), started=done.test_start_time
        )
        for name, info in infos.items()
    }


def _resume(
    options: RunOptions, jobs: list[Job], own: OwnAddresses, events: Events
) -> tuple[list[Job], Recovered | None]:
    """With ``--resume``, the jobs the file does not hold yet, and what it does; an earlier
    part left unjudged is closed first."""
    if options.resume is None:
        return jobs, None
    if options.output is not None and options.output != options.resume:
        raise UsageError("--resume FILE already names the output; drop --output")
    jobs, done = _recover(options.resume, jobs, events)
    if jobs and done.unjudged:
        # The earlier part's lines were scrubbed in their own sitting; so is its trailer.
        scrubber = Scrubber([*options.secrets, *own.snapshot()])
        _judge_earlier(options.resume, done, scrubber, events)
    return jobs, done


def _recover(path: Path, jobs: list[Job], events: Events) -> tuple[list[Job], Recovered]:
    """Skip what ``path`` holds; its report ids are kept (:func:`_infos`)."""
    try:
        done = recover(path)
    except (ResultsError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    if done.torn_bytes:
        events.note(
            _(
                "repaired {where}: removed an incomplete last line ({count} bytes) left by the "
                "interruption; that target is measured again"
            ).format(where=f"{path}:{done.torn_line}", count=done.torn_bytes)
        )
    remaining = [j for j in jobs if (j.nettest.name, j.input) not in done.done]
    events.note(
        _("resuming: {done} done, {left} to measure").format(
            done=len(jobs) - len(remaining), left=len(remaining)
        )
    )
    return remaining, done


def _judge_earlier(path: Path, done: Recovered, scrubber: Scrubber, events: Events) -> None:
    """Close the part an interrupted run left unjudged with its own trailer, before this run
    appends: the run-level pass judges each sitting on its own network, never one by another."""
    from probe.analysis.results import summarise_open_part

    try:
        summary = summarise_open_part(path, done.last_trailer)
    except (ResultsError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    if summary.network_unusable:
        events.note(f"the {done.unjudged} measurements already in {path}: {summary.reason}")
    _append_trailer(path, summary, scrubber)


def _scrub_late(
    path: Path, secrets: tuple[str, ...], own: OwnAddresses, known: frozenset[str]
) -> None:
    """Scrub the whole file again if the run learned an address after it began writing: the
    one rewrite left, for privacy, and only when an address came or rotated during the run."""
    own.add(interface_addresses())
    if own.snapshot() == known:
        return
    try:
        rewrite(path, Scrubber([*secrets, *own.snapshot()]))
    except (ResultsError, OSError) as exc:
        raise RunFailed(f"could not scrub {path} again: {exc}") from exc


def _append_trailer(path: Path, summary: RunSummary, scrubber: Scrubber) -> None:
    try:
        with JsonlWriter(path) as writer:
            writer.write_trailer(scrubber(summary.as_dict()))
    except ResultsError as exc:
        raise RunFailed(str(exc)) from exc
