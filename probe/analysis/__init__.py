"""Verdicts from stored measurements: pure functions of the raw observations and their controls.

Nothing here measures, reads settings or prints, so any stored file can be analysed again with a
newer version and get the same answer every time.

The names below are imported from their modules on first use (:mod:`probe.exports`): ``probe
run`` loads the options before measuring and the verdicts once the first measurement is done.
"""

from typing import TYPE_CHECKING

from probe.exports import lazy_exports

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(
    __name__,
    {
        "options": ("OPTIONS_KEY", "AnalysisOptions", "OptionFlags", "OptionsSource"),
        "per_test": ("stored_verdict",),
        "run": (
            "ANALYSIS_KEYS",
            "RunAnalysis",
            "RunSummary",
            "analyze_measurement",
            "analyze_run",
            "combined",
            "mark_network",
            "merge",
        ),
        "judging": ("Verdict",),
        "verdict": ("ANALYSIS_VERSION",),
    },
)
