"""whatsapp: the app's chat endpoints, its registration server and WhatsApp Web (OONI ts-018)."""

from __future__ import annotations

from typing import Any

from probe.nettests.messaging.app import Result, all_ok, any_ok, by_role, measure_app
from probe.nettests.session import Session

TEST_NAME = "whatsapp"
TEST_VERSION = "0.11.0"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "WhatsApp: chat endpoints e1-e16.whatsapp.net, the registration server, WhatsApp Web"


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure WhatsApp; ``input`` is unused (the endpoints are built in)."""
    return await measure_app(TEST_NAME, session, ooni_keys)


def ooni_keys(results: list[Result]) -> dict[str, Any]:
    """ts-018's keys: the app works when any endpoint answers on any port."""
    endpoints = by_role(results, "endpoint")
    hosts = dict.fromkeys(r["hostname"] for r in endpoints)
    blocked = [h for h in hosts if all(r["failure"] for r in endpoints if r["hostname"] == h)]
    status, _ = any_ok(endpoints)
    registration_status, registration_failure = all_ok(by_role(results, "registration"))
    web_status, web_failure = all_ok(by_role(results, "web"))
    return {
        "whatsapp_endpoints_status": status,
        "whatsapp_endpoints_blocked": blocked,
        "whatsapp_endpoints_dns_inconsistent": [],
        "registration_server_status": registration_status,
        "registration_server_failure": registration_failure,
        "whatsapp_web_status": web_status,
        "whatsapp_web_failure": web_failure,
    }
