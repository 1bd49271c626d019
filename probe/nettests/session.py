"""What every target of a run shares, whichever nettest measures it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from probe.control.attempts import Health
from probe.control.transport import ClientPool, control_client
from probe.net import dns, tls
from probe.net.backend import SOCKETS, NetworkBackend
from probe.net.own_addresses import OwnAddresses
from probe.settings import Settings

if TYPE_CHECKING:
    import httpx

CONTROL_TIMEOUT = 35.0
"""The helper's own deadline is 30 s; allow for the round trip on top."""


@dataclass
class Session:
    """What every target of a run shares: settings, trust store, thread pool, clock origin.

    The trust store and DoH's client are built on first use, not before the first target: the
    roots cost ~0.03 s of CPU, the client that and httpx's import (docs/performance.md)."""

    settings: Settings
    executor: Executor | None = None
    resolver: str | None = None
    own_addresses: OwnAddresses = field(default_factory=OwnAddresses)
    """Where the net layer records the local address of each socket; read by the scrubber."""
    backend: NetworkBackend = SOCKETS
    """What every step connects through: the real network, or a scripted one in tests."""
    helper_clients: ClientPool | None = field(init=False, default=None)
    """The helpers' clients: kept-alive connections, so a target costs no handshake."""
    health: Health = field(init=False, default_factory=Health)
    """The controls found unreachable so far; every target skips them."""

    def __post_init__(self) -> None:
        if self.resolver is None:
            self.resolver = self.settings.resolver or dns.system_resolver()
        bundle, connect = self.settings.ca_bundle, self.settings.timeouts.tcp
        if self.settings.helper_urls:
            self.helper_clients = ClientPool(bundle, CONTROL_TIMEOUT, connect)

    @cached_property
    def tls_context(self) -> ssl.SSLContext:
        """The trust store every TLS step verifies against."""
        return tls.client_context(self.settings.ca_bundle)

    @cached_property
    def doh_client(self) -> httpx.AsyncClient | None:
        """DoH's client: HTTP/2, one multiplexed connection per resolver."""
        if not self.settings.doh_urls:
            return None
        return control_client(self.settings.ca_bundle, CONTROL_TIMEOUT, self.settings.timeouts.tcp)

    @asynccontextmanager
    async def helper_client(self) -> AsyncIterator[httpx.AsyncClient | None]:
        """A client for one exchange with the helpers (None without helpers: each its own)."""
        if self.helper_clients is None:
            yield None
            return
        async with self.helper_clients.lend() as client:
            yield client

    async def aclose(self) -> None:
        if self.helper_clients is not None:
            await self.helper_clients.aclose()
        built = vars(self).get("doh_client")  # if a target asked for it
        if built is not None:
            await built.aclose()
