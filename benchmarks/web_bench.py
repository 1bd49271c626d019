"""How fast `probe run` measures, in the lab, against the theoretical lower bound.

Builds a lab serving N synthetic HTTPS sites with a round-trip latency added across the censor,
runs `probe run` inside it at the chosen parallelism, a sequential sample for the baseline, and
optionally a large run for peak memory. Needs root and the lab's packages (see docs/lab.md).

    sudo python benchmarks/web_bench.py --targets 1000 --parallel 64 --latency-ms 100

Figures are printed and written as JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from probe.lab import scenario as scenarios
from probe.lab.lab import Lab, running

HEADER = "url,category_code,category_description,date_added,source,notes\n"
CHAIN_ROUND_TRIPS = 4
"""DNS, TCP connect, TLS 1.3 handshake, HTTP GET: each waits for the one before."""


@dataclass
class Run:
    targets: int
    parallel: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    lines: int


def write_list(path: Path, count: int, offset: int = 0) -> None:
    rows = (
        f"https://s{offset + i:05d}.bench.example/,NEWS,News Media,2026-11-27,benchmark,synthetic"
        for i in range(count)
    )
    path.write_text(HEADER + "\n".join(rows) + "\n")


def measure(lab: Lab, listing: Path, out: Path, parallel: int, extra: list[str]) -> Run:
    """Run the probe in the client namespace; wait4 gives exactly its CPU time and peak RSS."""
    argv = [
        "ip", "netns", "exec", lab.ns("client"), sys.executable, "-m", "probe", "run",
        "--list", str(listing), "--output", str(out), "--parallel", str(parallel),
        "--no-progress", "--yes", "--no-geoip", *extra,
    ]  # fmt: skip
    env = os.environ | lab.environment()
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"probe run failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    lines = len(out.read_text().splitlines())
    return Run(
        targets=lines,
        parallel=parallel,
        wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        lines=lines,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=64)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--sample", type=int, default=20, help="targets for the --parallel 1 run")
    parser.add_argument("--big", type=int, default=0, help="also run this many for peak RSS")
    parser.add_argument("--probe-args", default="", help="extra `probe run` arguments")
    args = parser.parse_args()
    extra = args.probe_args.split()
    with tempfile.TemporaryDirectory(prefix="probe-bench-") as tmp:
        work = Path(tmp)
        total = max(args.targets, args.big)
        served = work / "served.csv"
        write_list(served, total)
        main_list, sample_list = work / "main.csv", work / "sample.csv"
        write_list(main_list, args.targets)
        write_list(sample_list, args.sample)
        scenario = scenarios.parse(
            {
                "name": "benchmark",
                "description": f"{total} synthetic sites",
                "serve_lists": [str(served)],
                "latency": f"{args.latency_ms}ms",
            },
            work / "benchmark.toml",
        )
        built = time.monotonic()
        with running(scenario) as lab:
            setup = time.monotonic() - built
            parallel = measure(lab, main_list, work / "p.jsonl", args.parallel, extra)
            sequential = measure(lab, sample_list, work / "s.jsonl", 1, extra)
            big = measure(lab, served, work / "b.jsonl", args.parallel, extra) if args.big else None
    rtt = args.latency_ms / 1000
    rounds = math.ceil(args.targets / args.parallel)
    bound = rounds * CHAIN_ROUND_TRIPS * rtt
    baseline = sequential.wall_seconds / args.sample * args.targets
    figures = {
        "lab_setup_seconds": round(setup, 1),
        "targets": args.targets,
        "parallel": args.parallel,
        "rtt_ms": args.latency_ms,
        "wall_seconds": parallel.wall_seconds,
        "lower_bound_seconds": round(bound, 3),
        "wall_over_bound": round(parallel.wall_seconds / bound, 2),
        "sequential_seconds_per_target": round(sequential.wall_seconds / args.sample, 3),
        "sequential_baseline_seconds": round(baseline, 1),
        "speedup_over_sequential": round(baseline / parallel.wall_seconds, 1),
        "cpu_seconds_per_target": round(parallel.cpu_seconds / args.targets, 4),
        "cpu_seconds": parallel.cpu_seconds,
        "peak_rss_mb": parallel.peak_rss_mb,
        "runs": [asdict(r) for r in (parallel, sequential, big) if r],
    }
    if big:
        figures["big_targets"] = big.targets
        figures["big_peak_rss_mb"] = big.peak_rss_mb
        figures["big_wall_seconds"] = big.wall_seconds
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"web-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        if key != "runs":
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
