"""A 10 MB URL, on the command line or as one line of a list, is refused before any work.

The refusal names the input (``--url:N`` or ``FILE:LINE``) and shows a few dozen characters of
it, never the 10 MB; nothing is measured or written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe.cli.app import app
from probe.inputs.urls import MAX_URL_BYTES, check_url

HUGE = "http://a.test/" + "a" * 10_000_000
ENV = {"PROBE_RESOLVER": "127.0.0.1:9", "PROBE_SYSTEM_DNS": "0", "COLUMNS": "200"}


def _run(args: list[str], tmp: Path) -> tuple[int, str]:
    out = tmp / "out.jsonl"
    env = {**ENV, "XDG_CONFIG_HOME": str(tmp / "config")}
    result = CliRunner().invoke(app, ["run", *args, "-o", str(out), "--yes", "--no-geoip"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert not out.exists() and not (tmp / "config").exists()
    return result.exit_code, result.output


def test_the_limit_is_bytes_and_a_url_at_it_passes() -> None:
    at_limit = "http://a.test/" + "a" * (MAX_URL_BYTES - len("http://a.test/"))
    assert check_url(at_limit).hostname == "a.test"
    with pytest.raises(ValueError, match=f"longer than {MAX_URL_BYTES} bytes"):
        check_url(at_limit + "a")
    with pytest.raises(ValueError, match="longer than"):  # 1,114 characters, 2,214 bytes
        check_url("http://a.test/" + "é" * 1100)


def test_a_10_mb_url_argument_is_refused_naming_it(tmp_path: Path) -> None:
    code, output = _run(["--url", "http://b.test/", "--url", HUGE], tmp_path)
    assert code == 2
    assert "--url:2: bad URL 'http://a.test/aaa" in output
    assert f"longer than {MAX_URL_BYTES} bytes" in output
    assert len(output) < 1000


@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_a_10_mb_line_of_a_list_is_refused_with_file_and_line(tmp_path: Path, suffix: str) -> None:
    listing = tmp_path / f"list{suffix}"
    header = "url,category_code,category_description,date_added,source,notes\n"
    rows = (
        ["http://b.test/", HUGE]
        if suffix == ".txt"
        else [f"{u},NEWS,,,," for u in ("http://b.test/", HUGE)]
    )
    listing.write_text((header if suffix == ".csv" else "") + "\n".join(rows) + "\n")
    code, output = _run(["--list", str(listing)], tmp_path)
    assert code == 2
    line = 2 if suffix == ".txt" else 3
    assert f"{listing}:{line}: " in output.replace("\n", "")
    assert len(output) < 1000
