"""TTL-limited traces of one endpoint with several triggers (CenTrace's measurement).

The triggers are interleaved at each TTL, so the test and the control cross the same routes at
nearly the same moment, and probes are paced, because routers rate-limit the ICMP they send.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from probe.net.raw.capture import Capture
from probe.net.raw.exchange import Exchange, Timing, exchange


def traces(
    capture: Capture,
    port: int,
    payloads: Mapping[str, bytes],
    timing: Timing,
    max_ttl: int,
    pace: float,
    until: str,
) -> dict[str, list[Exchange]]:
    """One exchange per payload per TTL from 1, until the ``until`` trace reaches the endpoint
    (or its connection fails), or ``max_ttl``."""
    found: dict[str, list[Exchange]] = {name: [] for name in payloads}
    for ttl in range(1, max_ttl + 1):
        for name, payload in payloads.items():
            if any(found.values()):
                time.sleep(pace)
            found[name].append(exchange(capture, port, payload, timing, ttl))
        if found[until][-1].reached_endpoint:
            break
    return found
