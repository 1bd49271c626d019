"""telegram: the data centres the apps connect to, and Telegram Web (OONI ts-020)."""

from __future__ import annotations

from typing import Any

from probe.nettests.messaging.app import Result, all_ok, by_role, measure_app
from probe.nettests.messaging.checks import CONNECT, RESOLVE
from probe.nettests.session import Session

TEST_NAME = "telegram"
TEST_VERSION = "0.3.1"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Telegram: its data-centre addresses on ports 80 and 443, and Telegram Web"


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure Telegram; ``input`` is unused (the DC addresses are built in)."""
    return await measure_app(TEST_NAME, session, ooni_keys)


def ooni_keys(results: list[Result]) -> dict[str, Any]:
    """ts-020's keys: TCP blocking when no DC accepts a connection, HTTP blocking when none
    answers a request (a POST, as OONI sends; any answer counts)."""
    dcs = by_role(results, "dc")
    web_status, web_failure = all_ok(by_role(results, "web"))
    return {
        "telegram_tcp_blocking": all(r["failed_operation"] in (RESOLVE, CONNECT) for r in dcs)
        if dcs
        else None,
        "telegram_http_blocking": all(r["failure"] is not None for r in dcs) if dcs else None,
        "telegram_web_status": web_status,
        "telegram_web_failure": web_failure,
    }
