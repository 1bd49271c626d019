"""Real OONI Probe measurements: ``probe analyze`` reads them, and the agreement table is pinned.

When a verdict change moves a row, the table test fails: regenerate the table with
``python -m tests.analysis.ooni_agreement --write`` and judge every new difference in
tests/fixtures/ooni/judgements.toml from the raw observations.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analysis import ooni_agreement
from analysis.ooni_agreement import FIXTURE, Judgement, Row, outcome, problems
from probe.cli.analyze import analyze

REGENERATE = "python -m tests.analysis.ooni_agreement --write"

app = typer.Typer()
app.command()(analyze)


@app.callback()
def _root() -> None:
    """Mount ``analyze`` as a sub-command, as ``probe`` does."""


def _row(ooni: str, probe: str, judgement: Judgement | None = None) -> Row:
    return Row(1, "R1", "http://example.org/", ooni, probe, None, judgement)


def test_probe_analyze_reads_every_ooni_measurement(tmp_path: Path) -> None:
    output = tmp_path / "analysed.jsonl"
    result = CliRunner().invoke(app, ["analyze", str(FIXTURE), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "27 targets" in result.output
    originals = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()]
    analysed = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    assert len(analysed) == len(originals) == 27
    for before, after in zip(originals, analysed, strict=True):
        assert after["test_keys"]["x_analysis_version"]
        # The raw observations OONI Probe stored survive re-analysis untouched.
        for key in ("queries", "tcp_connect", "tls_handshakes", "requests", "control"):
            assert after["test_keys"].get(key) == (before["test_keys"] or {}).get(key)


def test_the_table_in_the_docs_is_current() -> None:
    block = ooni_agreement.render(ooni_agreement.rows())
    assert ooni_agreement.doc_block(ooni_agreement.DOC.read_text("utf-8")) == block, (
        f"a verdict on a real OONI measurement changed: run `{REGENERATE}` and judge every new "
        "difference in tests/fixtures/ooni/judgements.toml"
    )


def test_every_difference_is_judged_and_every_judgement_fits() -> None:
    judgements = ooni_agreement.load_judgements()
    assert problems(ooni_agreement.rows(judgements=judgements), judgements) == []


def test_an_unjudged_difference_and_a_stale_judgement_are_reported() -> None:
    stale = {"R1": Judgement("both", "agreed once"), "gone": Judgement("probe", "old row")}
    unjudged = problems([_row("ok", "down")], {})
    misfit = problems([_row("ok", "down", stale["R1"])], stale)
    assert len(unjudged) == 1 and "add who is right" in unjudged[0]
    assert len(misfit) == 2 and "no longer fits" in misfit[0] and "gone" in misfit[1]
    assert problems([_row("ok", "ok", Judgement("neither", "both wrong"))], {}) == []


@pytest.mark.parametrize(
    ("keys", "word"),
    [
        ({"blocking": "dns", "accessible": False}, "blocked (dns)"),
        ({"blocking": False, "accessible": True}, "ok"),
        ({"blocking": False, "accessible": False}, "down"),
        ({"blocking": None, "accessible": None}, "undetermined"),
        ({"blocking": False, "accessible": None}, "undetermined"),
        ({}, "undetermined"),
    ],
)
def test_outcome_names_ooni_pairs(keys: dict[str, object], word: str) -> None:
    assert outcome(keys) == word


def test_check_mode_fails_on_a_stale_doc_and_write_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "analysis.md"
    doc.write_text(f"# Analysis\n\n{ooni_agreement.START}\nold table\n{ooni_agreement.END}\n")
    monkeypatch.setattr(ooni_agreement, "DOC", doc)
    assert ooni_agreement.main([]) == 1
    assert "out of date" in capsys.readouterr().err
    assert ooni_agreement.main(["--write"]) == 0
    assert ooni_agreement.main([]) == 0
    assert doc.read_text().startswith("# Analysis\n\n") and "old table" not in doc.read_text()
