"""Settings that point the app and Tor nettests at loopback stand-ins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from conftest import PKI

from probe.settings import Settings, Timeouts

Serve = Callable[..., Awaitable[int]]
"""The ``serve`` fixture: starts a loopback server and returns its port."""


def lab_settings(pki: PKI, resolver: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "resolver": resolver,
        "system_dns": False,
        "ca_bundle": pki.bundle,
        "bogon_exempt": ("127.0.0.0/8",),
        "timeouts": Timeouts(dns=1, tcp=1, tls=1, http=2),
    }
    values.update(overrides)
    return Settings(**values)
