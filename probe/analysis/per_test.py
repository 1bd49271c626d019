"""Which analysis judges which nettest: the table the pipeline and the CLI look a test up in.

It lives here, not in the nettest registry, because nettests must not import the analysis. A test
the table does not name is never judged by another test's rules: its measurements are
undetermined, "no analysis for <test>".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from probe.analysis import censor_locate
from probe.analysis.apps import APP_VERDICTS, app_keys, app_verdict
from probe.analysis.observations import Record, mapping
from probe.analysis.options import AnalysisOptions
from probe.analysis.verdict import Analysis, analyse, undetermined, verdict_keys

WEB: Final = "web_connectivity"


@dataclass(frozen=True)
class Judged:
    keys: dict[str, Any]
    """The analysis keys to merge into ``test_keys``."""
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
    return Judged(app_keys(verdict), line=verdict.line())


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


def analyse_test(measurement: Record, options: AnalysisOptions, known: bool) -> Judged:
    name = name_of(measurement)
    judge = ANALYSES.get(name)
    if judge is None:
        return Judged(verdict_keys(undetermined(f"no analysis for {name}")))
    return judge(measurement, options, known)
