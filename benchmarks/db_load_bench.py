"""Benchmark: `probe db load` of 1,000,000 measurements; reports the rate and peak RSS.

Writes a 100,000- and a 1,000,000-measurement file (the same synthetic measurements as
diff_bench.py) into a temporary folder, loads each into a fresh DuckDB store with the real
command in a child process, and prints measurements per second and peak RSS for both, so you can
see that memory stays flat as files grow. Nothing touches the network.

    python benchmarks/db_load_bench.py [--measurements N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from diff_bench import run_child, write_run

LOAD = "from probe.cli.db import db; db()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measurements", type=int, default=1_000_000)
    count = parser.parse_args().measurements
    with tempfile.TemporaryDirectory(prefix="db-bench-") as tmp:
        for size in sorted({count // 10, count}):
            source = Path(tmp) / f"run-{size}.jsonl"
            megabytes = write_run(source, size, 0, "AS9198", "2026-01-01 10:00:00") / 2**20
            store = Path(tmp) / f"store-{size}.duckdb"
            command = [sys.executable, "-c", LOAD, "load", str(source), "--db", str(store)]
            elapsed, rss, code = run_child(command)
            source.unlink()
            print(
                f"probe db load {size:>9} measurements ({megabytes:6.0f} MiB): {elapsed:6.1f} s, "
                f"{size / elapsed:8.0f} measurements/s, peak RSS {rss:6.1f} MB, "
                f"store {store.stat().st_size / 2**20:5.0f} MiB, exit {code}"
            )


if __name__ == "__main__":
    main()
