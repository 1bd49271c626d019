"""Ask a test helper (ours or any OONI-compatible one) what a URL looks like from outside.

Every problem with the helper becomes a ``control_failure`` string, never an exception: a
measurement without a usable control is still a measurement, only undetermined.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from probe.control.attempts import HELPER, Attempt, Health
from probe.control.protocol import ControlRequest, ControlResponse, ProtocolError
from probe.control.transport import TooLarge, control_client, read_capped
from probe.net import errors
from probe.settings import Settings

if TYPE_CHECKING:
    import httpx

# control_failure strings beyond the network ones of probe.net.errors.
HTTP_REQUEST_FAILED: Final = "http_request_failed"
"""The helper answered with a non-200 status (OONI's string)."""
JSON_PARSE_ERROR: Final = "json_parse_error"
"""The helper's body is not JSON."""
INVALID_RESPONSE: Final = "control_invalid_response"
"""The helper's JSON does not follow the protocol, or is too large to be an answer."""

ANSWER_FAILURES: Final = frozenset({HTTP_REQUEST_FAILED, JSON_PARSE_ERROR, INVALID_RESPONSE})
"""The helper was reached but answered badly. OONI Probe tries the next helper only when the
exchange itself failed (resolving, connecting, TLS, a reset or timeout, reading the body), and
so does the probe: a helper that answers is up, even when this answer is unusable."""

MAX_RESPONSE_BYTES: Final = 4 << 20


@dataclass(frozen=True)
class HelperAnswer:
    response: dict[str, Any] | None
    """The validated response, or None when no helper gave one."""
    failure: str | None
    """``control_failure``: why the last helper asked gave no usable answer."""
    attempts: tuple[Attempt, ...]


def default_headers(settings: Settings) -> dict[str, tuple[str, ...]]:
    return {"User-Agent": (settings.user_agent,)}


async def query_helper(
    url: str,
    target_url: str,
    endpoints: Sequence[str],
    settings: Settings,
    timeout: float,
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
    client: httpx.AsyncClient | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """POST the control request to ``url``; return (the validated response, None) or
    (None, control_failure).

    ``endpoints`` are the ``ip:port`` the probe connected to; ``headers`` should be the ones the
    probe's own request sent (User-Agent, Accept, Accept-Language), so both fetch alike.
    ``timeout`` bounds the whole exchange. Pass ``client`` to reuse connections across targets.
    """
    import httpx  # with the first exchange, not at start-up: docs/performance.md, "Start-up"

    request = ControlRequest(
        target_url,
        {k: tuple(v) for k, v in (headers or default_headers(settings)).items()},
        tuple(endpoints),
    )
    try:
        async with AsyncExitStack() as stack, asyncio.timeout(timeout):
            if client is None:
                client = await stack.enter_async_context(
                    control_client(settings.ca_bundle, timeout)
                )
            reply = await stack.enter_async_context(
                client.stream("POST", url, json=request.to_json())
            )
            if reply.status_code != 200:
                return None, HTTP_REQUEST_FAILED
            body = await read_capped(reply, MAX_RESPONSE_BYTES)
    except TooLarge:
        return None, INVALID_RESPONSE
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        return None, errors.classify(exc)
    return parse_reply(body)


async def query_helpers(
    urls: Sequence[str],
    target_url: str,
    endpoints: Sequence[str],
    settings: Settings,
    timeout: float,
    health: Health,
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
    client: httpx.AsyncClient | None = None,
) -> HelperAnswer:
    """Ask the helpers in order until one is reached, as OONI Probe does.

    A helper that could not be reached is remembered in ``health`` and skipped, without waiting
    for it again, by every later target of the run. ``timeout`` bounds each helper's exchange.
    """
    attempts: list[Attempt] = []
    failure: str | None = None
    for url in urls:
        earlier = health.down(url)
        if earlier is not None:
            attempts.append(Attempt(HELPER, url, earlier, skipped=True))
            failure = earlier
            continue
        response, failure = await query_helper(
            url, target_url, endpoints, settings, timeout, headers=headers, client=client
        )
        attempts.append(Attempt(HELPER, url, failure))
        if failure is None or failure in ANSWER_FAILURES:
            health.reached(url)
            return HelperAnswer(response, failure, tuple(attempts))
        health.unreachable(url, failure)
    return HelperAnswer(None, failure, tuple(attempts))


def parse_reply(body: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Validate a helper's body; the returned dict is normalised (unknown keys dropped)."""
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError):
        return None, JSON_PARSE_ERROR
    try:
        return ControlResponse.from_json(obj).to_json(), None
    except ProtocolError:
        return None, INVALID_RESPONSE
