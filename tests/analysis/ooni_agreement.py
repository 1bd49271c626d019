"""The probe's verdicts on real OONI Probe measurements, against OONI's own stored verdicts.

Regenerate the table in docs/analysis.md after a verdict change (from the repository root):

    python -m tests.analysis.ooni_agreement --write

Without ``--write`` it prints the table and exits 1 when docs/analysis.md is out of date.

The measurements are tests/fixtures/ooni/web_connectivity.jsonl (sources in SOURCES.md there).
OONI's verdict is the ``blocking``/``accessible`` pair OONI Probe stored; the probe's is what
``probe analyze`` recomputes from the same raw observations. Every difference needs a judgement in
tests/fixtures/ooni/judgements.toml: who is right and why, read from the raw observations. A
verdict change therefore fails tests/analysis/test_ooni_agreement.py until the table is
regenerated and the judgement of every new difference is written down.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from probe.analysis import analyze_run
from probe.report.jsonl import read_jsonl

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "ooni" / "web_connectivity.jsonl"
JUDGEMENTS = ROOT / "tests" / "fixtures" / "ooni" / "judgements.toml"
DOC = ROOT / "docs" / "analysis.md"
START = "<!-- ooni-agreement:start (python -m tests.analysis.ooni_agreement --write) -->"
END = "<!-- ooni-agreement:end -->"
DIFFERENCE_JUDGES = frozenset({"probe", "OONI", "neither"})
"""Who can be right when the verdicts differ."""
AGREEMENT_JUDGES = frozenset({"both", "neither"})
"""A note on a row that agrees: both right (a caveat), or both wrong."""


@dataclass(frozen=True)
class Judgement:
    right: str
    why: str


@dataclass(frozen=True)
class Row:
    number: int
    report_id: str
    input: str
    ooni: str
    probe: str
    technique: str | None
    judgement: Judgement | None

    @property
    def agree(self) -> bool:
        return self.ooni == self.probe


def outcome(keys: Mapping[str, Any]) -> str:
    """OONI's pair as one word: ``blocked (TYPE)``, ``ok``, ``down`` or ``undetermined``."""
    blocking, accessible = keys.get("blocking"), keys.get("accessible")
    if isinstance(blocking, str):
        return f"blocked ({blocking})"
    if blocking is False and accessible is True:
        return "ok"
    if blocking is False and accessible is False:
        return "down"
    return "undetermined"


def load_judgements(path: Path = JUDGEMENTS) -> dict[str, Judgement]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return {
        key: Judgement(str(value["right"]), " ".join(str(value["why"]).split()))
        for key, value in raw.items()
    }


def rows(fixture: Path = FIXTURE, judgements: Mapping[str, Judgement] | None = None) -> list[Row]:
    """One row per measurement: OONI's stored verdict, read before re-analysis replaces it."""
    known = load_judgements() if judgements is None else judgements
    measurements = list(read_jsonl(fixture))
    stored = [outcome(m.get("test_keys") or {}) for m in measurements]
    analysed, _ = analyze_run(measurements)
    return [
        Row(
            number,
            str(original.get("report_id")),
            str(original.get("input")),
            ooni,
            outcome(result["test_keys"]),
            result["test_keys"].get("x_technique"),
            known.get(str(original.get("report_id"))),
        )
        for number, (original, ooni, result) in enumerate(
            zip(measurements, stored, analysed, strict=True), start=1
        )
    ]


def problems(table: Sequence[Row], judgements: Mapping[str, Judgement]) -> list[str]:
    """What keeps the judgements from matching the table, one sentence each."""
    found: list[str] = []
    for row in table:
        judgement = row.judgement
        if judgement is None:
            if not row.agree:
                found.append(
                    f"row {row.number} ({row.report_id}): OONI says {row.ooni}, the probe "
                    f"{row.probe}; add who is right and why to {JUDGEMENTS.name}"
                )
            continue
        allowed = AGREEMENT_JUDGES if row.agree else DIFFERENCE_JUDGES
        if judgement.right not in allowed:
            found.append(
                f"row {row.number} ({row.report_id}): judgement right={judgement.right!r} no "
                f"longer fits ({'agree' if row.agree else 'differ'}: one of {sorted(allowed)}); "
                "re-read the measurement and update it"
            )
    ids = {row.report_id for row in table}
    found.extend(f"{key}: judged but not in {FIXTURE.name}" for key in judgements if key not in ids)
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(table: Sequence[Row]) -> str:
    """The generated part of the doc: the summary line and the table."""
    differences = [row for row in table if not row.agree]
    right = {
        who: sum(1 for row in differences if row.judgement and row.judgement.right == who)
        for who in DIFFERENCE_JUDGES
    }
    both_wrong = sum(
        1 for row in table if row.agree and row.judgement and row.judgement.right == "neither"
    )
    agreed = len(table) - len(differences)
    lines = [
        f"**{agreed} of {len(table)}** verdicts agree with OONI's. Of the {len(differences)} "
        f"differences, the probe is right in **{right['probe']}**, OONI in {right['OONI']}, "
        f"neither in {right['neither']}. In {both_wrong} of the agreements both are wrong.",
        "",
        "| # | report_id | input | OONI | probe | agree | who is right and why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in table:
        probe = row.probe + (f" `{row.technique}`" if row.technique else "")
        note = f"**{row.judgement.right}**: {row.judgement.why}" if row.judgement else ""
        lines.append(
            f"| {row.number} | `{row.report_id}` | {_cell(row.input)} | {row.ooni} | {probe} "
            f"| {'yes' if row.agree else '**no**'} | {_cell(note)} |"
        )
    return "\n".join(lines)


def doc_block(text: str) -> str | None:
    """The generated part of docs/analysis.md, or None when its markers are missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(START) : end].strip("\n")


def with_block(text: str, block: str) -> str:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{DOC}: markers {START!r} … {END!r} not found")
    return f"{text[: start + len(START)]}\n{block}\n{text[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {DOC.name} in place")
    args = parser.parse_args(argv)
    judgements = load_judgements()
    table = rows(judgements=judgements)
    block = render(table)
    for problem in problems(table, judgements):
        print(f"warning: {problem}", file=sys.stderr)
    text = DOC.read_text(encoding="utf-8")
    if args.write:
        DOC.write_text(with_block(text, block), encoding="utf-8")
        print(f"wrote the table ({len(table)} measurements) to {DOC}")
        return 0
    print(block)
    if doc_block(text) != block:
        print(f"\n{DOC} is out of date: run with --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
