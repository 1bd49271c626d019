"""Two lab ISPs upload to the collector in the lab's internet namespace; the analyst then diffs
AS9198 against AS206026 from the shared store and gets what the two results files give."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lab.labkit import needs_root
from probe.lab import plan, scenario
from probe.lab.lab import running

pytestmark = [pytest.mark.lab, needs_root]
HERE = Path(__file__).parent
PROBE = [sys.executable, "-m", "probe"]
"""This checkout's probe, whatever else PATH holds."""
URLS = ["https://www.tumblr.com/", "https://ratel.kz/", "https://www.example.org/"]


def _measure(name: str, folder: Path, store: str, *upload: str) -> tuple[Path, int]:
    targets = folder / "targets.txt"
    targets.write_text("".join(f"{url}\n" for url in URLS))
    out = folder / f"{name}.jsonl"
    with running(scenario.load(HERE / f"{name}.toml"), store=store) as lab:
        argv = [*PROBE, "run", "--yes", "--list", str(targets), "--output", str(out),
                "--no-progress", "--upload", *upload]  # fmt: skip
        status = lab.run(argv)
        log = (lab.workdir / "collector.log").read_text()
    assert "submit 200" in log and plan.CLIENT not in log  # the collector never logs addresses
    return out, status


def _sides(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows without the report ids, which the collector hands out."""
    return [
        (row["input"], row["change"], *(
            {k: v for k, v in (row[s] or {}).items() if k != "report_id"} for s in ("old", "new")
        ))
        for row in document["rows"]
    ]  # fmt: skip


@pytest.mark.skipif(shutil.which("microsocks") is None, reason="needs Debian's microsocks")
def test_two_isps_upload_and_diff_from_the_store(tmp_path: Path) -> None:
    store = f"duckdb:{tmp_path / 'collector.duckdb'}"
    queue = tmp_path / "queue"
    os.environ["PROBE_UPLOAD_QUEUE"] = str(queue)
    try:
        old, first = _measure("isp-9198", tmp_path, store)
        new, second = _measure("isp-206026", tmp_path, store, "--upload-proxy", plan.SOCKS_URL)
    finally:
        del os.environ["PROBE_UPLOAD_QUEUE"]
    assert first == second == 0
    assert not list(queue.rglob("pending/*.json"))  # everything acknowledged

    def diff(*args: str) -> dict[str, Any]:
        done = subprocess.run([*PROBE, "diff", "--json", *args], capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return document

    stored = diff("--store", store, "AS9198", "AS206026")
    files = diff(str(old), str(new))
    assert stored["old"]["networks"] == ["AS9198"] and stored["new"]["networks"] == ["AS206026"]
    assert _sides(stored) == _sides(files)
    assert stored["counts"] == files["counts"]
    tumblr = next(r for r in stored["rows"] if r["input"] == "https://www.tumblr.com/")
    assert tumblr["change"] == "technique changed"
