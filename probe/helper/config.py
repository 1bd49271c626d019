"""Limits and choices of a running helper; the CLI fills them, tests shrink them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from probe.settings import Settings, Timeouts


@dataclass(frozen=True)
class HelperConfig:
    allow_private: bool = False
    """Connect to private, loopback and other non-global space (lab and tests only)."""
    resolver: str | None = None
    """UDP resolver as host[:port]; None means the OS resolver (getaddrinfo)."""
    ca_bundle: Path | None = None
    bogon_exempt: tuple[str, ...] = ()
    """CIDRs not flagged as bogons in ``ip_info`` and let through the SSRF guard (the lab's
    TEST-NET ranges); only addresses inside them, never IPv4 carried inside IPv6."""
    timeouts: Timeouts = field(default_factory=lambda: Timeouts(dns=4.0, tcp=10.0, tls=10.0))
    deadline: float = 30.0
    """Seconds one control request may take in total before the helper answers 504."""
    head_timeout: float = 5.0
    """Seconds a client has for the TLS handshake and the request head (slowloris)."""
    read_timeout: float = 10.0
    """Seconds a client has to send its whole request."""
    max_pending: int | None = None
    """Connections still sending their request head; one more drops the oldest of them.
    None: half the client connections RLIMIT_NOFILE allows."""
    max_inflight: int = 16
    """Control requests measured at once; more get 503."""
    max_request_bytes: int = 64 << 10
    max_addresses: int = 16
    """Distinct IPs (the probe's and our own) connected per request."""
    max_redirects: int = 10
    body_cap: int = Settings.body_cap
    user_agent: str = Settings.user_agent
    """Sent when the probe's request carries none."""
