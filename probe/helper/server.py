"""The test helper's HTTP API: POST / with a control request, JSON control response back.

Logs carry the status and duration only: never the client's address, never the URL asked about,
because a helper's logs could otherwise identify who tests which site.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from http import HTTPStatus

from probe.control.protocol import ControlRequest, ProtocolError
from probe.helper import http11
from probe.helper.config import HelperConfig
from probe.helper.http11 import Incoming, Reply, error_reply
from probe.helper.measure import TargetRefused, measure

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


class Helper:
    """The request handler; ``inflight`` counts control requests being measured."""

    def __init__(self, config: HelperConfig) -> None:
        self.config = config
        self.inflight = 0

    async def __call__(self, incoming: Incoming) -> Reply:
        loop = asyncio.get_running_loop()
        started = loop.time()
        reply = await self._reply(incoming)
        log.info("%s %d in %.2f s", incoming.method, reply.status, loop.time() - started)
        return reply

    async def _reply(self, incoming: Incoming) -> Reply:
        if incoming.target != "/":
            return error_reply(HTTPStatus.NOT_FOUND)
        if incoming.method != "POST":
            return Reply(
                HTTPStatus.METHOD_NOT_ALLOWED,
                error_reply(HTTPStatus.METHOD_NOT_ALLOWED).body,
                headers=(("Allow", "POST"),),
            )
        if self.inflight >= self.config.max_inflight:
            return Reply(
                HTTPStatus.SERVICE_UNAVAILABLE,
                error_reply(HTTPStatus.SERVICE_UNAVAILABLE).body,
                headers=(("Retry-After", RETRY_AFTER_SECONDS),),
            )
        try:
            request = ControlRequest.from_json(json.loads(incoming.body))
        except (ValueError, RecursionError) as exc:  # ProtocolError is a ValueError
            detail = str(exc) if isinstance(exc, ProtocolError) else "body is not JSON"
            return error_reply(HTTPStatus.BAD_REQUEST, detail)
        self.inflight += 1
        try:
            async with asyncio.timeout(self.config.deadline):
                response = await measure(request, self.config)
        except TargetRefused:
            return error_reply(HTTPStatus.FORBIDDEN, "target address not allowed")
        except TimeoutError:
            return error_reply(HTTPStatus.GATEWAY_TIMEOUT)
        finally:
            self.inflight -= 1
        return Reply(HTTPStatus.OK, json.dumps(response.to_json()).encode())


async def start(
    config: HelperConfig, host: str, port: int, tls: ssl.SSLContext | None = None
) -> tuple[asyncio.Server, Helper]:
    """Start serving; the returned :class:`Helper` exposes the load for tests and metrics."""
    helper = Helper(config)
    server = await http11.start(
        helper,
        host,
        port,
        max_body=config.max_request_bytes,
        read_timeout=config.read_timeout,
        tls=tls,
    )
    return server, helper
