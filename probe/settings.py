"""One settings object for a run.

The CLI fills it from flags, environment variables and defaults; primitives receive it
and never read the environment themselves, so the lab and tests can redirect every
endpoint without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Timeouts:
    """Per-step budgets in seconds (OONI-like defaults)."""

    dns: float = 4.0
    tcp: float = 10.0
    tls: float = 10.0
    http: float = 10.0


@dataclass(frozen=True)
class Settings:
    """Everything a measurement needs to know about its environment."""

    resolver: str | None = None
    """``host`` or ``host:port`` of the UDP resolver; None means the system's first nameserver."""
    system_dns: bool = True
    """Also resolve through getaddrinfo (the OS resolver), as applications do."""
    ca_bundle: Path | None = None
    """PEM bundle to validate against; None means certifi's Mozilla roots (never the OS store)."""
    helper_urls: tuple[str, ...] = ()
    """OONI-compatible test helpers, tried in order; none by default here (the CLI applies the
    public defaults of :mod:`probe.control.defaults`), so library code and tests contact nothing."""
    doh_urls: tuple[str, ...] = ()
    """DNS-over-HTTPS resolvers asked as the DNS control; none by default here, as above."""
    interception_roots: tuple[Path, ...] = ()
    bogon_exempt: tuple[str, ...] = ()
    """CIDR ranges that are not bogons for this run (the lab's TEST-NET ranges)."""
    tor_authorities: Path | None = None
    """A TOML file replacing the shipped Tor directory authorities (the lab's stand-ins)."""
    app_endpoints: Path | None = None
    """A TOML file replacing the shipped messaging-app endpoints."""
    bridges: Path | None = None
    """User-supplied Tor bridges; their addresses are private and scrubbed from every output."""
    packet_tests: bool = False
    """Add the packet-level tests (needs root) to every web target found blocked."""
    no_dns_address: str | None = None
    """An address that runs no DNS server: any answer from it is injected (dns_injection)."""
    asn_zone: str | None = None
    """Team Cymru's address-to-ASN zone, asked only when geolocation is on (``--geoip``);
    facebook_messenger checks its addresses' AS with it."""
    packet_max_ttl: int = 30
    packet_pace: float = 0.5
    """Seconds between TTL-limited probes: routers rate-limit their ICMP replies."""
    neutral_host: str = "example.com"
    """SNI and Host for the self-control: a name no censor blocks, sent to the same address."""
    timeouts: Timeouts = field(default_factory=Timeouts)
    parallel: int = 32
    max_addresses: int = 4
    """How many resolved addresses per name are TCP-connected."""
    max_redirects: int = 10
    body_cap: int = 1 << 20
    user_agent: str = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    )
