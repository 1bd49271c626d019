"""Which analysis judges which nettest: looked up by the test's name.

web_connectivity and the app tests share rules, so a table names them here. Any other test's
analysis is the module of its own name, ``probe/analysis/NAME.py``, holding ``TEST_NAME`` and a
``judge`` function (:data:`probe.analysis.judged.Judge`); it is imported when a measurement of
that test is judged. It lives here, not in the nettest registry, because nettests must not import
the analysis. A test with neither is never judged by another test's rules: its measurements are
undetermined, "no analysis for <test>".
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any, Final

from probe.analysis.app_keys import summary_keys
from probe.analysis.apps import APP_VERDICTS, app_keys, app_verdict
from probe.analysis.judged import Judge, Judged
from probe.analysis.judging import undetermined
from probe.analysis.legacy import upgraded
from probe.analysis.observations import Record
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import analyse, verdict_keys
from probe.i18n import N_

WEB: Final = "web_connectivity"
OONI_VERDICT_KEYS: Final = ("blocking", "accessible")
"""ts-017's verdict keys: OONI defines them for web_connectivity only."""
X_VERDICT_KEYS: Final = ("x_blocking", "x_accessible")
"""The same verdict for every other test, where OONI's spec has no such keys."""
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")


def _web(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    result = analyse(measurement, options, known)
    return Judged(result.keys, web=result)


def _app(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    verdict = app_verdict(measurement)
    assert verdict is not None  # the table names only tests APP_VERDICTS knows
    summary = summary_keys(name_of(measurement), measurement.get("test_keys"))
    return Judged(summary | app_keys(verdict), line=verdict.line())


ANALYSES: Final[Mapping[str, Judge]] = {WEB: _web, **dict.fromkeys(APP_VERDICTS, _app)}
"""The tests that share rules. dns_injection has no analysis of its own: its observations are
judged inside web_connectivity's (``x_packet_tests``), as censor_locate's are there too."""


@lru_cache(maxsize=64)  # names come from files: a hostile one must not grow it without end
def judge_of(name: str) -> Judge | None:
    """The analysis of test ``name``: the table's, else ``probe.analysis.NAME.judge``."""
    if name in ANALYSES:
        return ANALYSES[name]
    if not _NAME.fullmatch(name) or importlib.util.find_spec(f"probe.analysis.{name}") is None:
        return None
    module = importlib.import_module(f"probe.analysis.{name}")
    judge = getattr(module, "judge", None)
    if getattr(module, "TEST_NAME", None) != name or not callable(judge):
        return None
    found: Judge = judge
    return found


def name_of(measurement: Record) -> str:
    """A measurement without ``test_name`` is read as web_connectivity, the probe's first test."""
    name = measurement.get("test_name")
    return name if isinstance(name, str) and name else WEB


def verdict_key_names(name: str) -> tuple[str, str]:
    """Where test ``name`` stores its (blocking, accessible) verdict."""
    return OONI_VERDICT_KEYS if name == WEB else X_VERDICT_KEYS


def stored_verdict(keys: Record) -> tuple[object, object] | None:
    """The (blocking, accessible) pair stored in ``test_keys``, None when none is.

    ``x_blocking``/``x_accessible`` first: probe 0.1 wrote ``blocking``/``accessible`` for every
    test, so an old app measurement has only those."""
    for blocking, accessible in (X_VERDICT_KEYS, OONI_VERDICT_KEYS):
        if blocking in keys and accessible in keys:
            return keys[blocking], keys[accessible]
    return None


def _stored_as(name: str, keys: dict[str, Any]) -> dict[str, Any]:
    names = dict(zip(OONI_VERDICT_KEYS, verdict_key_names(name), strict=True))
    return {names.get(k, k): v for k, v in keys.items()}


def analyse_test(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    """Judge ``measurement``; one written by an older probe is read with today's keys."""
    name = name_of(measurement)
    judge = judge_of(name)
    if judge is None:
        none = N_("no analysis for {test}").format(test=name)
        judged = Judged(verdict_keys(undetermined(none)))
    else:
        judged = judge(upgraded(measurement), options, known)
    return replace(judged, keys=_stored_as(name, judged.keys))
