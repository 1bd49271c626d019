"""Packet-level primitives: what a normal socket hides (ICMP from routers, the IP header of a RST).

Probes are sent over ordinary kernel TCP and UDP sockets (the kernel owns the handshake, so it never
answers our own packets with a RST and no firewall rule is needed); only the *observation* uses raw
sockets, which receive a copy of every incoming TCP segment and ICMP message. That needs root
(CAP_NET_RAW); :func:`unavailable` says why it cannot run, so callers report it instead of raising.
"""

from __future__ import annotations

import socket

NEEDS_ROOT = (
    "needs root: packet tests read raw TCP and ICMP packets (CAP_NET_RAW); "
    "run as root, e.g. with sudo, or leave out --packet-tests"
)


def unavailable() -> str | None:
    """``NEEDS_ROOT`` when raw sockets cannot be opened here, else None."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except PermissionError:
        return NEEDS_ROOT
    return None
