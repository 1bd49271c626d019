"""What detecting freezes and throttling costs per target, and how often it cries wolf.

Two labs, both with a round-trip time added across the censor (default 300 ms):

- **clean**: N synthetic HTTPS sites (pages of 4, 16, 64 and 256 KiB in turn) and no censorship.
  Every ``throttle`` verdict there is a false positive of the stall and throughput rules; it must
  be 0. The stored measurements give what the per-read ``network_events`` add to each line.
- **stalled**: K sites frozen after 16 KiB and K throttled by name to 32 kbit/s (64 KiB pages).
  There the neutral name's 32 KiB pull (``x_volume``) runs; its bytes and seconds are read from
  the stored measurements.

Nothing turns detection off, so its cost is counted from what it stored. Needs root.

    sudo python benchmarks/detect_bench.py --targets 200 --stalled 10 --latency-ms 300

Figures are printed and written as JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from web_bench import measure, write_list

from probe.analysis.stall import neutral_volume
from probe.analysis.throttle import FLOOR_BYTES_PER_SECOND, throughput
from probe.lab import scenario as scenarios
from probe.lab.lab import Lab, running

SIZES = (4096, 16384, 65536, 262144)
"""Page sizes of the clean sites, in turn: below and above the throughput rule's 4 KiB floor and
the freeze's 16 KiB, and large enough for slow start over a long path to show."""
STALLED_PAGE = 65536


def _domains(count: int, offset: int = 0) -> list[str]:
    """The hosts ``web_bench.write_list`` writes."""
    return [f"s{offset + i:05d}.bench.example" for i in range(count)]


def _lab(
    name: str, latency_ms: int, sites: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> AbstractContextManager[Lab]:
    data = {"name": name, "latency": f"{latency_ms}ms", "site": sites, "rule": rules}
    return running(scenarios.parse(data, Path(f"{name}.toml")))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 3) if values else 0.0


def false_positives(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [m["test_keys"] for m in measurements]
    outcomes = Counter(
        "ok" if k.get("accessible") is True else f"{k.get('blocking')}/{k.get('x_technique')}"
        for k in keys
    )
    events = [len(json.dumps(k.get("network_events") or [])) for k in keys]
    rates = [r for k in keys for q in k.get("requests") or [] if (r := throughput(q)) is not None]
    lines = [len(json.dumps(m)) for m in measurements]
    return {
        "targets": len(keys),
        "throttle_verdicts": sum(k.get("x_technique") == "throttle" for k in keys),
        "outcomes": dict(outcomes),
        "transfers_timed": len(rates),
        "slowest_transfer_kbit_s": round(min(rates, default=0.0) * 8 / 1000, 1),
        "median_transfer_kbit_s": round(statistics.median(rates) * 8 / 1000, 1) if rates else 0.0,
        "throughput_floor_kbit_s": FLOOR_BYTES_PER_SECOND * 8 / 1000,
        "neutral_pulls": sum(bool((k.get("x_self_control") or {}).get("x_volume")) for k in keys),
        "network_events_per_target": _mean([len(k.get("network_events") or []) for k in keys]),
        "network_events_bytes_per_target": _mean(events),
        "line_bytes_per_target": _mean(lines),
        "network_events_share_of_line": round(sum(events) / max(1, sum(lines)), 3),
        "seconds_per_target": _mean([float(m.get("test_runtime") or 0) for m in measurements]),
    }


def _pull(keys: dict[str, Any]) -> dict[str, float] | None:
    """Bytes of the neutral pull as the analysis counts them, and its seconds from the opening
    of its connection (connect and handshake included) to its end."""
    control = keys.get("x_self_control") or {}
    volume = control.get("x_volume")
    if not volume:
        return None
    pulled = neutral_volume(keys, volume["address"])
    assert pulled is not None
    opened = [c["t0"] for c in control.get("tcp_connect") or [] if c["t0"] <= volume["t0"]]
    start = max(opened, default=volume["t0"])
    return {
        "bytes": pulled.received,
        "seconds": volume["t"] - start,
        "failed": bool(pulled.failure),
    }


def stalled_cost(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    pulls = [(m, p) for m in measurements if (p := _pull(m["test_keys"])) is not None]
    runtime = [float(m.get("test_runtime") or 0) for m, _ in pulls]
    seconds = [p["seconds"] for _, p in pulls]
    return {
        "targets": len(measurements),
        "throttle_verdicts": sum(
            m["test_keys"].get("x_technique") == "throttle" for m in measurements
        ),
        "neutral_pulls": len(pulls),
        "pulls_that_stalled": sum(p["failed"] for _, p in pulls),
        "pull_bytes_per_target": _mean([p["bytes"] for _, p in pulls]),
        "pull_seconds_per_target": _mean(seconds),
        "pull_seconds_max": round(max(seconds, default=0.0), 3),
        "seconds_per_target": _mean(runtime),
        "pull_share_of_runtime": round(sum(seconds) / max(sum(runtime), 0.001), 3),
        "details": sorted({m["test_keys"].get("x_detail", "")[:120] for m in measurements}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--stalled", type=int, default=10, help="frozen and as many throttled")
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--keep", type=Path, help="keep the measurements in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="probe-detect-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        clean_list, stalled_list = work / "clean.csv", work / "stalled.csv"
        write_list(clean_list, args.targets)
        sites = [
            {"domain": d, "body_bytes": SIZES[i % len(SIZES)]}
            for i, d in enumerate(_domains(args.targets))
        ]
        with _lab("detect-clean", args.latency_ms, sites, []) as lab:
            run = measure(lab, clean_list, work / "clean.jsonl", args.parallel, [])
            clean = false_positives(_lines(work / "clean.jsonl"))
        clean["wall_seconds"] = run.wall_seconds
        print(json.dumps({"clean": clean}, indent=2), flush=True)
        frozen, throttled = _domains(args.stalled), _domains(args.stalled, args.stalled)
        write_list(stalled_list, 2 * args.stalled)
        rules = [
            {"action": "freeze", "domains": frozen},
            # One rule, so one shaped class, per name: each flow gets the whole rate.
            *({"action": "sni-throttle", "domains": [d], "rate": "32kbit"} for d in throttled),
        ]
        sites = [{"domain": d, "body_bytes": STALLED_PAGE} for d in (*frozen, *throttled)]
        with _lab("detect-stalled", args.latency_ms, sites, rules) as lab:
            run = measure(lab, stalled_list, work / "stalled.jsonl", args.parallel, [])
            measured = _lines(work / "stalled.jsonl")
        by_host = {m["input"].split("/")[2]: m for m in measured}
        stalled = {
            "freeze": stalled_cost([by_host[d] for d in frozen if d in by_host]),
            "sni_throttle": stalled_cost([by_host[d] for d in throttled if d in by_host]),
            "wall_seconds": run.wall_seconds,
        }
    figures = {"rtt_ms": args.latency_ms, "clean": clean, "stalled": stalled}
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"detect-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
