"""Soak: the helper under 200 concurrent clients plus 1,000 slowloris connections for 20 s.

Starts a loopback web target and `probe helper serve` as child processes on 127.0.0.1 (the
helper with RLIMIT_NOFILE 1,024, as in the report that found the slowloris, and the SSRF guard
on, exempting 127.0.0.1 only), then runs for `--duration` seconds:

- `--clients` legitimate clients, each POSTing control requests for the target one after the
  other (a new connection each, with `Connection: close`: the worst case for the helper);
- `--slow` slow connections, each sending a request head one byte a second and reconnecting as
  soon as the helper drops it.

It reports the legitimate requests answered (200, or 503 shed with Retry-After) and unanswered,
their p50/p99 latency, how often the slow connections were dropped, and the helper's peak RSS.
Target: every legitimate request answered, p99 under 2 s. Nothing leaves 127.0.0.1.

    python benchmarks/helper_soak.py [--duration 20] [--clients 200] [--slow 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SLOW_HEAD = b"POST / HTTP/1.1\r\nHost: helper\r\nContent-Type: application/json\r\n"
TARGET = """
import asyncio, sys
async def page(reader, writer):
    try:
        await reader.readuntil(b"\\r\\n\\r\\n")
        body = b"<html><head><title>soak</title></head><body>ok</body></html>"
        writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n"
                     % len(body) + body)
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    writer.close()
async def main():
    server = await asyncio.start_server(page, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    measured: list[float] = field(default_factory=list)
    """Latencies of the 200 answers alone."""
    statuses: dict[int, int] = field(default_factory=dict)
    unanswered: int = 0
    why_unanswered: dict[str, int] = field(default_factory=dict)
    slow_connects: int = 0
    slow_dropped: int = 0


def raise_own_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def helper_nofile(limit: int | None) -> None:
    if limit is not None:  # else the helper raises its soft limit to the hard one itself
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def start_children(nofile: int | None, max_inflight: int) -> tuple[subprocess.Popen[str], ...]:
    target = subprocess.Popen([sys.executable, "-c", TARGET], stdout=subprocess.PIPE, text=True)
    assert target.stdout is not None
    target_port = int(target.stdout.readline())
    helper = subprocess.Popen(
        [
            sys.executable, "-m", "probe", "helper", "serve", "--listen", "127.0.0.1:0",
            "--bogon-exempt", "127.0.0.1/32", "--max-inflight", str(max_inflight),
        ],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: helper_nofile(nofile),
    )  # fmt: skip
    assert helper.stderr is not None
    line = helper.stderr.readline()
    if "listening on" not in line:
        target.terminate()
        raise SystemExit(f"helper did not start: {line}{helper.stderr.read()}")
    helper_port = int(line.rsplit(":", 1)[1].strip().strip("/"))
    return target, helper, target_port, helper_port  # type: ignore[return-value]


async def legit_client(port: int, body: bytes, until: float, tally: Tally) -> None:
    request = b"POST / HTTP/1.1\r\nHost: helper\r\nContent-Type: application/json\r\n"
    request += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        started = loop.time()
        try:
            async with asyncio.timeout(10):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                reply = await reader.read()
                writer.close()
            status = int(reply.split(b" ", 2)[1])
        except (OSError, TimeoutError, IndexError, ValueError) as exc:
            tally.unanswered += 1
            why = type(exc).__name__
            tally.why_unanswered[why] = tally.why_unanswered.get(why, 0) + 1
            continue
        tally.latencies.append(loop.time() - started)
        if status == 200:
            tally.measured.append(tally.latencies[-1])
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status == 503:
            await asyncio.sleep(0.05)  # a client that honoured Retry-After would wait longer


async def slow_connection(port: int, until: float, tally: Tally) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        try:
            async with asyncio.timeout(2):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.1)
            continue
        tally.slow_connects += 1
        try:
            for byte in SLOW_HEAD * 100:
                if loop.time() >= until:
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await reader.read(4096)
                        break  # an answer or EOF: the helper let go of us
        except OSError:
            pass
        tally.slow_dropped += 1
        writer.close()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(args: argparse.Namespace, helper_port: int, target_port: int) -> Tally:
    tally = Tally()
    loop = asyncio.get_running_loop()
    url = f"http://127.0.0.1:{target_port}/"
    body = json.dumps({"http_request": url, "tcp_connect": [f"127.0.0.1:{target_port}"]}).encode()
    until = loop.time() + args.duration
    slow = [
        asyncio.create_task(slow_connection(helper_port, until, tally)) for _ in range(args.slow)
    ]
    await asyncio.sleep(2)  # let the slow connections pile up first
    clients = [
        asyncio.create_task(legit_client(helper_port, body, until, tally))
        for _ in range(args.clients)
    ]
    _, late = await asyncio.wait([*clients, *slow], timeout=args.duration + 15)
    for task in late:  # bounded: nothing outlives the soak by more than the client timeout
        task.cancel()
    return tally


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100)[int(fraction * 100) - 1] if len(values) > 1 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument(
        "--helper-nofile", type=int, help="RLIMIT_NOFILE for the helper (default: inherited)"
    )
    parser.add_argument("--max-inflight", type=int, default=16)
    args = parser.parse_args()
    raise_own_nofile(args.clients + args.slow + 256)
    target, helper, target_port, helper_port = start_children(args.helper_nofile, args.max_inflight)
    try:
        started = time.perf_counter()
        tally = asyncio.run(soak(args, helper_port, target_port))
        elapsed = time.perf_counter() - started
        rss = peak_rss_mb(helper.pid)
    finally:
        helper.terminate()
        target.terminate()
        helper.wait()
        target.wait()
    answered = sum(tally.statuses.values())
    p50, p99 = percentile(tally.latencies, 0.50), percentile(tally.latencies, 0.99)
    ok = tally.unanswered == 0 and p99 < 2.0
    figures = {
        "duration_s": round(elapsed, 1),
        "clients": args.clients,
        "slow_connections": args.slow,
        "helper_nofile": args.helper_nofile,
        "max_inflight": args.max_inflight,
        "answered": answered,
        "status_200": tally.statuses.get(200, 0),
        "status_503": tally.statuses.get(503, 0),
        "other_statuses": {k: v for k, v in tally.statuses.items() if k not in (200, 503)},
        "unanswered": tally.unanswered,
        "why_unanswered": tally.why_unanswered,
        "p50_s": round(p50, 3),
        "p99_s": round(p99, 3),
        "measured_p50_s": round(percentile(tally.measured, 0.50), 3),
        "measured_p99_s": round(percentile(tally.measured, 0.99), 3),
        "slow_connects": tally.slow_connects,
        "slow_dropped": tally.slow_dropped,
        "helper_peak_rss_mb": round(rss, 1),
        "pass": ok,
    }
    print(
        f"{answered} legitimate requests answered ({figures['status_200']} measured, "
        f"{figures['status_503']} shed with 503), {tally.unanswered} unanswered; "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
        f"(measured alone: {figures['measured_p50_s'] * 1000:.0f} / "
        f"{figures['measured_p99_s'] * 1000:.0f} ms); "
        f"{tally.slow_connects} slow connections opened, {tally.slow_dropped} dropped; "
        f"helper peak RSS {rss:.0f} MB; {'PASS' if ok else 'FAIL'} (all answered, p99 < 2 s)"
    )
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "helper_soak.json").write_text(json.dumps(figures, indent=2) + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
