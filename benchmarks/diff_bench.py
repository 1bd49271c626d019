"""Benchmark: `probe diff` of two 100,000-measurement files (target: < 10 s, < 300 MB peak RSS).

Generates both files into a temporary folder (synthetic measurements with verdict keys and a
few-KB body each, as `probe run` + `probe analyze` would write), then runs the real command in a
child process and reads its wall time and peak RSS from wait4(). Nothing touches the network.

    python benchmarks/diff_bench.py [--measurements N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from analysts.factory import STATUSES, measurement

STATUS_CYCLE = list(STATUSES)
BODY = "<html><head><title>x</title></head><body>" + "lorem ipsum " * 250 + "</body></html>"


def write_run(path: Path, count: int, shift: int, asn: str, start: str) -> int:
    """Write `count` measurements whose statuses cycle, shifted so that about half change."""
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            status = STATUS_CYCLE[(index * 7 + shift * (index % 2)) % len(STATUS_CYCLE)]
            record = measurement(
                f"https://site{index}.test/", status, asn=asn, start=start, body=BODY
            )
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MB, exit status)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measurements", type=int, default=100_000)
    count = parser.parse_args().measurements
    with tempfile.TemporaryDirectory(prefix="diff-bench-") as tmp:
        old, new = Path(tmp) / "old.jsonl", Path(tmp) / "new.jsonl"
        size = write_run(old, count, 0, "AS9198", "2026-01-01 10:00:00")
        size += write_run(new, count, 3, "AS9198", "2026-02-01 10:00:00")
        print(f"inputs: 2 x {count} measurements, {size / 2**20:.0f} MiB in all")
        command = [
            sys.executable,
            "-c",
            "import typer; from probe.cli.diff import diff; typer.run(diff)",
            str(old),
            str(new),
        ]
        for label, extra in [
            ("table", []),
            ("--only-changes", ["--only-changes"]),
            ("--json", ["--json"]),
        ]:
            elapsed, rss, code = run_child(command + extra)
            verdict = "PASS" if elapsed < 10 and rss < 300 and code == 1 else "FAIL"
            print(
                f"probe diff {label:15} {elapsed:6.2f} s  peak RSS {rss:6.1f} MB  "
                f"exit {code}  {verdict} (< 10 s, < 300 MB)"
            )


if __name__ == "__main__":
    main()
