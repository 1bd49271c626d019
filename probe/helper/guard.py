"""Which addresses a public helper may contact: the SSRF guard.

Anyone can ask an internet-facing helper to connect anywhere, so every address it contacts (the
probe's, its own DNS answers, every redirect hop) must be in global unicast space.
"""

from __future__ import annotations

from probe.net.bogons import is_bogon


def allowed(ip: str, allow_private: bool) -> bool:
    """False for private, loopback, link-local, multicast, reserved and documentation space,
    including IPv4 written as IPv6 (``::ffff:127.0.0.1``)."""
    if allow_private:
        return True
    return not is_bogon(ip)
