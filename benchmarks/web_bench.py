"""How fast `probe run` measures, in the lab, against the physical bound.

Builds one lab serving N synthetic HTTPS sites with a round-trip latency added across the censor,
then, in that one lab and one process tree: a single target (the fixed cost), a sequential sample
(one target's chain), every ``--targets`` × ``--parallel`` pair, and optionally a large run for
peak memory. Needs root and the lab's packages (see docs/lab.md); wrap it in
``flock /tmp/lab.lock`` on a shared machine.

    sudo python benchmarks/web_bench.py --targets 300,1000 --parallel 64,128,300 --big 10000

The bound of a run is fixed + N × chain / P: ``fixed`` is the single target's wall time less its
measurement, ``chain`` the sequential sample's mean measurement time. CPU is the probe's own
(user + sys, from ``wait4()``), and the lab's daemons' CPU over the same run is shown beside it,
since on one machine they compete for the same cores: the CPU bound of a run is the probe's
and the lab's CPU time over the cores. Figures are printed and written as JSON to
benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from probe.lab import scenario as scenarios
from probe.lab.lab import Lab, running

HEADER = "url,category_code,category_description,date_added,source,notes\n"
_TICK = os.sysconf("SC_CLK_TCK")
CORES = len(os.sched_getaffinity(0))
"""The probe and the lab share them: a run cannot take less than their CPU time over them."""


@dataclass
class Run:
    targets: int
    parallel: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    measured_seconds: list[float] = field(repr=False)
    """Each measurement's own ``test_runtime``."""
    lab_cpu_seconds: dict[str, float]


def write_list(path: Path, count: int) -> None:
    rows = (
        f"https://s{i:05d}.bench.example/,NEWS,News Media,2026-11-27,benchmark,synthetic"
        for i in range(count)
    )
    path.write_text(HEADER + "\n".join(rows) + "\n")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live descendants (nginx's workers)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / _TICK
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(tree_cpu(int(child)) for child in children)


def lab_cpu(lab: Lab) -> dict[str, float]:
    return {name: tree_cpu(pid) for name, pid in lab.daemon_pids().items()}


def measure(lab: Lab, count: int, parallel: int, work: Path, extra: list[str]) -> Run:
    """Run the probe in the client namespace; wait4 gives exactly its CPU time and peak RSS."""
    listing, out = work / f"list-{count}.csv", work / f"out-{count}-{parallel}.jsonl"
    write_list(listing, count)
    out.unlink(missing_ok=True)
    argv = [
        "ip", "netns", "exec", lab.ns("client"), sys.executable, "-m", "probe", "run",
        "--list", str(listing), "--output", str(out), "--parallel", str(parallel),
        "--no-progress", "--yes", "--no-geoip", *extra,
    ]  # fmt: skip
    env = os.environ | lab.environment()
    before = lab_cpu(lab)
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    after = lab_cpu(lab)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"probe run failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    measured = [json.loads(line)["test_runtime"] for line in out.read_text().splitlines()]
    if len(measured) != count:
        raise SystemExit(f"{out}: {len(measured)} measurements, expected {count}")
    return Run(
        targets=count,
        parallel=parallel,
        wall_seconds=round(wall, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        measured_seconds=measured,
        lab_cpu_seconds={k: round(after[k] - before.get(k, 0.0), 2) for k in after},
    )


def figures(runs: list[Run], single: Run, sample: Run) -> dict[str, object]:
    chain = sum(sample.measured_seconds) / len(sample.measured_seconds)
    fixed = single.wall_seconds - single.measured_seconds[0]
    rows = []
    for run in runs:
        bound = fixed + run.targets * chain / run.parallel
        marginal = (run.cpu_seconds - single.cpu_seconds) / (run.targets - 1)
        busy = (run.cpu_seconds + sum(run.lab_cpu_seconds.values())) / CORES
        rows.append(
            {
                "targets": run.targets,
                "parallel": run.parallel,
                "wall_seconds": run.wall_seconds,
                "bound_seconds": round(bound, 2),
                "wall_over_bound": round(run.wall_seconds / bound, 2),
                "cpu_bound_seconds": round(busy, 2),
                "wall_over_cpu_bound": round(run.wall_seconds / busy, 2),
                "cpu_ms_per_target": round(1000 * run.cpu_seconds / run.targets, 2),
                "cpu_ms_per_extra_target": round(1000 * marginal, 2),
                "peak_rss_mb": run.peak_rss_mb,
                "lab_cpu_seconds": run.lab_cpu_seconds,
            }
        )
    return {
        "fixed_seconds": round(fixed, 3),
        "fixed_cpu_seconds": single.cpu_seconds,
        "chain_seconds": round(chain, 3),
        "runs": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="300,1000", help="comma-separated run sizes")
    parser.add_argument("--parallel", default="64,128,300", help="comma-separated values")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--sample", type=int, default=20, help="targets for the --parallel 1 run")
    parser.add_argument("--big", type=int, default=0, help="also run this many for peak RSS")
    parser.add_argument("--probe-args", default="", help="extra `probe run` arguments")
    args = parser.parse_args()
    sizes = [int(n) for n in args.targets.split(",")]
    parallels = [int(p) for p in args.parallel.split(",")]
    extra = args.probe_args.split()
    with tempfile.TemporaryDirectory(prefix="probe-bench-") as tmp:
        work = Path(tmp)
        served = work / "served.csv"
        write_list(served, max(*sizes, args.big, args.sample))
        scenario = scenarios.parse(
            {
                "name": "benchmark",
                "description": "synthetic sites",
                "serve_lists": [str(served)],
                "latency": f"{args.latency_ms}ms",
            },
            work / "benchmark.toml",
        )
        built = time.monotonic()
        with running(scenario) as lab:
            setup = time.monotonic() - built
            single = measure(lab, 1, 1, work, extra)
            sample = measure(lab, args.sample, 1, work, extra)
            runs = [measure(lab, n, p, work, extra) for n in sizes for p in parallels]
            big = measure(lab, args.big, parallels[0], work, extra) if args.big else None
    result = {
        "lab_setup_seconds": round(setup, 1),
        "rtt_ms": args.latency_ms,
        **figures(runs, single, sample),
        "sequential_seconds_per_target": round(sample.wall_seconds / args.sample, 3),
    }
    if big:
        result["big"] = {k: v for k, v in asdict(big).items() if k != "measured_seconds"}
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"web-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)


def print_table(result: dict[str, object]) -> None:
    for key, value in result.items():
        if key not in ("runs", "big"):
            print(f"{key:32} {value}")
    print(f"{'N':>6} {'P':>4} {'wall s':>7} {'bound s':>7} {'ratio':>5} {'CPU bound':>9} "
          f"{'ratio':>5} {'cpu ms/N':>8} {'cpu ms/+1':>9} {'RSS MB':>6}  lab CPU s")  # fmt: skip
    rows = result["runs"]
    assert isinstance(rows, list)
    for r in rows:
        lab = " ".join(f"{k}={v}" for k, v in r["lab_cpu_seconds"].items() if v)
        print(f"{r['targets']:>6} {r['parallel']:>4} {r['wall_seconds']:>7} "
              f"{r['bound_seconds']:>7} {r['wall_over_bound']:>5} {r['cpu_bound_seconds']:>9} "
              f"{r['wall_over_cpu_bound']:>5} {r['cpu_ms_per_target']:>8} "
              f"{r['cpu_ms_per_extra_target']:>9} {r['peak_rss_mb']:>6}  {lab}")  # fmt: skip
    big = result.get("big")
    if isinstance(big, dict):
        print(f"big: {big['targets']} targets at --parallel {big['parallel']}: "
              f"peak RSS {big['peak_rss_mb']} MB, wall {big['wall_seconds']} s, "
              f"CPU {big['cpu_seconds']} s")  # fmt: skip


if __name__ == "__main__":
    main()
