"""Verdicts from stored measurements: pure functions of the raw observations and their controls.

Nothing here measures, reads settings or prints, so any stored file can be analysed again with a
newer version and get the same answer every time.
"""

from probe.analysis.judging import Verdict
from probe.analysis.options import OPTIONS_KEY, AnalysisOptions, OptionFlags, OptionsSource
from probe.analysis.per_test import stored_verdict
from probe.analysis.run import (
    ANALYSIS_KEYS,
    RunAnalysis,
    RunSummary,
    analyze_measurement,
    analyze_run,
    combined,
    mark_network,
    merge,
)
from probe.analysis.verdict import ANALYSIS_VERSION

__all__ = [
    "ANALYSIS_KEYS",
    "ANALYSIS_VERSION",
    "OPTIONS_KEY",
    "AnalysisOptions",
    "OptionFlags",
    "OptionsSource",
    "RunAnalysis",
    "RunSummary",
    "Verdict",
    "analyze_measurement",
    "analyze_run",
    "combined",
    "mark_network",
    "merge",
    "stored_verdict",
]
