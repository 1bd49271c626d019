"""A results file as analysts read it: its measurements with the run-level verdicts applied.

``probe run`` writes each measurement once, as it finishes, and never rewrites the file; when the
run-level pass finds the network itself unusable it appends a trailer line saying so. A trailer
judges the measurements above it back to the previous trailer: its part of the file, measured in
one sitting on one network. A resumed run makes a part of its own, so a network that failed in
one sitting never relabels what another measured. Readers apply the trailers here, so every tool
sees the same final verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from probe.analysis.network import Step
from probe.analysis.options import OptionsSource
from probe.analysis.repeats import repeats_from_rows
from probe.analysis.run import RunAnalysis, RunSummary, mark_network
from probe.report.jsonl import is_trailer, numbered_lines, trailers
from probe.report.lines import Skipped

_STEPS: dict[object, Step] = {"tls": "tls", "tcp": "tcp"}


def summary_from_trailer(trailer: dict[str, Any]) -> RunSummary:
    """The part of a stored summary (``RunSummary.as_dict``) that marks measurements."""
    reason = trailer.get("reason")
    return RunSummary(
        network_unusable=trailer.get("network_unusable") is True,
        reason=reason if isinstance(reason, str) else None,
        unusable_step=_STEPS.get(trailer.get("unusable_step")),
        repeats=repeats_from_rows(trailer.get("repeats")),
    )


def read_results(
    path: Path, skipped: Skipped | None = None, required: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Stream the measurements of ``path``, each marked as the trailer closing its part (if any)
    says; bad lines as :func:`probe.report.jsonl.read_jsonl` treats them."""
    closing = [(number, summary_from_trailer(t)) for number, t in trailers(path)]
    part = 0
    for number, measurement in numbered_lines(path, skipped, required):
        while part < len(closing) and closing[part][0] < number:
            part += 1
        yield measurement if part == len(closing) else mark_network(measurement, closing[part][1])


def summarise_parts(path: Path, options: OptionsSource | None = None) -> list[RunSummary]:
    """The run-level summary of each part of ``path``: one per trailer, then one for the
    measurements after the last (empty when the file ends with a trailer). Raises ResultsError
    naming file:line."""
    summaries: list[RunSummary] = []
    run = RunAnalysis(options)
    for _, record in numbered_lines(path, with_trailers=True):
        if is_trailer(record):
            summaries.append(run.finish())
            run = RunAnalysis(options)
        else:
            run.add(record)
    return [*summaries, run.finish()]


def summarise_open_part(path: Path, after: int) -> RunSummary:
    """The run-level summary of the measurements after line ``after`` (the last trailer's), with
    the analysis options each one stored."""
    run = RunAnalysis()
    for number, record in numbered_lines(path):
        if number > after:
            run.add(record)
    return run.finish()
