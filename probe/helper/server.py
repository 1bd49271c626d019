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
from typing import Any

from probe.control.protocol import ControlRequest, ControlResponse, ProtocolError
from probe.helper import http11
from probe.helper.config import HelperConfig
from probe.helper.http11 import Admission, Incoming, Reply, error_reply, unavailable
from probe.helper.measure import TargetRefused, measure

log = logging.getLogger(__name__)

MIN_CONNECTIONS = 16
GREETING = b'{"message": "probe helper: POST a web_connectivity control request to /"}'
"""The answer to GET /: 200 and JSON, like OONI's oohelperd, so its clients' checks pass."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"})


class Helper:
    """The request handler; ``inflight`` counts control requests being measured."""

    def __init__(self, config: HelperConfig) -> None:
        self.config = config
        self.inflight = 0
        self.admission = admission(config)

    async def __call__(self, incoming: Incoming) -> Reply:
        loop = asyncio.get_running_loop()
        started = loop.time()
        reply = await self._reply(incoming)
        method = incoming.method if incoming.method in _METHODS else "other"  # any token goes
        log.info("%s %d in %.2f s", method, reply.status, loop.time() - started)
        return reply

    async def _reply(self, incoming: Incoming) -> Reply:
        if incoming.target != "/":
            return error_reply(HTTPStatus.NOT_FOUND)
        if incoming.method == "GET":  # a liveness check, answered as oohelperd does
            return Reply(HTTPStatus.OK, GREETING)
        if incoming.method != "POST":
            return Reply(
                HTTPStatus.METHOD_NOT_ALLOWED,
                error_reply(HTTPStatus.METHOD_NOT_ALLOWED).body,
                headers=(("Allow", "POST"),),
            )
        if self.inflight >= self.config.max_inflight:
            return unavailable()
        try:
            # JSON is UTF-8 (RFC 8259); json.loads would also guess UTF-16 and UTF-32 from bytes.
            request = ControlRequest.from_json(json.loads(incoming.body.decode("utf-8")))
        except (ValueError, RecursionError) as exc:  # ProtocolError, UnicodeError: ValueErrors
            detail = str(exc) if isinstance(exc, ProtocolError) else "body is not UTF-8 JSON"
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
        return Reply(HTTPStatus.OK, json.dumps(answer(response)).encode())


def answer(response: ControlResponse) -> dict[str, Any]:
    """The reply's JSON, with the keys oohelperd sends for QUIC, which this helper does not
    measure (``x_quic_enabled`` is ignored): empty, exactly as oohelperd answers with QUIC off."""
    reply = response.to_json()
    reply["http_request"]["discovered_h3_endpoint"] = ""
    return reply | {"quic_handshake": {}, "http3_request": None}


def admission(config: HelperConfig) -> Admission:
    """Connection limits from RLIMIT_NOFILE: up to half of it stays free for the helper's own
    connections (every planned endpoint, the fetch and two DNS sockets per request)."""
    nofile = http11.descriptor_limit()
    outgoing = min(config.max_inflight * (2 * config.max_addresses + 3), nofile // 2)
    budget = nofile - http11.RESERVED_DESCRIPTORS - outgoing
    if budget < MIN_CONNECTIONS:
        raise ValueError(f"RLIMIT_NOFILE is {nofile}: too low for a helper (raise ulimit -n)")
    pending = budget // 2 if config.max_pending is None else min(config.max_pending, budget)
    return Admission(config.head_timeout, pending, budget)


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
        admission=helper.admission,
        keep_alive=True,
    )
    return server, helper
