"""Runs a nettest over many targets with bounded parallelism.

A fixed pool of workers pulls from a queue, so memory stays flat for any list length and a slow
target only ever occupies one worker. Results are handed over as each target finishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from probe.inputs import Target
from probe.nettests import web_connectivity
from probe.nettests.session import Session
from probe.report.envelope import RunInfo, measurement
from probe.report.scrub import scrub
from probe.settings import Settings

Sink = Callable[[dict[str, Any]], None]


async def run(
    targets: Sequence[Target],
    settings: Settings,
    info: RunInfo,
    sink: Sink,
    secrets: list[str] | None = None,
) -> None:
    """Measure every target; ``sink`` receives each finished measurement, in completion order.

    ``secrets`` (the volunteer's own address, in all its spellings) are scrubbed from every
    measurement before it leaves this function.
    """
    workers = max(1, min(settings.parallel, len(targets)))
    queue: asyncio.Queue[Target] = asyncio.Queue()
    for target in targets:
        queue.put_nowait(target)
    # getaddrinfo blocks a thread; the default pool (cores + 4) would cap real parallelism.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="getaddrinfo") as pool:
        session = Session(settings, executor=pool)

        async def worker() -> None:
            while not queue.empty():
                target = queue.get_nowait()
                sink(scrub(await measure_target(target, session, info), secrets or []))

        tasks = [asyncio.create_task(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await session.aclose()


async def measure_target(target: Target, session: Session, info: RunInfo) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    started = datetime.now(UTC)
    t0 = loop.time()
    try:
        test_keys = await web_connectivity.measure(target.url, session)
    except Exception as exc:  # a bug on one target must not cost the volunteer the whole run
        test_keys = {"x_failure": f"unknown_failure: {type(exc).__name__}: {exc}"}
    return measurement(info, target.url, started, loop.time() - t0, test_keys, target.category_code)
