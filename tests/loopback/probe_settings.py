"""Settings that keep the probe on loopback: a loopback resolver, no OS DNS, short budgets."""

from __future__ import annotations

from typing import Any

from conftest import PKI

from probe.settings import Settings, Timeouts


def loopback_settings(pki: PKI, resolver: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "resolver": resolver,
        "system_dns": False,
        "ca_bundle": pki.bundle,
        "bogon_exempt": ("127.0.0.0/8",),
        "timeouts": Timeouts(dns=1, tcp=1, tls=1, http=2),
    }
    return Settings(**(values | overrides))
