"""The session's helper clients: kept-alive connections, and a burst asked all at once."""

from __future__ import annotations

import asyncio
import json

from control.test_helper_client import VALID

from probe.control.helper_client import HelperAnswer, query_helpers
from probe.helper.http11 import Admission, Incoming, Reply, start
from probe.nettests.session import Session
from probe.settings import Settings

BURST = 8


async def ask(session: Session, target: str) -> HelperAnswer:
    async with session.helper_client() as client:
        return await query_helpers(
            session.settings.helper_urls, target, [], session.settings, 10.0, session.health,
            client=client,
        )  # fmt: skip


async def test_a_burst_is_asked_at_once_and_later_targets_reuse_the_connections(
    servers: list[object],
) -> None:
    inflight = 0
    all_in = asyncio.Event()

    async def helper(incoming: Incoming) -> Reply:
        nonlocal inflight
        inflight += 1
        if inflight >= BURST:
            all_in.set()
        async with asyncio.timeout(5):  # one at a time would never get here: the test fails
            await all_in.wait()
        return Reply(200, json.dumps(VALID).encode())

    gate = Admission(head_timeout=10.0, max_pending=100, max_connections=100)
    server = await start(
        helper, "127.0.0.1", 0, max_body=65536, read_timeout=10.0, admission=gate, keep_alive=True
    )
    servers.append(server)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    session = Session(Settings(helper_urls=(url,), doh_urls=()))
    try:
        burst = [ask(session, f"https://s{i}.test/") for i in range(BURST)]
        answers = await asyncio.gather(*burst)
        assert [a.failure for a in answers] == [None] * BURST
        for i in range(3 * BURST):  # one target after another: no new connection
            assert (await ask(session, f"https://t{i}.test/")).failure is None
        assert gate.open == BURST
    finally:
        await session.aclose()
