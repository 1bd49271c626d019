"""``probe collector serve``'s HTTP API: OONI's collector protocol (docs/collector.md).

It runs on the helper's hardened HTTP/1.1 layer (admission caps, head deadlines, 503 shedding).
A measurement is answered 200 only once its store transaction committed, so a probe that saw
200 may forget it; one that did not resends it, and the store's dedup by measurement id turns
the resend into the same 200. Logs carry the route, status and duration only: never a client
address, a report id or a URL measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final

from probe import __version__
from probe.collector.config import CollectorConfig
from probe.collector.ratelimit import RateLimiter
from probe.collector.validate import SubmissionError, open_request, submission
from probe.helper import http11
from probe.helper.http11 import Admission, Incoming, Reply, error_reply, unavailable
from probe.report.identity import measurement_id
from probe.store.backend import Storage
from probe.store.rows import Stored

log = logging.getLogger(__name__)

BACKEND_VERSION: Final = __version__
_PREFIX: Final = "/report"


def _json(value: dict[str, Any]) -> Reply:
    return Reply(HTTPStatus.OK, json.dumps(value).encode())


class _Writer:
    """Batches accepted measurements into store transactions, off the event loop."""

    def __init__(self, storage: Storage, config: CollectorConfig) -> None:
        self.storage = storage
        self.config = config
        self.queue: asyncio.Queue[tuple[Stored, asyncio.Future[bool]]] = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    @property
    def backlog(self) -> int:
        return self.queue.qsize()

    async def write(self, row: Stored) -> bool:
        """True when stored now, False when it was stored before (a resend)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((row, done))
        return await done

    async def _run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.config.batch_rows and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: Sequence[tuple[Stored, asyncio.Future[bool]]]) -> None:
        try:
            new = await asyncio.to_thread(self.storage.add, [row for row, _ in batch])
        except Exception as exc:  # the store failed: every waiting submitter gets a 503
            log.error("store write failed: %s", type(exc).__name__)
            log.debug("store traceback", exc_info=True)
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        claimed: set[str] = set()
        for row, done in batch:  # one batch may hold the same measurement twice
            uid = row.measurement_uid
            if not done.done():
                done.set_result(uid in new and uid not in claimed)
            claimed.add(uid)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class Collector:
    """The request handler; ``stored`` and ``duplicates`` count submissions for tests."""

    def __init__(self, storage: Storage, config: CollectorConfig) -> None:
        self.storage = storage
        self.config = config
        self.limiter = RateLimiter(config.rate, config.burst)
        self.writer = _Writer(storage, config)
        self.stored = 0
        self.duplicates = 0
        self._open: set[str] = set()

    async def __call__(self, incoming: Incoming) -> Reply:
        loop = asyncio.get_running_loop()
        started = loop.time()
        route, reply = await self._reply(incoming)
        log.info("%s %d in %.3f s", route, reply.status, loop.time() - started)
        return reply

    async def _reply(self, incoming: Incoming) -> tuple[str, Reply]:
        parts = incoming.target.split("?", 1)[0].split("/")
        if (
            parts[:2] != ["", "report"]
            or len(parts) > 4
            or (len(parts) == 4 and parts[3] != "close")
        ):
            return "other", error_reply(HTTPStatus.NOT_FOUND)
        route = ("open", "submit", "close")[len(parts) - 2]
        if incoming.method != "POST":
            allow = (("Allow", "POST"),)
            body = error_reply(HTTPStatus.METHOD_NOT_ALLOWED).body
            return route, Reply(HTTPStatus.METHOD_NOT_ALLOWED, body, headers=allow)
        if wait := self.limiter.retry_after(incoming.peer):
            body = error_reply(HTTPStatus.TOO_MANY_REQUESTS).body
            return route, Reply(
                HTTPStatus.TOO_MANY_REQUESTS, body, headers=(("Retry-After", str(wait)),)
            )
        encoding = next((v for k, v in incoming.headers if k.lower() == "content-encoding"), "")
        if encoding.lower() not in ("", "identity"):
            return route, error_reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send without compression")
        try:
            if route == "open":
                return route, await self._open_report(incoming.body)
            if route == "close":
                return route, await self._close(parts[2])
            return route, await self._submit(parts[2], incoming.body)
        except SubmissionError as exc:
            return route, error_reply(exc.status, str(exc))

    async def _open_report(self, body: bytes) -> Reply:
        header = open_request(body)
        header.pop("probe_ip", None)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report_id = f"{stamp}_{header['probe_asn']}_{secrets.token_urlsafe(32)}"
        await asyncio.to_thread(self.storage.open_report, report_id, header)
        self._open.add(report_id)
        return _json(
            {
                "backend_version": BACKEND_VERSION,
                "report_id": report_id,
                "supported_formats": ["json"],
            }
        )

    async def _is_open(self, report_id: str) -> bool:
        if report_id in self._open:
            return True
        if await asyncio.to_thread(self.storage.report_is_open, report_id):
            self._open.add(report_id)  # opened before a restart
            return True
        return False

    async def _submit(self, report_id: str, body: bytes) -> Reply:
        if not await self._is_open(report_id):
            raise SubmissionError("no such open report", HTTPStatus.NOT_FOUND)
        content = submission(body, report_id)
        if self.writer.backlog >= self.config.max_queued:
            return unavailable()
        uid = measurement_id(content)
        raw = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        try:
            new = await self.writer.write(Stored(uid, content, raw))
        except Exception:  # logged by the writer
            return unavailable()
        if new:
            self.stored += 1
        else:
            self.duplicates += 1
        return _json({"measurement_id": uid})

    async def _close(self, report_id: str) -> Reply:
        if not await asyncio.to_thread(self.storage.close_report, report_id):
            raise SubmissionError("no such open report", HTTPStatus.NOT_FOUND)
        self._open.discard(report_id)
        return _json({"status": "success"})


async def start(
    storage: Storage,
    config: CollectorConfig,
    host: str,
    port: int,
    tls: ssl.SSLContext | None = None,
) -> tuple[asyncio.Server, Collector]:
    """Start serving; the returned :class:`Collector` exposes its counts for tests."""
    collector = Collector(storage, config)
    clients = http11.descriptor_limit() // 2
    admission = Admission(config.head_timeout, clients // 2, clients)
    server = await http11.start(
        collector,
        host,
        port,
        max_body=config.max_body,
        read_timeout=config.read_timeout,
        tls=tls,
        admission=admission,
    )
    return server, collector
