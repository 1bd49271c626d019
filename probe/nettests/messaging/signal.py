"""signal: the Signal servers the apps talk to over HTTPS (OONI ts-029)."""

from __future__ import annotations

from typing import Any

from probe.nettests.messaging.app import Result, all_ok, by_role, measure_app
from probe.nettests.session import Session

TEST_NAME = "signal"
TEST_VERSION = "0.2.5"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Signal: its chat, storage, CDN and calling servers over HTTPS"


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure Signal; ``input`` is unused (the servers are built in)."""
    return await measure_app(TEST_NAME, session, ooni_keys)


def ooni_keys(results: list[Result]) -> dict[str, Any]:
    """ts-029's keys: blocked as soon as one backend fails."""
    status, failure = all_ok(by_role(results, "backend"))
    return {"signal_backend_status": status, "signal_backend_failure": failure}
