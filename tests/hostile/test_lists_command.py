"""``probe lists`` over a folder of broken lists: each names its FILE:LINE: reason in its row,
the good lists are still counted, and nothing ends in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe.cli.app import app

BROKEN: dict[str, tuple[bytes, str]] = {
    "binary": (bytes(range(1, 256)) * 4, ":2: not valid UTF-8 text (invalid start byte"),
    "columns": (b"name,notes\nx,y\n", ":1: missing required column 'url'"),
    "huge": (b"url\nhttp://a.test/" + b"a" * 10_000_000 + b"\n", ":2: bad CSV (field larger"),
    "bad-utf8": (b"url\nhttp://caf\xe9.test/\n", ":2: not valid UTF-8 text"),
    "huge-url": (b"url\nhttp://a.test/" + b"a" * 100_000 + b"\n", ":2: bad URL"),
    "markup": (b"url\nftp://x.test/[/][bold]\n", ":2: bad URL 'ftp://x.test/[/][bold]'"),
    "fields": (b"url,comment\nhttp://a.test/\n", ":2: expected 2 fields, found 1"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_list_is_named_in_its_row_and_the_others_still_count(
    tmp_path: Path, name: str
) -> None:
    data, reason = BROKEN[name]
    (tmp_path / f"{name}.csv").write_bytes(data)
    (tmp_path / "good.csv").write_text("url\nhttp://ok.test/\nhttp://two.test/\n")
    result = CliRunner().invoke(
        app, ["lists", "--lists-dir", str(tmp_path)], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None
    shown = " ".join(result.output.split())
    assert f"{tmp_path / name}.csv{reason}" in shown, shown
    assert "│ good │ 2 │" in shown
    assert len(result.output) < 5000
