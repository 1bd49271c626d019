"""The probe's own addresses, learned from every source, so that none of them is ever stored.

Geolocation alone is not enough: with ``--no-geoip``, or when its lookup fails, an echo site
would keep the volunteer's address. So the run also collects the address of every interface
(psutil, which reads them portably on Linux, macOS and Windows, where the standard library has
no way to list them) and the local address of every socket it opens (an address can appear
mid-run: a DHCP renewal, a rotated IPv6 temporary address). Loopback and unspecified addresses
identify nobody, and a censor's 127.0.0.1 answer is evidence, so they are never collected.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable

import psutil

_NO_HOST = ipaddress.ip_network("0.0.0.0/8")
"""'This network': never a source address (RFC 6890), nor is :: or ::1, caught above."""


def own_candidate(address: str) -> str | None:
    """The canonical form of ``address`` if it can identify this machine, else None."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").partition("%")[0])
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip in _NO_HOST:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return own_candidate(str(ip.ipv4_mapped))
    return str(ip)


def interface_addresses() -> list[str]:
    """Every IPv4 and IPv6 address on this machine's interfaces (an empty list if unreadable)."""
    try:
        interfaces = psutil.net_if_addrs()
    except (OSError, RuntimeError):
        return []
    families = (socket.AF_INET, socket.AF_INET6)
    return [a.address for entries in interfaces.values() for a in entries if a.family in families]


class OwnAddresses:
    """A run-wide set of the probe's addresses; measurements never see it, the scrubber does."""

    def __init__(self, addresses: Iterable[str] = ()) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # the packet tests connect from worker threads
        self.add(addresses)

    def add(self, addresses: Iterable[str]) -> None:
        found = [a for a in map(own_candidate, addresses) if a is not None]
        with self._lock:
            self._seen.update(found)

    def note_socket(self, sock: socket.socket) -> None:
        """Record the local address the kernel chose for a connected socket."""
        try:
            name = sock.getsockname()
        except OSError:
            return
        if isinstance(name, tuple) and name:
            self.add([str(name[0])])

    def snapshot(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._seen)
