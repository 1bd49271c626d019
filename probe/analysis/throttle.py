"""Throttling: the page arrives, but far slower than it should.

Throughput is measured from the response headers to the end of the body (``x_transfer_seconds``),
so connection set-up and round-trip time do not count. Small bodies say nothing: they fit in the
first flight of packets.
"""

from __future__ import annotations

from probe.analysis.controls import Controls
from probe.analysis.observations import Record, response, wire_length
from probe.analysis.stall import rate
from probe.i18n import N_

MIN_BODY_BYTES = 4096
"""Below this a body fits in TCP's initial window and its transfer time is noise."""
RATIO = 10.0
"""Throttled when the same address with a neutral Host delivered at least this many times faster."""
FLOOR_BYTES_PER_SECOND = 8000
"""64 kbit/s: with the helper confirming the page, a slower transfer is throttling, not a page."""


def throughput(request: Record) -> float | None:
    seconds = response(request).get("x_transfer_seconds")
    size = wire_length(request)
    if not isinstance(seconds, int | float) or seconds <= 0 or size < MIN_BODY_BYTES:
        return None
    return size / seconds


def throttled(final: Record, controls: Controls, same_page: bool | None) -> str | None:
    """The evidence sentence when a completed transfer was throttled, else None."""
    ours = throughput(final)
    if ours is None:
        return None
    address = str(final.get("address", ""))
    neutral = controls.neutral_request(address)
    reference = throughput(neutral) if neutral is not None else None
    if reference is not None and reference >= ours * RATIO:
        return N_(
            "the page arrived at {rate} while the same address with Host {neutral} delivered "
            "{reference}"
        ).format(rate=rate(ours), neutral=controls.neutral_host, reference=rate(reference))
    if same_page and ours < FLOOR_BYTES_PER_SECOND:
        return N_("the page the helper also saw arrived at only {rate} (below {floor})").format(
            rate=rate(ours), floor=rate(FLOOR_BYTES_PER_SECOND)
        )
    return None
