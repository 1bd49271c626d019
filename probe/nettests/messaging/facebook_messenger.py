"""facebook_messenger: the hosts Facebook Messenger uses (OONI ts-019)."""

from __future__ import annotations

from typing import Any

from probe.nettests.messaging.app import Result, by_role, measure_app
from probe.nettests.messaging.checks import RESOLVE
from probe.nettests.session import Session

TEST_NAME = "facebook_messenger"
TEST_VERSION = "0.2.1"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Facebook Messenger: its API, MQTT edge, CDN and STUN hosts"


async def measure(input: str, session: Session) -> dict[str, Any]:
    """Measure Facebook Messenger; ``input`` is unused (the hosts are built in)."""
    return await measure_app(TEST_NAME, session, ooni_keys)


def ooni_keys(results: list[Result]) -> dict[str, Any]:
    """ts-019's keys, with one difference: a name counts as DNS-consistent when it resolves to
    public addresses (ts-019 checks Facebook's AS32934, which needs an IP-to-ASN lookup)."""
    keys: dict[str, Any] = {}
    for role in dict.fromkeys(r["role"] for r in results):
        part = by_role(results, role)
        keys[f"facebook_{role}_dns_consistent"] = any(
            r["failed_operation"] != RESOLVE for r in part
        )
        keys[f"facebook_{role}_reachable"] = (
            None if part[0]["kind"] == "dns" else any(r["failure"] is None for r in part)
        )
    dns = [v for k, v in keys.items() if k.endswith("_dns_consistent")]
    tcp = [v for k, v in keys.items() if k.endswith("_reachable") and v is not None]
    keys["facebook_dns_blocking"] = not all(dns)
    keys["facebook_tcp_blocking"] = not all(tcp)
    return keys
