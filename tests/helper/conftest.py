"""A helper on 127.0.0.1 with a loopback resolver: ``example.test`` and ``private.test`` are
127.0.0.1, ``nx.test`` does not exist."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from conftest import PKI
from loopback.dns_server import NXDOMAIN, Zone, serve

from probe.helper.config import HelperConfig
from probe.helper.server import Helper, start

StartHelper = Callable[..., Awaitable[tuple[str, Helper]]]


@pytest.fixture
async def resolver() -> AsyncIterator[str]:
    zone = Zone({"example.test": ["127.0.0.1"], "private.test": ["127.0.0.1"], "nx.test": NXDOMAIN})
    transport, address = await serve(zone)
    yield address
    transport.close()


@pytest.fixture
async def start_helper(pki: PKI, resolver: str, servers: list[object]) -> StartHelper:
    """Start a helper (private addresses allowed unless overridden); returns its URL."""

    async def starter(tls: Any = None, **overrides: Any) -> tuple[str, Helper]:
        config = dataclasses.replace(
            HelperConfig(allow_private=True, resolver=resolver, ca_bundle=pki.bundle), **overrides
        )
        server, helper = await start(config, "127.0.0.1", 0, tls)
        servers.append(server)
        scheme = "https" if tls else "http"
        host = "localhost" if tls else "127.0.0.1"
        return f"{scheme}://{host}:{server.sockets[0].getsockname()[1]}/", helper

    return starter
