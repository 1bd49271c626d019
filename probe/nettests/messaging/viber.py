"""viber: Viber's web site, REST API and media host (no OONI test exists; keys are ``x_``)."""

from __future__ import annotations

from typing import Any

from probe.nettests.messaging.app import Result, all_ok, by_role, measure_app
from probe.nettests.session import Session

TEST_NAME = "viber"
TEST_VERSION = "0.1.0"
DESCRIPTION = "Viber: its web site, REST API host and media host"


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure Viber; ``input`` is unused (the hosts are built in)."""
    return await measure_app(TEST_NAME, session, ooni_keys)


def ooni_keys(results: list[Result]) -> dict[str, Any]:
    """One status and failure per part, in OONI's style (``x_viber_<part>_status``)."""
    keys: dict[str, Any] = {}
    for role in dict.fromkeys(r["role"] for r in results):
        status, failure = all_ok(by_role(results, role))
        keys[f"x_viber_{role}_status"] = status
        keys[f"x_viber_{role}_failure"] = failure
    return keys
