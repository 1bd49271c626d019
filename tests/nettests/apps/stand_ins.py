"""Settings that point the app and Tor nettests at loopback stand-ins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Serve = Callable[..., Awaitable[int]]
"""The ``serve`` fixture: starts a loopback server and returns its port."""
