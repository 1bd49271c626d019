"""Connect to one address, then handshake when asked: the opening every client here shares.

The nettests' chain (``probe.nettests.chain``) and the control helper (``probe.helper``) both open
a connection this way; each records the steps in its own vocabulary.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from probe.net import tcp, tls
from probe.net.backend import SOCKETS, NetworkBackend
from probe.net.own_addresses import OwnAddresses
from probe.net.stream import Stream
from probe.settings import Timeouts


@dataclass(frozen=True)
class TLS:
    """Handshake with this SNI ("" sends none) against this trust store."""

    server_name: str
    context: ssl.SSLContext


@dataclass(frozen=True)
class Dialled:
    connect: tcp.Connect
    handshake: tls.Handshake | None
    """None when no handshake was asked for or the connect failed."""
    stream: Stream | None
    """Open when every step asked for succeeded; the caller closes it."""


async def dial(
    ip: str,
    port: int,
    secure: TLS | None,
    timeouts: Timeouts,
    t_zero: float,
    own: OwnAddresses | None = None,
    backend: NetworkBackend = SOCKETS,
) -> Dialled:
    """Connect to exactly ``ip`` (no name resolution), and handshake when ``secure`` is given."""
    connect, raw = await tcp.connect(ip, port, timeouts.tcp, t_zero, own, backend)
    if raw is None or secure is None:
        return Dialled(connect, None, raw)
    address = tcp.endpoint(ip, port)
    handshake, stream = await tls.handshake(
        raw, address, secure.server_name, secure.context, timeouts.tls, t_zero
    )
    return Dialled(connect, handshake, stream)
