"""What every target of a run shares, whichever nettest measures it."""

from __future__ import annotations

import ssl
from concurrent.futures import Executor
from dataclasses import dataclass, field

from probe.net import dns, tls
from probe.settings import Settings


@dataclass
class Session:
    """What every target of a run shares: settings, trust store, thread pool, clock origin."""

    settings: Settings
    executor: Executor | None = None
    resolver: str | None = None
    tls_context: ssl.SSLContext = field(init=False)

    def __post_init__(self) -> None:
        self.tls_context = tls.client_context(self.settings.ca_bundle)
        if self.resolver is None:
            self.resolver = self.settings.resolver or dns.system_resolver()
