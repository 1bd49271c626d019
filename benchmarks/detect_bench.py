"""What detecting freezes and throttling costs per target, and how often it cries wolf.

Two labs, both with a round-trip time added across the censor (default 300 ms):

- **clean**: N synthetic HTTPS sites (pages of 4, 16, 64 and 256 KiB in turn) and no censorship.
  Every ``throttle`` verdict there is a false positive of the stall and throughput rules; it must
  be 0. The stored measurements give what the per-read ``network_events`` add to each line.
- **stalled**: K sites frozen after 16 KiB, K throttled by name to 32 kbit/s and K to 64 kbit/s
  (256 KiB pages, which outlast the 10 s HTTP budget at both rates). There the neutral name's
  32 KiB pull (``x_volume``) runs; its bytes and seconds are read from the stored measurements,
  and what each verdict blamed (the name, the address, or neither) from its ``x_detail``.

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
import timeit
from collections import Counter
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from web_bench import measure, write_list

from probe.analysis.stall import neutral_volume
from probe.analysis.throttle import FLOOR_BYTES_PER_SECOND, throughput
from probe.lab import scenario as scenarios
from probe.lab.lab import Lab, running
from probe.net.events import Trace

SIZES = (4096, 16384, 65536, 262144)
"""Page sizes of the clean sites, in turn: below and above the throughput rule's 4 KiB floor and
the freeze's 16 KiB, and large enough for slow start over a long path to show."""
STALLED_PAGE = 262144
THROTTLE_RATES = ("32kbit", "64kbit")
ATTRIBUTIONS = {
    "the name triggered it": "name",
    "on the address, not the name": "address",
    "cannot be told apart": "neither",
}
"""What a verdict blamed, by the words the analysis writes."""


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


def recording_cpu_us(keys: list[dict[str, Any]]) -> float:
    """CPU microseconds per target to record and serialise its events: the stored events are
    replayed through ``Trace.add`` (what each read, write and connect calls) and ``json.dumps``."""
    traces = [k.get("network_events") or [] for k in keys]

    def replay() -> None:
        for events in traces:
            trace = Trace(0.0)
            for e in events:
                trace.add(e["operation"], e["address"], e["failure"], e["t0"], e["t"],
                          e.get("num_bytes"))  # fmt: skip
            json.dumps(trace.events)

    return round(min(timeit.repeat(replay, number=1, repeat=5)) / max(1, len(keys)) * 1e6, 1)


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
        "network_events_cpu_us_per_target": recording_cpu_us(keys),
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


def _blamed(detail: str) -> str:
    return next((who for words, who in ATTRIBUTIONS.items() if words in detail), "other")


def stalled_cost(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    pulls = [(m, p) for m in measurements if (p := _pull(m["test_keys"])) is not None]
    runtime = [float(m.get("test_runtime") or 0) for m, _ in pulls]
    seconds = [p["seconds"] for _, p in pulls]
    return {
        "targets": len(measurements),
        "throttle_verdicts": sum(
            m["test_keys"].get("x_technique") == "throttle" for m in measurements
        ),
        "blamed": dict(
            Counter(_blamed(m["test_keys"].get("x_detail") or "") for m in measurements)
        ),
        "neutral_pulls": len(pulls),
        "pulls_that_stalled": sum(p["failed"] for _, p in pulls),
        "pull_bytes_per_target": _mean([p["bytes"] for _, p in pulls]),
        "pull_seconds_per_target": _mean(seconds),
        "pull_seconds_max": round(max(seconds, default=0.0), 3),
        "seconds_per_target": _mean(runtime),
        "pull_share_of_runtime": round(sum(seconds) / max(sum(runtime), 0.001), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--stalled", type=int, default=10, help="targets per stalling rule")
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
        k = args.stalled
        groups = {"freeze": _domains(k)} | {
            f"sni_throttle_{rate}": _domains(k, k * (i + 1))
            for i, rate in enumerate(THROTTLE_RATES)
        }
        write_list(stalled_list, k * len(groups))
        rules: list[dict[str, Any]] = [{"action": "freeze", "domains": groups["freeze"]}]
        for rate in THROTTLE_RATES:  # one rule, so one shaped class, per name: the whole rate each
            rules += [
                {"action": "sni-throttle", "domains": [d], "rate": rate}
                for d in groups[f"sni_throttle_{rate}"]
            ]
        sites = [{"domain": d, "body_bytes": STALLED_PAGE} for ds in groups.values() for d in ds]
        with _lab("detect-stalled", args.latency_ms, sites, rules) as lab:
            run = measure(lab, stalled_list, work / "stalled.jsonl", args.parallel, [])
            measured = _lines(work / "stalled.jsonl")
        by_host = {m["input"].split("/")[2]: m for m in measured}
        stalled: dict[str, Any] = {
            name: stalled_cost([by_host[d] for d in ds if d in by_host])
            for name, ds in groups.items()
        }
        stalled["wall_seconds"] = run.wall_seconds
    figures = {"rtt_ms": args.latency_ms, "clean": clean, "stalled": stalled}
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"detect-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
