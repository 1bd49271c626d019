"""A results file as analysts read it: its measurements with the run-level verdict applied.

``probe run`` writes each measurement once, as it finishes, and never rewrites the file; when the
run-level pass finds the network itself unusable it appends a trailer line saying so. Readers
apply that trailer here, so every tool sees the same final verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from probe.analysis.network import Step
from probe.analysis.run import RunSummary, mark_network
from probe.report.jsonl import read_jsonl, read_trailer
from probe.report.lines import Skipped

_STEPS: dict[object, Step] = {"tls": "tls", "tcp": "tcp"}


def summary_from_trailer(trailer: dict[str, Any]) -> RunSummary:
    """The part of a stored summary (``RunSummary.as_dict``) that marks measurements."""
    reason = trailer.get("reason")
    return RunSummary(
        network_unusable=trailer.get("network_unusable") is True,
        reason=reason if isinstance(reason, str) else None,
        unusable_step=_STEPS.get(trailer.get("unusable_step")),
    )


def read_results(
    path: Path, skipped: Skipped | None = None, required: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """Stream the measurements of ``path``, each marked as its trailer (if any) says; bad lines
    as :func:`probe.report.jsonl.read_jsonl` treats them."""
    trailer = read_trailer(path)
    summary = summary_from_trailer(trailer) if trailer is not None else None
    for measurement in read_jsonl(path, skipped, required):
        yield measurement if summary is None else mark_network(measurement, summary)
