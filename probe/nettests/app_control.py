"""The control for the tool and app tests: was what the probe could not reach up at the time?

The helper is asked about exactly what failed: each name that did not resolve or connect, and
each fixed address (a Tor authority, a Telegram data centre) that did not answer. Its view from
outside the country is what lets a failure count as blocking; without it the verdict stays
undetermined. Private targets (the volunteer's bridges) are never sent to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from probe.control.attempts import AttemptRecord, merged
from probe.control.helper_client import query_helpers
from probe.nettests.session import CONTROL_TIMEOUT, Session

MAX_REQUESTS = 8
"""Helper requests per test at most: enough for every part of an app, bounded for the helper."""


class NameView(TypedDict, total=False):
    """The helper's DNS answer for a name (ts-017's control ``dns``)."""

    addrs: list[str] | None
    failure: str | None


class EndpointView(TypedDict, total=False):
    """The helper's connect to one ``ip:port`` (ts-017's control ``tcp_connect`` entry)."""

    status: bool
    failure: str | None


class ControlView(TypedDict, total=False):
    """``x_control``: empty when no helper is configured or nothing failed."""

    names: dict[str, NameView]
    endpoints: dict[str, EndpointView]
    failure: str | None


@dataclass(frozen=True)
class Unreached:
    host: str | None
    """The name the probe used, or None for a fixed address."""
    port: int
    endpoint: str | None
    """``ip:port`` the probe tried and could not use; None when the name did not resolve."""


def _url(host: str, port: int) -> str:
    scheme = "http" if port == 80 else "https"
    default = 80 if scheme == "http" else 443
    netloc = host if port == default else f"{host}:{port}"
    return f"{scheme}://{netloc}/"


async def ask(
    unreached: Sequence[Unreached], session: Session
) -> tuple[ControlView, list[AttemptRecord]]:
    """``x_control``: ``{"names": {host: {"addrs", "failure"}}, "endpoints": {ip:port: {"status",
    "failure"}}, "failure": str | None}``, or ``{}`` when no helper is configured or nothing
    failed; and ``x_controls``, the helpers tried."""
    helpers = session.settings.helper_urls
    if not helpers or not unreached:
        return {}, []
    groups: dict[tuple[str, int], list[str]] = {}
    for item in unreached:
        host = item.host or (item.endpoint or "").rpartition(":")[0].strip("[]")
        if not host:
            continue  # nothing the helper could be asked about
        endpoints = groups.setdefault((host, item.port), [])
        if item.endpoint:
            endpoints.append(item.endpoint)
    asked = list(groups.items())[:MAX_REQUESTS]
    async with session.helper_client() as client:
        answers = await asyncio.gather(
            *(
                query_helpers(
                    helpers,
                    _url(host if ":" not in host else f"[{host}]", port),
                    endpoints,
                    session.settings,
                    CONTROL_TIMEOUT,
                    session.health,
                    client=client,
                )
                for (host, port), endpoints in asked
            )
        )
    names: dict[str, NameView] = {}
    reached: dict[str, EndpointView] = {}
    failures = []
    for ((host, _port), _), answer in zip(asked, answers, strict=True):
        if answer.response is None:
            failures.append(answer.failure)
            continue
        response: dict[str, Any] = answer.response  # the helper's JSON, validated on arrival
        names[host] = cast(NameView, response.get("dns", {}))
        reached |= cast(dict[str, EndpointView], response.get("tcp_connect", {}))
    control = ControlView(
        names=names, endpoints=reached, failure=failures[0] if failures and not names else None
    )
    return control, [a.as_json() for a in merged(a for ans in answers for a in ans.attempts)]
