"""Stream results files into small per-target records that hold verdicts and evidence only.

Measurements carry bodies and certificate chains; an analyst tool keeps none of that, so memory
grows with the number of targets, never with the size of the files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from probe.analysis.observations import mapping
from probe.analysis.per_test import stored_verdict
from probe.analysis.results import read_results
from probe.analysts.evidence import failing_step, mitm_root, resolved_ips
from probe.analysts.outcomes import Outcome, outcome_of
from probe.i18n import _
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped


class MissingVerdictsError(ResultsError):
    """A measurement without verdict keys: ``probe analyze`` has not been run on its file."""


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One measured target as the analyst tools see it."""

    input: str
    test_name: str
    report_id: str
    measurement_start_time: str
    probe_asn: str
    probe_cc: str
    probe_network_name: str
    list_name: str | None
    category: str | None
    outcome: Outcome
    blocking: str | None
    accessible: bool | None
    technique: str | None
    detail: str | None
    blockpage: str | None
    failing_step: str | None
    resolved_ips: tuple[str, ...]
    mitm_root: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.input, self.test_name)

    @property
    def status(self) -> str:
        """The outcome, with the technique (or blocking type) when blocked."""
        if self.outcome is Outcome.BLOCKED:
            return f"blocked {self.technique or self.blocking}"
        return str(self.outcome)


@dataclass
class RunInfo:
    """Metadata of one run (one ``report_id``), accumulated while streaming."""

    report_id: str
    test_start_time: str
    probe_asn: str
    probe_cc: str
    probe_network_name: str
    software: str
    lists: set[str] = field(default_factory=set)
    test_names: set[str] = field(default_factory=set)
    measurements: int = 0
    network_unusable: bool = False
    """``probe analyze`` found the network itself unusable: every verdict is undetermined."""


def measurement_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into their ``*.jsonl`` files (recursively), keeping the order given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.jsonl"))
            if not found:
                raise ResultsError(f"{path}: no .jsonl results files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise ResultsError(f"{path}: no such file or folder")
    return files


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    """A non-empty string, interned: most fields repeat across a run's targets."""
    text = _string(value)
    return sys.intern(text) if text else None


def _field(record: dict[str, Any], name: str) -> str:
    return _text(record.get(name)) or ""


def summarize(record: dict[str, Any], path: Path) -> TargetResult:
    """Keep the verdict and a short evidence summary of one measurement."""
    keys = mapping(record["test_keys"])
    # A test whose targets are built in has input null (df-000); probe 0.1 wrote "".
    target = _string(record.get("input")) or ""
    test_name = _field(record, "test_name")
    stored = stored_verdict(keys)
    if stored is None:
        raise MissingVerdictsError(
            _(
                "{path}: the measurement of {target} has no verdict keys (blocking and "
                "accessible, or x_blocking and x_accessible); run `probe analyze {path} --output "
                "{path}` first"
            ).format(path=path, target=target or test_name)
        )
    annotations = mapping(record.get("annotations"))
    blocking, accessible = stored
    return TargetResult(
        input=target,
        test_name=test_name,
        report_id=_field(record, "report_id"),
        measurement_start_time=_field(record, "measurement_start_time"),
        probe_asn=_field(record, "probe_asn"),
        probe_cc=_field(record, "probe_cc"),
        probe_network_name=_field(record, "probe_network_name"),
        list_name=_text(annotations.get("x_list")),
        category=_text(annotations.get("category_code")),
        outcome=outcome_of(blocking, accessible),
        blocking=_text(blocking),
        accessible=accessible if isinstance(accessible, bool) else None,
        technique=_text(keys.get("x_technique")),
        detail=_string(keys.get("x_detail")),
        blockpage=_text(keys.get("x_blockpage")),
        failing_step=_text(failing_step(keys)),
        resolved_ips=tuple(map(sys.intern, resolved_ips(keys))),
        mitm_root=_text(mitm_root(keys)),
    )


class RunIndex:
    """The runs seen while streaming, by ``report_id``, in order of first appearance."""

    def __init__(self) -> None:
        self.runs: dict[str, RunInfo] = {}

    def add(self, record: dict[str, Any], result: TargetResult) -> None:
        run = self.runs.get(result.report_id)
        if run is None:
            run = RunInfo(
                report_id=result.report_id,
                test_start_time=str(record.get("test_start_time", "")),
                probe_asn=result.probe_asn,
                probe_cc=result.probe_cc,
                probe_network_name=result.probe_network_name,
                software=f"{record.get('software_name', '?')} {record.get('software_version', '')}",
            )
            self.runs[result.report_id] = run
        run.measurements += 1
        run.network_unusable |= record["test_keys"].get("x_network_unusable") is True
        run.test_names.add(result.test_name)
        if result.list_name:
            run.lists.add(result.list_name)

    def ordered(self) -> list[RunInfo]:
        return sorted(self.runs.values(), key=lambda r: (r.test_start_time, r.report_id))


REQUIRED = ("test_name", "measurement_start_time")
"""Base keys an analyst tool cannot place a measurement without."""


def load_targets(
    paths: Iterable[Path], runs: RunIndex | None = None, skipped: Skipped | None = None
) -> Iterator[TargetResult]:
    """Stream every measurement of the given files and folders as a ``TargetResult``; lines
    that are not well-formed measurements are errors, or left out and recorded in ``skipped``."""
    for path in measurement_files(list(paths)):
        for record in read_results(path, skipped, REQUIRED):
            result = summarize(record, path)
            if runs is not None:
                runs.add(record, result)
            yield result
