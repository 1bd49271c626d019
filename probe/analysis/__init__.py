"""Verdicts from stored measurements: pure functions of the raw observations and their controls.

Nothing here measures, reads settings or prints, so any stored file can be analysed again with a
newer version and get the same answer every time.

Each name below is imported from its module on first use, not with the package: ``probe run``
imports the options module before measuring and the verdicts only once the first measurement
has finished (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from probe.analysis.verdict import ANALYSIS_VERSION, Verdict

_MODULES = {
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
    "verdict": ("ANALYSIS_VERSION", "Verdict"),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
