"""What every messaging nettest shares: run the app's checks and store how far each got.

Only observations are stored (``x_endpoints``, the OONI step lists, the control's answer). The
per-app OONI keys (``whatsapp_endpoints_status``, ``telegram_tcp_blocking``…) are judgements of
them, derived in ``probe.analysis.app_keys`` and written by the pipeline beside the verdict.
"""

from __future__ import annotations

import asyncio

from probe.control.attempts import AttemptRecord
from probe.net import events
from probe.net.names import is_ip_literal
from probe.net.records import DNSQuery, TraceKeys
from probe.nettests.app_control import ControlView, Unreached, ask
from probe.nettests.chain import RESOLVE, StepLists
from probe.nettests.messaging.checks import EndpointResult, new_observations, resolve, run_check
from probe.nettests.messaging.endpoints import app_checks, override
from probe.nettests.resolution import SkippedBogons, skipped_keys
from probe.nettests.session import Session

ENDPOINTS_FIELD = "app_endpoints"
"""The Settings field naming a replacement for the shipped app_endpoints.toml."""


class AppKeys(TraceKeys, StepLists, SkippedBogons):
    """An app test's ``test_keys`` as measured (docs/data-format.md)."""

    agent: str
    failure: None
    failed_operation: None
    queries: list[DNSQuery]
    x_endpoints: list[EndpointResult]
    x_control: ControlView
    x_controls: list[AttemptRecord]


async def measure_app(app: str, session: Session) -> AppKeys:
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
    keys: AppKeys = {
        "agent": "agent",  # df-001: an endpoint check sends one request, following no redirect
        # The measurement as a whole ran: OONI's ``failure`` and ``failed_operation`` are null
        # (a blocked endpoint is told by the app's own keys, as in OONI's experiments).
        "failure": None,
        "failed_operation": None,
        **trace.keys(),
        "queries": obs.queries,
        "tcp_connect": obs.tcp_connect,
        "tls_handshakes": obs.tls_handshakes,
        "requests": obs.requests,
        **skipped_keys(obs.skipped_bogons),
        "x_endpoints": results,
        "x_control": control,
        "x_controls": tried,
    }
    return keys
