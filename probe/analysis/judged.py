"""What one test's analysis returns, the shape every ``judge`` function shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from probe.analysis.observations import Record
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import Analysis


@dataclass(frozen=True)
class Judged:
    keys: dict[str, Any]
    """The analysis keys to merge into ``test_keys`` (for an app test, its OONI summary keys
    too: ``probe.analysis.app_keys``)."""
    web: Analysis | None = None
    """web_connectivity's whole analysis, which the run-level pass reads."""
    line: str | None = None
    """The summary line of an app or tool test."""


Judge = Callable[[Record, AnalysisOptions, bool], Judged]
"""``judge(measurement, options, known)``: ``known`` is False when the options are defaults
standing in for ones the file does not record."""
