"""What every target of a run shares, whichever nettest measures it."""

from __future__ import annotations

import ssl
from concurrent.futures import Executor
from dataclasses import dataclass, field

import httpx

from probe.control.attempts import Health
from probe.control.transport import control_client
from probe.net import dns, tls
from probe.net.backend import SOCKETS, NetworkBackend
from probe.net.own_addresses import OwnAddresses
from probe.settings import Settings

CONTROL_TIMEOUT = 35.0
"""The helper's own deadline is 30 s; allow for the round trip on top."""


@dataclass
class Session:
    """What every target of a run shares: settings, trust store, thread pool, clock origin."""

    settings: Settings
    executor: Executor | None = None
    resolver: str | None = None
    own_addresses: OwnAddresses = field(default_factory=OwnAddresses)
    """Where the net layer records the local address of each socket; read by the scrubber."""
    backend: NetworkBackend = SOCKETS
    """What every step connects through: the real network, or a scripted one in tests."""
    tls_context: ssl.SSLContext = field(init=False)
    control_client: httpx.AsyncClient | None = field(init=False, default=None)
    """One pooled client for the helper and DoH, so controls cost no extra handshakes."""
    health: Health = field(init=False, default_factory=Health)
    """The controls found unreachable so far; every target skips them."""

    def __post_init__(self) -> None:
        self.tls_context = tls.client_context(self.settings.ca_bundle)
        if self.resolver is None:
            self.resolver = self.settings.resolver or dns.system_resolver()
        if self.settings.helper_urls or self.settings.doh_urls:
            self.control_client = control_client(
                self.settings.ca_bundle, CONTROL_TIMEOUT, self.settings.timeouts.tcp
            )

    async def aclose(self) -> None:
        if self.control_client is not None:
            await self.control_client.aclose()
