"""diff, report and export read from a store give what they give on the equivalent files.

The same measurements go into files and into the store (DuckDB, and the ClickHouse SQL run in
chdb); the CLI's JSON and CSV outputs must then agree, apart from naming where they came from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from analysts.factory import measurement, write_jsonl

from probe.report.identity import measurement_id
from probe.store.backend import open_storage
from probe.store.rows import Stored

OLD = {"https://a.kz/": "ok", "https://b.kz/": "dns.nxdomain", "https://c.kz/": "tls.reset",
       "https://d.kz/": "down", "https://e.kz/": "ok"}  # fmt: skip
NEW = {"https://a.kz/": "tls.mitm", "https://b.kz/": "ok", "https://c.kz/": "http.blockpage",
       "https://d.kz/": "undetermined", "https://f.kz/": "dns.spoof"}  # fmt: skip


def _run(asn: str, statuses: dict[str, str], day: str) -> list[dict[str, Any]]:
    rid = f"{day.replace('-', '')}T100000Z_webconnectivity_KZ_{asn[2:]}_n1_{asn[2:]}"
    return [
        measurement(
            url,
            status,
            asn=asn,
            report_id=rid,
            start=f"{day} 10:00:{i:02d}",
            category="NEWS" if i % 2 else "HUMR",
        )
        for i, (url, status) in enumerate(statuses.items())
    ]


def _probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "probe", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(params=["duckdb", "chdb"])
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Path]:
    old, new = _run("AS9198", OLD, "2026-01-05"), _run("AS206026", NEW, "2026-01-06")
    old_file = write_jsonl(tmp_path / "old.jsonl", old)
    new_file = write_jsonl(tmp_path / "new.jsonl", new)
    spec = (
        f"duckdb:{tmp_path / 's.duckdb'}"
        if request.param == "duckdb"
        else f"chdb:{tmp_path / 'ch'}"
    )
    storage = open_storage(spec)
    noise = _run("AS9198", {"https://a.kz/": "ok"}, "2025-12-01")  # outside --since
    records = [*old, *new, *noise]
    storage.add([Stored(measurement_id(r), r, json.dumps(r)) for r in records])
    storage.close()
    return spec, old_file, new_file


def _without_files(document: dict[str, Any]) -> dict[str, Any]:
    for side in ("old", "new"):
        document[side].pop("files")
    return document


def test_diff_of_two_asns_from_the_store_equals_the_diff_of_their_files(
    loaded: tuple[str, Path, Path],
) -> None:
    spec, old_file, new_file = loaded
    files = _probe("diff", str(old_file), str(new_file), "--json")
    stored = _probe("diff", "--store", spec, "--since", "2026-01-01", "--until", "2026-01-07",
                    "AS9198", "AS206026", "--json")  # fmt: skip
    assert files.returncode == stored.returncode == 1, stored.stderr
    assert _without_files(json.loads(stored.stdout)) == _without_files(json.loads(files.stdout))
    assert json.loads(stored.stdout)["counts"]["newly blocked"] == 1


def test_diff_by_day_ranges_and_errors(loaded: tuple[str, Path, Path]) -> None:
    spec, old_file, new_file = loaded
    by_day = _probe("diff", "--store", spec, "2026-01-05", "2026-01-06", "--json")
    files = _probe("diff", str(old_file), str(new_file), "--json")
    assert _without_files(json.loads(by_day.stdout)) == _without_files(json.loads(files.stdout))
    empty = _probe("diff", "--store", spec, "AS1", "AS206026")
    assert empty.returncode == 2 and "no measurements" in empty.stderr
    bad = _probe("diff", "--store", spec, "--cc", "Kazakhstan", "AS9198", "AS206026")
    assert bad.returncode == 2 and "not a country code" in bad.stderr
    no_store = _probe("diff", "--asn", "AS9198", str(old_file), str(new_file))
    assert no_store.returncode == 2 and "need --store" in no_store.stderr


def test_export_and_report_from_the_store_equal_those_of_the_files(
    loaded: tuple[str, Path, Path], tmp_path: Path
) -> None:
    spec, old_file, new_file = loaded
    assert _probe("export", str(old_file), str(new_file), "--format", "csv",
                  "-o", str(tmp_path / "files.csv")).returncode == 0  # fmt: skip
    stored = _probe("export", "--store", spec, "--since", "2026-01-02", "--format", "csv",
                    "-o", str(tmp_path / "store.csv"))  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    expected = (tmp_path / "files.csv").read_text().splitlines()
    got = (tmp_path / "store.csv").read_text().splitlines()
    assert got[0] == expected[0] and sorted(got[1:]) == sorted(expected[1:])
    news = _probe("export", "--store", spec, "--category", "NEWS", "--cc", "KZ",
                  "--format", "csv", "-o", str(tmp_path / "news.csv"))  # fmt: skip
    assert news.returncode == 0, news.stderr
    rows = (tmp_path / "news.csv").read_text().splitlines()[1:]
    assert rows and all(",NEWS," in row for row in rows)
    assert len(rows) == sum(",NEWS," in row for row in expected)
    report_files = _probe("report", str(old_file), str(new_file), "--max-rows", "100")
    report_store = _probe("report", "--store", spec, "--since", "2026-01-02", "--max-rows", "100")
    assert report_store.returncode == 0, report_store.stderr
    assert report_store.stdout == report_files.stdout
