"""Limits of a running collector; the CLI fills them, tests shrink them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CollectorConfig:
    max_body: int = 8 << 20
    """Bytes per request: a measurement may hold a 1 MiB body, JSON-escaped several times over."""
    rate: float = 20.0
    """Requests a second per client (its /64 for IPv6), sustained; more get 429."""
    burst: float = 200.0
    """Requests a client may send at once before the rate applies."""
    max_queued: int = 5_000
    """Measurements waiting for the store; more get 503 with Retry-After."""
    batch_rows: int = 1_000
    """Measurements written to the store in one transaction."""
    head_timeout: float = 10.0
    read_timeout: float = 60.0
    """Seconds a client has for its head, and for its whole request (bodies can be large)."""
