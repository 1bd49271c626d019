"""Benchmark: the collector and its stores (issue 15's figures). Nothing leaves 127.0.0.1.

    python benchmarks/collector_bench.py ingest [--measurements 3000] [--clients 32]
    python benchmarks/collector_bench.py rss [--measurements 1000000]
    python benchmarks/collector_bench.py diff [--measurements 100000]
    python benchmarks/collector_bench.py soak [--clients 200] [--duration 20]

``ingest``: measurements a second through ``probe collector serve``'s HTTP API (open a report
per client, then submit), into DuckDB and into chdb. ``rss``: the store's peak RSS while it
holds N measurements, written in the collector's batches, in a child process. ``diff``: wall
time of ``probe diff --store duckdb:… AS9198 AS206026`` over N measurements per ASN (target
< 10 s). ``soak``: 200 submitters back to back for 20 s against one collector; every request
must get an answer (200, or 429/503 with Retry-After), and the collector's RSS stays bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from analysts.factory import STATUSES, measurement

STATUS_CYCLE = list(STATUSES)
HEADER = ("probe_asn", "probe_cc", "software_name", "software_version", "test_name",
          "test_version", "data_format_version")  # fmt: skip


def _record(index: int, asn: str = "AS9198", start: str = "2026-01-05 10:00:00") -> dict[str, Any]:
    status = STATUS_CYCLE[(index * 7 + (asn == "AS206026") * (index % 2)) % len(STATUS_CYCLE)]
    return measurement(f"https://site{index}.test/", status, asn=asn, start=start)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(spec: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """The collector as a child; its stderr goes to a file, so a full pipe never stalls it."""
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "probe", "collector", "serve", "--listen", f"127.0.0.1:{port}",
         "--store", spec, *extra],
        stderr=log.open("wb"),
    )  # fmt: skip
    while "collector listening" not in log.read_text(errors="replace"):
        time.sleep(0.05)
    return proc


def _vmhwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


async def _submitter(
    url: str, records: list[dict[str, Any]], statuses: list[int], latencies: list[float],
    until: float | None, source: str,
) -> None:  # fmt: skip
    """Open a report, then submit back to back from ``source`` (one loopback address per
    submitter, as each volunteer has an address of their own for the rate limit)."""
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(timeout=30, transport=transport) as http:
        opened = await http.post(
            url + "/report", json={k: records[0][k] for k in HEADER} | {"format": "json"}
        )
        report = opened.json()["report_id"]
        index = 0
        while index < len(records) if until is None else time.monotonic() < until:
            content = records[index % len(records)] | {"report_id": report}
            started = time.monotonic()
            try:
                answer = await http.post(
                    f"{url}/report/{report}", json={"format": "json", "content": content}
                )
                statuses.append(answer.status_code)
                if answer.status_code in (429, 503):
                    await asyncio.sleep(min(1.0, float(answer.headers.get("Retry-After", "1"))))
            except httpx.HTTPError:
                statuses.append(0)  # unanswered
            latencies.append(time.monotonic() - started)
            index += 1


async def _swarm(
    url: str,
    shares: list[list[dict[str, Any]]],
    statuses: list[int],
    latencies: list[float],
    until: float | None = None,
) -> None:
    """One submitter per share, all at once."""
    await asyncio.gather(*(
        _submitter(url, share, statuses, latencies, until, f"127.0.{1 + i // 250}.{1 + i % 250}")
        for i, share in enumerate(shares)
    ))  # fmt: skip


def ingest(args: argparse.Namespace) -> None:
    records = [_record(i) for i in range(args.measurements)]
    share = len(records) // args.clients
    for kind in ("duckdb", "chdb"):
        with tempfile.TemporaryDirectory() as tmp:
            spec = f"duckdb:{tmp}/c.duckdb" if kind == "duckdb" else f"chdb:{tmp}/ch"
            port = _free_port()
            proc = _serve(spec, port, "--rate", "100000", "--burst", "100000")
            statuses: list[int] = []
            latencies: list[float] = []
            started = time.monotonic()

            shares = [records[i * share : (i + 1) * share] for i in range(args.clients)]
            asyncio.run(_swarm(f"http://127.0.0.1:{port}", shares, statuses, latencies))
            elapsed = time.monotonic() - started
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
            ok = statuses.count(200)
            print(f"ingest {kind}: {ok} measurements in {elapsed:.1f} s = {ok / elapsed:.0f}/s "
                  f"({args.clients} clients; other answers: {len(statuses) - ok})")  # fmt: skip


def rss(args: argparse.Namespace) -> None:
    from probe.report.identity import measurement_id
    from probe.store.backend import open_storage
    from probe.store.rows import Stored

    with tempfile.TemporaryDirectory() as tmp:
        storage = open_storage(f"duckdb:{tmp}/c.duckdb")
        started = time.monotonic()
        for first in range(0, args.measurements, 1000):
            batch = [_record(i) for i in range(first, min(first + 1000, args.measurements))]
            storage.add([Stored(measurement_id(r), r, json.dumps(r)) for r in batch])
        count = storage.count()
        storage.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) >> 20
        print(f"rss: {count} measurements stored in {time.monotonic() - started:.0f} s, "
              f"peak RSS {peak} MB, store on disk {size} MB")  # fmt: skip


def diff(args: argparse.Namespace) -> None:
    from probe.report.identity import measurement_id
    from probe.store.backend import open_storage
    from probe.store.rows import Stored

    with tempfile.TemporaryDirectory() as tmp:
        spec = f"duckdb:{tmp}/c.duckdb"
        storage = open_storage(spec)
        for asn, day in (("AS9198", "2026-01-05"), ("AS206026", "2026-01-06")):
            for first in range(0, args.measurements, 5000):
                batch = [_record(i, asn, f"{day} 10:00:00")
                         for i in range(first, min(first + 5000, args.measurements))]  # fmt: skip
                storage.add([Stored(measurement_id(r), r, json.dumps(r)) for r in batch])
        storage.close()
        started = time.monotonic()
        with open(os.devnull, "w") as sink:
            child = subprocess.Popen(
                [sys.executable, "-m", "probe", "diff", "--store", spec, "AS9198", "AS206026",
                 "--json"], stdout=sink,
            )  # fmt: skip
            _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - started
        print(
            f"diff --store: 2 x {args.measurements} measurements in {elapsed:.2f} s, "
            f"peak RSS {usage.ru_maxrss // 1024} MB, exit {os.waitstatus_to_exitcode(status)}"
        )


def soak(args: argparse.Namespace) -> None:
    records = [_record(i) for i in range(500)]
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        proc = _serve(f"duckdb:{tmp}/c.duckdb", port)
        statuses: list[int] = []
        latencies: list[float] = []
        until = time.monotonic() + args.duration

        shares = [records[i % 5 :: 5] for i in range(args.clients)]
        asyncio.run(_swarm(f"http://127.0.0.1:{port}", shares, statuses, latencies, until))
        peak = _vmhwm(proc.pid)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    if len(latencies) < 100:
        sys.exit(f"soak: only {len(latencies)} submissions in {args.duration} s: run longer")
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(
        f"soak: {args.clients} submitters for {args.duration:.0f} s: answers {counts} "
        f"(0 = unanswered), p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, collector peak RSS {peak} MB"
    )
    sys.exit(1 if counts.get(0) else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name, default in (("ingest", 3000), ("rss", 1_000_000), ("diff", 100_000)):
        command = sub.add_parser(name)
        command.add_argument("--measurements", type=int, default=default)
        if name == "ingest":
            command.add_argument("--clients", type=int, default=32)
    command = sub.add_parser("soak")
    command.add_argument("--clients", type=int, default=200)
    command.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    {"ingest": ingest, "rss": rss, "diff": diff, "soak": soak}[args.what](args)


if __name__ == "__main__":
    main()
