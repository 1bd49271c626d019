"""Per-client token buckets, keyed so that the collector's memory holds no client address.

A bucket is found by a keyed hash of the client's address (its /64 for IPv6, which one host
rotates through); the key is random per process, so the table cannot be turned back into
addresses, and it is bounded: past ``max_clients`` the least recently seen client is forgotten.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: float,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()

    def _client(self, address: str) -> bytes:
        try:
            ip = ipaddress.ip_address(address)
            if ip.version == 6:
                address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        except ValueError:
            pass
        return hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]

    def retry_after(self, address: str) -> int:
        """0 when the request may go ahead (a token is taken), else the seconds to wait."""
        key = self._client(address)
        now = self._clock()
        tokens, seen = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - seen) * self.rate)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return 0 if allowed else max(1, math.ceil((1 - tokens) / self.rate))
