"""`probe report`: the summary, the self-contained HTML, and the HTML in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from analysts.factory import STATUSES, measurement, write_jsonl
from probe.analysts.charts import COLOURS
from probe.analysts.outcomes import Outcome
from probe.analysts.report_html import render_html
from probe.analysts.summary import summarize_runs
from probe.cli.report import report

HOSTILE = "https://x.test/<script>alert(1)</script>"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Three runs (two dates on AS9198, one on AS21299); statuses rotate between runs."""
    folder = tmp_path / "runs"
    folder.mkdir()
    statuses = list(STATUSES)
    plan = [("AS9198", "2026-01-01"), ("AS9198", "2026-02-01"), ("AS21299", "2026-02-01")]
    for number, (asn, day) in enumerate(plan):
        records = [
            measurement(
                f"https://site{i}.test/",
                statuses[(i + number) % len(statuses)],
                asn=asn,
                start=f"{day} 10:00:00",
                report_id=f"run{number}",
                category=["NEWS", "POLR", "HUMR"][i % 3],
            )
            for i in range(len(statuses))
        ]
        records.append(
            measurement(
                HOSTILE,
                "http.blockpage",
                report_id=f"run{number}",
                asn=asn,
                start=f"{day} 10:00:00",
            )
        )
        write_jsonl(folder / f"run{number}.jsonl", records)
    return folder


def _cli(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(report)
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_summary_counts_match_the_runs(runs: Path) -> None:
    summary = summarize_runs([runs])
    assert [run.report_id for run in summary.runs] == ["run0", "run1", "run2"]
    blocked_statuses = sum(isinstance(b, str) for b, _, _, _ in STATUSES.values())
    assert summary.total[Outcome.BLOCKED] == 3 * (blocked_statuses + 1)
    assert sum(summary.total.values()) == 3 * (len(STATUSES) + 1)
    assert summary.by_technique["http.blockpage"] == 6
    targets, count = summary.changing_targets(limit=2)
    assert len(targets) == 2 and count == len(STATUSES) + 1
    assert [summary.timeline[targets[0]][run] for run in ("run0", "run1", "run2")] == [
        Outcome.BLOCKED
    ] * 3


def test_html_is_self_contained_and_escaped(runs: Path) -> None:
    page = render_html(summarize_runs([runs]))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*"(?!#)|url\((?!#)|@import""", page, re.IGNORECASE)
    assert page.count("<svg") == 3  # category, technique, timeline
    assert page.count("<script>") == 1
    assert "default-src 'none'" in page


def test_single_run_has_no_timeline(runs: Path) -> None:
    page = render_html(summarize_runs([runs / "run0.jsonl"]))
    assert page.count("<svg") == 2
    assert "Timeline" not in page


def test_terminal_summary_without_html(runs: Path) -> None:
    code, output = _cli(str(runs))
    assert code == 0
    for heading in ["Runs", "Counts by verdict", "By category", "Timeline", "Blocked targets"]:
        assert heading in output
    assert "2026-02-01 10:00 AS21299" in output
    assert "tls: ssl_unknown_authority" in output


def test_missing_verdicts_is_an_error(tmp_path: Path) -> None:
    raw = write_jsonl(tmp_path / "raw.jsonl", [measurement("https://a.test/", verdicts=False)])
    code, output = _cli(str(raw), "--html", str(tmp_path / "r.html"))
    assert code == 2
    assert "probe analyze" in output
    assert not (tmp_path / "r.html").exists()


# --- in a real browser -------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-pings",
    # Belt and braces: any request the page or the browser might make goes nowhere.
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture
def chromium() -> Iterator[str]:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    yield binary


def _browse(binary: str, page: Path, profile: Path, *action: str) -> tuple[str, list[str]]:
    """Open a page headless; return stdout and every console message Chromium logged."""
    done = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=os.environ | {"HOME": str(profile)},
    )
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_broken_page_is_caught_by_the_console_scan(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>notDefined()</script></body></html>")
    _, console = _browse(chromium, page, tmp_path / "profile", "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console)


def test_report_renders_in_chromium_without_console_errors(
    chromium: str, runs: Path, tmp_path: Path
) -> None:
    html = tmp_path / "report.html"
    code, output = _cli(str(runs), "--html", str(html))
    assert code == 0, output

    dom, console = _browse(chromium, html, tmp_path / "profile1", "--dump-dom")
    assert console == []
    assert 'data-sort-ready="true"' in dom  # the inline script ran under the page's CSP

    shot = tmp_path / "report.png"
    _, console = _browse(
        chromium, html, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert console == []
    with Image.open(shot) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 24) or []}
    red = tuple(int(COLOURS[Outcome.BLOCKED][i : i + 2], 16) for i in (1, 3, 5))
    assert red in colours  # the charts were drawn, not just the text
