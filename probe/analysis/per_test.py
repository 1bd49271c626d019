"""Which analysis judges which nettest: the table the pipeline and the CLI look a test up in.

It lives here, not in the nettest registry, because nettests must not import the analysis. A test
the table does not name is never judged by another test's rules: its measurements are
undetermined, "no analysis for <test>".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from probe.analysis import censor_locate
from probe.analysis.app_keys import summary_keys
from probe.analysis.apps import APP_VERDICTS, app_keys, app_verdict
from probe.analysis.judging import undetermined
from probe.analysis.legacy import upgraded
from probe.analysis.observations import Record, mapping
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import Analysis, analyse, verdict_keys
from probe.i18n import N_

WEB: Final = "web_connectivity"
OONI_VERDICT_KEYS: Final = ("blocking", "accessible")
"""ts-017's verdict keys: OONI defines them for web_connectivity only."""
X_VERDICT_KEYS: Final = ("x_blocking", "x_accessible")
"""The same verdict for every other test, where OONI's spec has no such keys."""


@dataclass(frozen=True)
class Judged:
    keys: dict[str, Any]
    """The analysis keys to merge into ``test_keys`` (for an app test, its OONI summary keys
    too: ``probe.analysis.app_keys``)."""
    web: Analysis | None = None
    """web_connectivity's whole analysis, which the run-level pass reads."""
    line: str | None = None
    """The summary line of an app or tool test."""


Analyse = Callable[[Record, AnalysisOptions, bool], Judged]


def _web(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    result = analyse(measurement, options, known)
    return Judged(result.keys, web=result)


def _app(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    verdict = app_verdict(measurement)
    assert verdict is not None  # the table names only tests APP_VERDICTS knows
    summary = summary_keys(name_of(measurement), measurement.get("test_keys"))
    return Judged(summary | app_keys(verdict), line=verdict.line())


def _censor_locate(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    keys = mapping(measurement.get("test_keys"))
    verdict, found = censor_locate.locate_verdict(keys)
    located = {"x_censor_location": found.as_dict() if found else None}
    line = censor_locate.summary_line(str(measurement.get("input", "")), verdict, found)
    return Judged(verdict_keys(verdict) | located, line=line)


ANALYSES: Final[Mapping[str, Analyse]] = {
    WEB: _web,
    censor_locate.TEST_NAME: _censor_locate,
    **dict.fromkeys(APP_VERDICTS, _app),
}
"""test_name -> its analysis. dns_injection has none of its own: its observations are judged
inside web_connectivity's (``x_packet_tests``), as censor_locate's are there too."""


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
    judge = ANALYSES.get(name)
    if judge is None:
        none = N_("no analysis for {test}").format(test=name)
        judged = Judged(verdict_keys(undetermined(none)))
    else:
        judged = judge(upgraded(measurement), options, known)
    return replace(judged, keys=_stored_as(name, judged.keys))
