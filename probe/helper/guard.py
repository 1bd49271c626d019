"""Which addresses a public helper may contact: the SSRF guard.

Anyone can ask an internet-facing helper to connect anywhere, so every address it contacts (the
probe's, its own DNS answers, every redirect hop) must be globally reachable unicast by the
special-purpose table in :mod:`probe.net.bogons`, and must not be one a translator or relay turns
into IPv4 (NAT64, 6to4, Teredo): behind a NAT64 gateway ``64:ff9b::a9fe:a9fe`` is the cloud
metadata service.
"""

from __future__ import annotations

from probe.helper.config import HelperConfig
from probe.net.bogons import is_bogon, is_exempt, translates


def allowed(ip: str, config: HelperConfig) -> bool:
    """False for every bogon (IPv4 carried in IPv6 included) and for translated IPv6, unless
    private space is allowed or ``ip`` itself is in ``bogon_exempt`` (the lab's TEST-NET): an
    exemption never reaches the IPv4 address inside an IPv6 one."""
    if config.allow_private or is_exempt(ip, config.bogon_exempt):
        return True
    return not is_bogon(ip) and not translates(ip)
