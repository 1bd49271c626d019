"""How often and how fast `probe run --test censor_locate` names the lab's censor.

For each scenario (reset and silent-drop censors by SNI and by Host) it builds the shipped lab once
and runs the real command N times inside the client namespace, with the default pacing. The truth
comes from the lab's topology (the censor is ``plan.ROLES.index("censor")`` hops away and answers
traceroute from ``plan.CENSOR_HOP_SIDE``), not from the code under test. Needs root.

    sudo python benchmarks/locate_bench.py --runs 5

Figures are printed and written as JSON to benchmarks/out/.
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
from typing import Any

from probe.lab import plan
from probe.lab import scenario as scenarios
from probe.lab.lab import Lab, running

TARGETS = {
    "sni-reset": "https://www.tumblr.com/",
    "host-reset": "http://www.kub.kz/",
    "sni-drop": "https://soundcloud.com/",
    "host-drop": "http://www.geo.kz/",
}
TRUTH = (plan.ROLES.index("censor"), plan.CENSOR_HOP_SIDE)


def locate_once(lab: Lab, url: str, out: Path) -> dict[str, Any]:
    argv = [
        "ip", "netns", "exec", lab.ns("client"), sys.executable, "-m", "probe", "run",
        "--test", "censor_locate", "--url", url, "--output", str(out),
        "--no-progress", "--yes", "--no-geoip",
    ]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(argv, env=os.environ | lab.environment(), capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"probe run failed: {proc.stderr}")
    keys = json.loads(out.read_text().splitlines()[0])["test_keys"]
    location = keys["x_censor_location"] or {}
    named = (location.get("censor_hop"), location.get("censor_router"))
    return {
        "wall_seconds": round(wall, 2),
        "probes": len(keys["x_test_trace"]) + len(keys["x_control_trace"]),
        "censor_hop": named[0],
        "censor_router": named[1],
        "located_by": location.get("located_by"),
        "technique": keys["x_technique"],
        "exact": named == TRUTH,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenario", action="append", choices=sorted(TARGETS))
    args = parser.parse_args()
    figures: dict[str, Any] = {"truth": {"hop": TRUTH[0], "router": TRUTH[1]}, "scenarios": {}}
    with tempfile.TemporaryDirectory(prefix="probe-locate-") as tmp:
        for name in args.scenario or list(TARGETS):
            with running(scenarios.load(scenarios.shipped()[name])) as lab:
                runs = [
                    locate_once(lab, TARGETS[name], Path(tmp) / f"{name}-{i}.jsonl")
                    for i in range(args.runs)
                ]
            walls = [r["wall_seconds"] for r in runs]
            figures["scenarios"][name] = {
                "exact": sum(r["exact"] for r in runs),
                "runs": len(runs),
                "wall_seconds_min_max": [min(walls), max(walls)],
                "each": runs,
            }
            named = {(r["censor_hop"], r["censor_router"], r["located_by"]) for r in runs}
            print(
                f"{name:11} exact {sum(r['exact'] for r in runs)}/{len(runs)}  "
                f"named {sorted(named, key=str)}  {min(walls):.1f}-{max(walls):.1f} s per run"
            )
    out_dir = Path(__file__).parent / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out_dir / f"locate-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
