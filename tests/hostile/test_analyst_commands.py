"""Every analyst command on every hostile file: a clear message and exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe.cli.app import app
from tests.hostile.mutations import PINNED, hostile_files

runner = CliRunner()
Command = Callable[[Path, Path], list[str]]
COMMANDS: dict[str, Command] = {
    "report": lambda f, out: ["report", str(f)],
    "diff": lambda f, out: ["diff", str(PINNED), str(f)],
    "csv": lambda f, out: ["export", str(f), "--format", "csv", "-o", str(out / "o.csv")],
    "parquet": lambda f, out: ["export", str(f), "--format", "parquet", "-o", str(out / "o.pq")],
    "db": lambda f, out: ["db", "load", str(f), "--db", str(out / "a.duckdb")],
    "analyze": lambda f, out: ["analyze", str(f), "-o", str(out / "out.jsonl")],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_hostile_file_ends_in_a_traceback(name: str, tmp_path: Path) -> None:
    attempts, tracebacks, skipped = 0, [], 0
    path = tmp_path / "hostile.jsonl"
    for hostile in hostile_files():
        path.write_bytes(hostile.content)
        result = runner.invoke(app, COMMANDS[name](path, tmp_path))
        attempts += 1
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tracebacks.append(f"{hostile.name}: {result.exception!r}")
            continue
        assert result.exit_code in (0, 1, 2), hostile.name
        if result.exit_code == 2:
            assert f"{path}" in result.output, (hostile.name, result.output)
        if "skipped 1 line that is not" in result.output:
            skipped += 1
            assert f"{path}:{hostile.line}:" in result.output, hostile.name
    print(f"{name}: {attempts} attempts, {len(tracebacks)} tracebacks, {skipped} skipped a line")
    assert attempts > 500
    assert tracebacks == []


def test_a_bad_line_is_named_and_the_rest_still_count(tmp_path: Path) -> None:
    lines = PINNED.read_text().splitlines()
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([lines[0], "[1, 2, 3]", *lines[1:]]) + "\n")
    result = runner.invoke(app, ["export", str(path), "--format", "csv", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0
    assert f"{path}:2: an array, not a JSON object" in result.output
    assert "skipped 1 line that is not" in result.output
    assert f"{len(lines)} measurements written" in result.output


def test_analyze_refuses_a_bad_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    content = PINNED.read_text() + '{"test_keys": {"x": ' + "[" * 5000 + "]" * 5000 + "}}\n"
    path.write_text(content)
    result = runner.invoke(app, ["analyze", str(path), "-o", str(path)])
    assert result.exit_code == 2
    assert "nested deeper than 64 levels" in result.output
    assert path.read_text() == content
