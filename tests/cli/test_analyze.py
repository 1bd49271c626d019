"""``probe analyze`` through a small typer app that mounts the command, as the lead will."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from probe.cli.analyze import analyze

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "measurements"
EXEMPT = ["--bogon-exempt", "203.0.113.0/24,198.51.100.0/24,192.0.2.0/24"]

app = typer.Typer()
app.command()(analyze)


@app.callback()
def _root() -> None:
    """Mount ``analyze`` as a sub-command, as ``probe`` does."""


runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["analyze", *map(str, args)])
    return result.exit_code, result.output


def test_analysing_an_analysed_file_changes_nothing(tmp_path: Path) -> None:
    once, twice = tmp_path / "once.jsonl", tmp_path / "twice.jsonl"
    assert _run(FIXTURES / "small-run.jsonl", "-o", once, *EXEMPT)[0] == 0
    assert _run(once, "--output", twice, *EXEMPT)[0] == 0
    assert once.read_bytes() == twice.read_bytes()
    lines = [json.loads(line) for line in once.read_text("utf-8").splitlines()]
    assert [m["test_keys"]["x_technique"] for m in lines] == [
        None,
        "tls.reset",
        None,
        "http.blockpage",
        None,
    ]
    assert all(m["test_keys"]["x_network_unusable"] is False for m in lines)


def test_output_may_be_the_input_itself(tmp_path: Path) -> None:
    copy = tmp_path / "run.jsonl"
    shutil.copy(FIXTURES / "small-run.jsonl", copy)
    code, _ = _run(copy, "-o", copy, *EXEMPT)
    assert code == 0
    assert len(copy.read_text("utf-8").splitlines()) == 5
    assert list(tmp_path.iterdir()) == [copy]  # no temporary file left behind


def test_without_output_nothing_is_written_and_the_summary_is_printed(tmp_path: Path) -> None:
    copy = tmp_path / "run.jsonl"
    shutil.copy(FIXTURES / "small-run.jsonl", copy)
    before = copy.read_bytes()
    code, output = _run(copy, *EXEMPT)
    assert code == 0 and copy.read_bytes() == before
    assert "tls.reset" in output and "http.blockpage" in output and "undetermined" in output


def test_environment_supplies_the_bogon_exemption(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_BOGON_EXEMPT", "203.0.113.0/24")
    result = runner.invoke(app, ["analyze", str(FIXTURES / "small-run.jsonl")])
    assert result.exit_code == 0 and "tls.reset" in result.output
    monkeypatch.delenv("PROBE_BOGON_EXEMPT")
    field = runner.invoke(app, ["analyze", str(FIXTURES / "small-run.jsonl")])
    assert "tls.reset" not in field.output  # TEST-NET answers are bogons in the field


def test_unusable_network_is_said_first(tmp_path: Path) -> None:
    code, output = _run(FIXTURES / "unusable-network.jsonl", "-o", tmp_path / "out.jsonl")
    assert code == 0 and output.lstrip().startswith("network unusable")


def test_corrupt_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = (FIXTURES / "small-run.jsonl").read_text("utf-8").splitlines()[0]
    bad.write_text(f"{good}\n\n{{not json\n", "utf-8")
    out = tmp_path / "out.jsonl"
    code, output = _run(bad, "-o", out)
    assert code == 2
    assert f"{bad}:3" in output.replace("\n", "")
    assert not out.exists()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    fixture = FIXTURES / "small-run.jsonl"
    assert _run(fixture, "--bogon-exempt", "not-a-cidr")[0] == 2
    code, output = _run(fixture, "--interception-roots", tmp_path / "missing.pem")
    assert code == 2 and "missing.pem" in output
