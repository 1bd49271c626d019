"""Export and the DuckDB store: round trips whose counts must match the JSONL they came from."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from analysts.factory import STATUSES, measurement, write_jsonl
from probe.analysts.export import COLUMNS, write_parquet
from probe.analysts.loading import MissingVerdictsError, load_targets
from probe.analysts.store import load_paths, open_store, run_query
from probe.cli.db import db
from probe.cli.export import export
from probe.report.jsonl import read_jsonl


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """Two runs from two networks, every status in each, one target with two resolved IPs."""
    folder = tmp_path / "results"
    folder.mkdir()
    for asn, start in [("AS9198", "2026-01-01 10:00:00"), ("AS21299", "2026-01-02 11:30:00")]:
        write_jsonl(
            folder / f"{asn}.jsonl",
            [
                measurement(
                    f"https://{n}.test/",
                    status,
                    asn=asn,
                    start=start,
                    report_id=f"run-{asn}",
                    category=None if n == 0 else "NEWS",
                    ips=("203.0.113.1", "203.0.113.2") if n == 1 else ("203.0.113.10",),
                )
                for n, status in enumerate(STATUSES)
            ],
        )
    return folder


def _jsonl_counts(folder: Path) -> Counter[tuple[str, str | None]]:
    counts: Counter[tuple[str, str | None]] = Counter()
    for path in sorted(folder.glob("*.jsonl")):
        for record in read_jsonl(path):
            counts[(record["probe_asn"], record["test_keys"]["x_technique"])] += 1
    return counts


def test_parquet_round_trip_through_duckdb(results: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "out.parquet"
    assert write_parquet(load_targets([results]), parquet) == 2 * len(STATUSES)
    assert pq.read_schema(parquet).names == COLUMNS
    con = duckdb.connect()
    rows = con.execute(
        "SELECT probe_asn, technique, count(*) FROM read_parquet(?) GROUP BY ALL", [str(parquet)]
    ).fetchall()
    assert Counter({(asn, tech): n for asn, tech, n in rows}) == _jsonl_counts(results)
    one = con.execute(
        "SELECT strftime(measurement_start_time AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), "
        "resolved_ips, blocking, accessible, outcome, category_code FROM read_parquet(?) "
        "WHERE input = 'https://1.test/' AND probe_asn = 'AS21299'",
        [str(parquet)],
    ).fetchone()
    assert one == (
        "2026-01-02 11:30:00",
        ["203.0.113.1", "203.0.113.2"],
        "false",
        False,
        "down",
        "NEWS",
    )
    undetermined = con.execute(
        "SELECT blocking, accessible, category_code FROM read_parquet(?) "
        "WHERE outcome = 'undetermined' LIMIT 1",
        [str(parquet)],
    ).fetchone()
    assert undetermined == (None, None, "NEWS")
    mitm = con.execute(
        "SELECT mitm_root, failing_step FROM read_parquet(?) WHERE technique = 'tls.mitm'",
        [str(parquet)],
    ).fetchall()
    assert mitm == [("Security Certificate", "tls: ssl_unknown_authority")] * 2


def test_store_counts_match_and_reloading_replaces(results: Path, tmp_path: Path) -> None:
    con = open_store(tmp_path / "store.duckdb")
    loaded = list(load_paths(con, [results]))
    assert [f.rows for f in loaded] == [len(STATUSES)] * 2
    list(load_paths(con, [results / "AS9198.jsonl"]))
    columns, rows = run_query(
        con, "SELECT probe_asn, technique, count(*) FROM measurements GROUP BY ALL"
    )
    assert columns == ["probe_asn", "technique", "count_star()"]
    assert Counter({(a, t): n for a, t, n in rows}) == _jsonl_counts(results)
    _, runs = run_query(con, "SELECT report_id, measurements, blocked FROM runs ORDER BY 1")
    blocked = sum(1 for b, _, _, _ in STATUSES.values() if isinstance(b, str))
    assert list(runs) == [
        ("run-AS21299", len(STATUSES), blocked),
        ("run-AS9198", len(STATUSES), blocked),
    ]


def test_failed_load_never_leaves_half_a_file(results: Path, tmp_path: Path) -> None:
    con = open_store(tmp_path / "store.duckdb")
    list(load_paths(con, [results]))
    bad = results / "AS9198.jsonl"
    records = list(read_jsonl(bad))
    records.append(measurement("https://late.test/", verdicts=False))
    write_jsonl(bad, records)
    with pytest.raises(MissingVerdictsError):
        list(load_paths(con, [bad]))
    _, rows = run_query(con, "SELECT probe_asn, count(*) FROM measurements GROUP BY ALL")
    assert list(rows) == [("AS21299", len(STATUSES))]


def test_export_csv_cli(results: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(export)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, [str(results), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * len(STATUSES)
    assert list(rows[0]) == COLUMNS
    two = next(r for r in rows if r["input"] == "https://1.test/" and r["probe_asn"] == "AS9198")
    assert two["resolved_ips"] == "203.0.113.1 203.0.113.2"
    assert two["measurement_start_time"] == "2026-01-01 10:00:00"
    assert {r["accessible"] for r in rows} == {"true", "false", ""}


def test_export_without_verdicts_fails_cleanly(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(export)
    source = write_jsonl(tmp_path / "raw.jsonl", [measurement("https://a.test/", verdicts=False)])
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(app, [str(source), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 2
    assert "probe analyze" in result.output
    assert not out.exists()


def test_db_cli_load_and_query(results: Path, tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    runner = CliRunner()
    loaded = runner.invoke(db, ["load", str(results), "--db", str(store)])
    assert loaded.exit_code == 0, loaded.output
    assert f"{2 * len(STATUSES)} measurements loaded" in loaded.output
    sql = "SELECT input, probe_asn FROM measurements WHERE technique = 'dns.spoof' ORDER BY 2"
    queried = runner.invoke(db, ["query", sql, "--db", str(store), "--csv"])
    assert queried.exit_code == 0, queried.output
    spoofed = list(STATUSES).index("dns.spoof")
    assert queried.output.splitlines() == [
        "input,probe_asn",
        f"https://{spoofed}.test/,AS21299",
        f"https://{spoofed}.test/,AS9198",
    ]
    bad = runner.invoke(db, ["query", "SELECT nope FROM measurements", "--db", str(store)])
    assert bad.exit_code == 2 and "nope" in bad.output
    capped = runner.invoke(
        db, ["query", "SELECT * FROM range(5)", "--db", str(store), "--max-rows", "2"]
    )
    assert "more than 2 rows" in capped.output


@pytest.mark.parametrize(
    ("library", "module", "args"),
    [
        ("pyarrow", "probe.analysts.export", ["export", "x.jsonl", "--format", "csv", "-o", "o"]),
        ("duckdb", "probe.analysts.store", ["db", "load", "x.jsonl"]),
    ],
)
def test_missing_extra_is_an_instruction(
    monkeypatch: pytest.MonkeyPatch, library: str, module: str, args: list[str]
) -> None:
    monkeypatch.setitem(sys.modules, library, None)  # makes `import library` fail
    monkeypatch.delitem(sys.modules, module, raising=False)
    app = typer.Typer()
    app.command()(export)
    app.add_typer(db, name="db")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"needs {library} from the analysts extra" in result.output
    assert "pip install 'probe[analysts]'" in result.output
