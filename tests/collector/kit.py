"""A collector on 127.0.0.1 in a background loop, and raw requests to it (httpx, not our client)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from loopback.background import background

from probe.collector.config import CollectorConfig
from probe.collector.server import Collector, start
from probe.store.backend import Storage, open_storage


@dataclass
class Running:
    url: str
    collector: Collector
    storage: Storage

    def post(self, path: str, body: Any = None, raw: bytes | None = None) -> httpx.Response:
        content = raw if raw is not None else json.dumps(body).encode() if body is not None else b""
        return httpx.post(self.url + path, content=content, timeout=10)

    def open(self, measurement: dict[str, Any]) -> str:
        response = self.post("/report", header_of(measurement) | {"format": "json"})
        assert response.status_code == 200, response.text
        return str(response.json()["report_id"])

    def submit(self, report_id: str, measurement: dict[str, Any]) -> httpx.Response:
        content = measurement | {"report_id": report_id}
        return self.post(f"/report/{report_id}", {"format": "json", "content": content})


HEADER_KEYS = ("probe_asn", "probe_cc", "software_name", "software_version", "test_name",
               "test_version", "data_format_version")  # fmt: skip


def header_of(measurement: dict[str, Any]) -> dict[str, Any]:
    return {k: measurement[k] for k in HEADER_KEYS}


@contextmanager
def collector(spec: str, config: CollectorConfig | None = None, port: int = 0) -> Iterator[Running]:
    storage = open_storage(spec)
    with background() as bg:
        server, handler = bg.run(start(storage, config or CollectorConfig(), "127.0.0.1", port))
        port = server.sockets[0].getsockname()[1]
        try:
            yield Running(f"http://127.0.0.1:{port}", handler, storage)
        finally:
            bg.run(_stop(server, handler))
            storage.close()


async def _stop(server: asyncio.Server, handler: Collector) -> None:
    """On the server's own loop: asyncio servers are not thread-safe."""
    server.close()
    await handler.writer.stop()


def duck(tmp_path: Path) -> str:
    return f"duckdb:{tmp_path / 'collector.duckdb'}"
