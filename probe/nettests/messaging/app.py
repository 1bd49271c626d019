"""What every messaging nettest shares: run the app's checks, then summarise them OONI's way.

The per-app OONI keys (``whatsapp_endpoints_status``, ``telegram_tcp_blocking``…) are plain
summaries of the stored per-endpoint results (``x_endpoints``), so an analyst can always recompute
them; verdicts live in ``probe.analysis.messaging``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from probe.net import events
from probe.net.names import is_ip_literal
from probe.nettests.app_control import Unreached, ask
from probe.nettests.messaging.checks import RESOLVE, new_observations, resolve, run_check
from probe.nettests.messaging.endpoints import app_checks, override
from probe.nettests.resolution import skipped_keys
from probe.nettests.session import Session

ENDPOINTS_FIELD = "app_endpoints"
"""The Settings field naming a replacement for the shipped app_endpoints.toml."""

Result = dict[str, Any]
KeysOf = Callable[[list[Result]], dict[str, Any]]


async def measure_app(app: str, session: Session, keys_of: KeysOf) -> dict[str, Any]:
    """Measure every endpoint of ``app`` at once and return its ``test_keys``."""
    checks = app_checks(app, override(session.settings, ENDPOINTS_FIELD))
    obs = new_observations()
    hosts = dict.fromkeys(c.host for c in checks if c.address is None)
    with events.recording(obs.t_zero) as trace:
        # Resolve each name once, before the checks that share it start connecting.
        await asyncio.gather(*(resolve(host, session, obs) for host in hosts))
        results = list(await asyncio.gather(*(run_check(c, session, obs) for c in checks)))
    unreached = [
        Unreached(
            None if is_ip_literal(r["hostname"]) else r["hostname"],
            r["port"] or 443,
            r["address"] if r["failed_operation"] != RESOLVE else None,
        )
        for r in results
        if r["failure"] is not None
    ]
    control, tried = await ask(unreached, session)
    return {
        # The measurement as a whole ran: OONI's ``failure`` and ``failed_operation`` are null
        # (a blocked endpoint is told by the app's own keys, as in OONI's experiments).
        "failure": None,
        "failed_operation": None,
        "network_events": trace.events,
        "queries": obs.queries,
        "tcp_connect": obs.tcp_connect,
        "tls_handshakes": obs.tls_handshakes,
        "requests": obs.requests,
        **skipped_keys(obs.skipped_bogons),
        "x_endpoints": results,
        "x_control": control,
        "x_controls": tried,
        **keys_of(results),
    }


def by_role(results: Sequence[Result], role: str) -> list[Result]:
    return [r for r in results if r["role"] == role]


def all_ok(results: Sequence[Result]) -> tuple[str | None, str | None]:
    """OONI's status for a part that needs every endpoint: ("ok"|"blocked", first failure).

    None when the part was not measured (a replacement data file may leave it out).
    """
    if not results:
        return None, None
    failures = [r["failure"] for r in results if r["failure"] is not None]
    return ("blocked", failures[0]) if failures else ("ok", None)


def any_ok(results: Sequence[Result]) -> tuple[str | None, str | None]:
    """OONI's status for a part where one working endpoint is enough."""
    if not results:
        return None, None
    if any(r["failure"] is None for r in results):
        return "ok", None
    return "blocked", results[0]["failure"]
