"""Settings for the packet tests: fast pacing and a short TTL range, as the lab needs."""

from __future__ import annotations

from typing import Any

from probe.settings import Settings


def packet_settings(**values: Any) -> Settings:
    return Settings(**{"packet_pace": 0.05, "packet_max_ttl": 8, **values})
