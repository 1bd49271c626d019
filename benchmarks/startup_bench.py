"""Start-up: process start to the first measurement started, and `probe --help`, in CPU seconds.

Runs, as child processes of this one, `python -c pass` (the interpreter alone), `probe --help`,
and `probe run` on one loopback web target: once without the network lookup, once with it
against a loopback DNS server that answers each lookup query `--lookup-delay` seconds late (the
run must start measuring before the lookup ends, and still store its ASN and country). The
first measurement's start is the runner's debug line "started", caught in the child by a logging
handler that notes the child's CPU time and the (system-wide) monotonic clock; the rest is from
wait4(). Every control is off or on loopback: nothing leaves 127.0.0.1.

Children get a private bytecode cache (PYTHONPYCACHEPREFIX), warmed by one untimed round, so
the figures are an installed package's, not a fresh checkout compiling itself. httpcore imports
trio whenever it is installed (it is no dependency of the probe's, but this machine has it), so
the run is measured once more with trio hidden, as on a volunteer's machine, and once with a
helper and a DoH resolver configured (on a closed loopback port), as by default. `--against DIR`
runs the same commands on another checkout (say, the main branch) in the same run, for ratios.

    python benchmarks/startup_bench.py [--rounds 5] [--lookup-delay 0.5] [--against DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from loopback.background import background
from loopback.dns_server import Zone
from loopback.web import serve_http

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = "198.51.100.23"
FIRST_STARTED = """
import logging, os, sys, time

for name in os.environ.get("BENCH_HIDE", "").split():
    sys.modules[name] = None  # as if not installed

class First(logging.Handler):
    def emit(self, record):
        if record.msg.endswith(": started"):
            with open(os.environ["BENCH_FIRST"], "w") as out:
                out.write(f"{time.monotonic()} {time.process_time()} {len(sys.modules)}")
            runner.removeHandler(self)

runner = logging.getLogger("probe.runner")
runner.setLevel(logging.DEBUG)
runner.propagate = False
runner.addHandler(First())
sys.argv = ["probe", *sys.argv[1:]]
from probe.cli.app import main
main()
"""
CONTROLS = {
    "PROBE_HELPER_URL": "https://127.0.0.1:9/",
    "PROBE_DOH_URLS": "https://127.0.0.1:9/dns-query",
}
"""A helper and a DoH resolver configured, as by default, on a closed port of 127.0.0.1."""


class _SlowDNS(asyncio.DatagramProtocol):
    """Answers from ``zone``; the lookup's own names ``delay`` seconds late."""

    def __init__(self, zone: Zone, delay: float) -> None:
        self.zone, self.delay = zone, delay
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        answer = self.zone.reply(data)
        name = self.zone.queries[-1][0]
        late = self.delay if name.endswith("geo.test") else 0.0
        if answer is not None:
            asyncio.get_running_loop().call_later(late, self.transport.sendto, answer, addr)


def _zone() -> Zone:
    return Zone(
        {
            "example.test": ["127.0.0.1"],
            "ns.geo.test": ["127.0.0.1"],
            "myaddr.geo.test": {"TXT": [f'"{PUBLIC}"']},
            "23.100.51.198.origin.geo.test": {
                "TXT": ['"64500 | 198.51.100.0/24 | kz | ripencc | 2001-01-01"']
            },
            "as64500.name.geo.test": {
                "TXT": ['"64500 | KZ | ripencc | 2001-01-01 | BENCH-AS, KZ"']
            },
        }
    )


@dataclass
class Sample:
    wall: float
    cpu: float
    first_wall: float | None = None
    first_cpu: float | None = None
    modules: int | None = None


def _child(args: list[str], env: dict[str, str], first: Path | None, cwd: Path) -> Sample:
    """One run of ``args`` (in ``cwd``, so that no checkout is imported from the current
    directory): wall and CPU from wait4(), and the first measurement's start if ``first``."""
    first_env = {"BENCH_FIRST": str(first)} if first else {}
    started = time.monotonic()
    child = subprocess.Popen(
        args,
        env={**env, **first_env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[:4])}... failed:\n{errors.decode()[-2000:]}")
    sample = Sample(wall, usage.ru_utime + usage.ru_stime)
    if first:
        moment, cpu, modules = first.read_text().split()
        sample.first_wall, sample.first_cpu = float(moment) - started, float(cpu)
        sample.modules = int(modules)
    return sample


def _environment(tree: Path, cache: Path, dns: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    port = dns.rsplit(":", 1)[1]
    return env | {
        "PYTHONPATH": str(tree),
        "PYTHONPYCACHEPREFIX": str(cache),
        "XDG_CONFIG_HOME": str(home),
        "PROBE_YES": "1",
        "PROBE_HELPER_URL": "none",
        "PROBE_DOH_URLS": "none",
        "PROBE_RESOLVER": dns,
        "PROBE_SYSTEM_DNS": "0",
        "PROBE_BOGON_EXEMPT": "127.0.0.0/8",
        "PROBE_GEOIP_MYADDR": f"myaddr.geo.test@ns.geo.test:{port}",
        "PROBE_GEOIP_ASN_ZONE": "origin.geo.test",
        "PROBE_GEOIP_NAME_ZONE": "name.geo.test",
    }


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(float(getattr(s, field)) for s in samples)


def _measure(tree: Path, url: str, dns: str, tmp: Path, rounds: int) -> dict[str, Any]:
    env = _environment(tree, tmp / "pycache", dns, tmp / "config")
    python = [sys.executable]
    probe = [sys.executable, "-c", FIRST_STARTED]
    out = tmp / "out.jsonl"
    run = [*probe, "run", "--url", url, "--no-progress", "--output", str(out)]
    commands = {
        "python -c pass": ([*python, "-c", "pass"], None),
        "probe --help": ([*python, "-m", "probe", "--help"], None),
        "probe run, no lookup": ([*run, "--no-geoip"], tmp / "first"),
        "probe run, lookup": ([*run, "--geoip"], tmp / "first"),
        "probe run, no trio": ([*run, "--no-geoip"], tmp / "first"),
        "probe run, controls": ([*run, "--no-geoip"], tmp / "first"),
    }
    for args, first in commands.values():  # untimed: fills the bytecode cache
        _samples(args, env, first, out, 1)
    figures: dict[str, Any] = {}
    for label, (args, first) in commands.items():
        extra = {"BENCH_HIDE": "trio"} if "trio" in label else {}
        extra |= CONTROLS if "controls" in label else {}
        samples = _samples(args, env | extra, first, out, rounds)
        figures[label] = {
            "wall": _median(samples, "wall"),
            "cpu": _median(samples, "cpu"),
        }
        if first:
            figures[label] |= {
                "first_wall": _median(samples, "first_wall"),
                "first_cpu": _median(samples, "first_cpu"),
                "modules": samples[-1].modules,
                "stored": json.loads(out.read_text())["probe_asn"],
            }
    return figures


def _samples(
    args: list[str], env: dict[str, str], first: Path | None, out: Path, rounds: int
) -> list[Sample]:
    samples = []
    for _ in range(rounds):
        out.unlink(missing_ok=True)
        samples.append(_child(args, env, first, out.parent))
    return samples


def _print(tree: str, figures: dict[str, Any], delay: float) -> None:
    print(f"\n{tree}")
    base = figures["python -c pass"]["cpu"]
    for label, f in figures.items():
        ratio = f["cpu"] / base
        print(f"  {label:22s} CPU {f['cpu']:.3f} s ({ratio:.1f}x python), wall {f['wall']:.3f} s")
        if "first_cpu" in f:
            print(
                f"  {'':22s} first measurement started: CPU {f['first_cpu']:.3f} s, "
                f"wall {f['first_wall']:.3f} s, {f['modules']} modules; stored {f['stored']}"
            )
    located = figures["probe run, lookup"]
    print(
        f"  the lookup took at least {delay:.2f} s; the first measurement started "
        f"{located['first_wall']:.3f} s after the process did"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--lookup-delay", type=float, default=0.5)
    parser.add_argument("--against", type=Path, help="another checkout, measured alongside")
    options = parser.parse_args()
    trees = [ROOT, *([options.against.resolve()] if options.against else [])]
    zone = _zone()
    with background() as bg, tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        loop = bg.loop

        async def dns() -> tuple[Any, str]:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _SlowDNS(zone, options.lookup_delay), local_addr=("127.0.0.1", 0)
            )
            return transport, f"127.0.0.1:{transport.get_extra_info('sockname')[1]}"

        transport, resolver = bg.run(dns())
        server, port = bg.run(serve_http())
        url = f"http://example.test:{port}/"
        results = {}
        for i, tree in enumerate(trees):
            scratch = Path(tmp) / str(i)
            scratch.mkdir()
            results[str(tree)] = _measure(tree, url, resolver, scratch, options.rounds)
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(transport.close)
    print(f"medians of {options.rounds} runs each, CPU = user + sys of the child")
    for tree, figures in results.items():
        _print(tree, figures, options.lookup_delay)
    if options.against:
        new, old = (results[str(t)] for t in trees)
        for label in [name for name in new if name != "python -c pass"]:
            key = "first_cpu" if "first_cpu" in new[label] else "cpu"
            print(f"  {label}: {new[label][key] / old[label][key]:.2f}x the other checkout's CPU")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
