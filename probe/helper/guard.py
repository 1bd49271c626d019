"""Which addresses a public helper may contact: the SSRF guard.

Anyone can ask an internet-facing helper to connect anywhere, so every address it contacts (the
probe's, its own DNS answers, every redirect hop) must be globally reachable unicast by the
special-purpose table in :mod:`probe.net.bogons`, and must not be one a translator or relay turns
into IPv4 (NAT64, 6to4, Teredo): behind a NAT64 gateway ``64:ff9b::a9fe:a9fe`` is the cloud
metadata service.
"""

from __future__ import annotations

from probe.net.bogons import is_bogon, translates


def allowed(ip: str, allow_private: bool) -> bool:
    """False for every bogon (IPv4 carried in IPv6 included) and for translated IPv6."""
    if allow_private:
        return True
    return not is_bogon(ip) and not translates(ip)
