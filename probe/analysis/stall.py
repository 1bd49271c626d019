"""Stalls: data began to flow on a connection, then stopped before the response was complete.

Read from the df-008 ``read`` events, not from the decoded response: over HTTPS a censor that
freezes the flow mid-record leaves nothing decrypted, so the request looks like a plain timeout,
while the socket reads show the bytes that did arrive. Two kinds are told apart:

- a **freeze**: the bytes came at a normal rate, then nothing at all for most of the time budget
  (the ~16 KiB freezes of 2024-25 count bytes per flow);
- a **rate limit**: bytes kept trickling in until the budget ran out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from probe.analysis.observations import (
    Record,
    connect_endpoint,
    failure_of,
    mapping,
    records,
    status_code,
    wire_length,
)
from probe.i18n import N_
from probe.net import errors

MIN_FLOW_BYTES: Final = 2048
"""Bytes after the request that count as data flowing: more than TLS 1.3's session tickets,
which a server sends unasked right after the handshake."""
MIN_RATE_BYTES: Final = 16384
"""A neutral pull this long has a rate worth comparing with a rate limit's."""
SILENT_SHARE: Final = 0.5
"""A freeze when the connection was silent for at least this share of the request's time."""
EPSILON: Final = 0.001
"""Stored times are rounded to microseconds."""


@dataclass(frozen=True)
class Stall:
    received: int
    """Bytes received on the connection, its handshake included (what a freeze counts)."""
    after_request: int
    flowing: float
    """Seconds from the request to the last bytes."""
    silent: float
    """Seconds from the last bytes to the end of the request."""
    timed: bool = True
    """False when there were no read events (an older file): only the body's size is known."""

    @property
    def freeze(self) -> bool:
        return self.timed and self.silent >= SILENT_SHARE * (self.flowing + self.silent)

    @property
    def kind(self) -> str | None:
        """``freeze`` or ``rate limit``; None when the arrival times are not known."""
        if not self.timed:
            return None
        return "freeze" if self.freeze else "rate limit"

    @property
    def rate(self) -> float:
        """Bytes per second while data flowed."""
        return self.after_request / max(self.flowing, EPSILON)

    def sentence(self) -> str:
        if not self.timed:
            return N_(
                "stalled after {bytes} bytes of body (no read events tell a freeze from a rate "
                "limit)"
            ).format(bytes=self.received)
        if self.freeze:
            how = N_(
                "a freeze: {bytes} bytes in {seconds} s ({rate}), then nothing for {silent} s"
            ).format(
                bytes=self.after_request,
                seconds=f"{self.flowing:.3f}",
                rate=rate(self.rate),
                silent=f"{self.silent:.1f}",
            )
        else:
            how = N_("a rate limit: {rate} until the time budget ran out").format(
                rate=rate(self.rate)
            )
        return N_("stalled after {bytes} bytes, {how}").format(bytes=self.received, how=how)


def rate(bytes_per_second: float) -> str:
    return N_("{kbits} kbit/s").format(kbits=f"{bytes_per_second * 8 / 1000:.1f}")


def _reads(keys: Record, address: str, start: float, end: float) -> list[Record]:
    return [
        e
        for e in records(keys.get("network_events"))
        if e.get("operation") == "read"
        and e.get("address") == address
        and isinstance(e.get("num_bytes"), int)
        and _time(e, "t0") >= start - EPSILON
        and _time(e, "t") <= end + EPSILON
    ]


def _time(record: Record, key: str) -> float:
    value = record.get(key)
    return float(value) if isinstance(value, int | float) else -1.0


def _opened(connects: list[Record], address: str, before: float) -> float:
    """When the last connection to ``address`` opened before ``before``."""
    starts = [
        _time(c, "t0")
        for c in connects
        if connect_endpoint(c) == address and _time(c, "t0") <= before + EPSILON
    ]
    return max(starts, default=before)


def stall_of(keys: Record, request: Record) -> Stall | None:
    """The stall that ended ``request``, if data had begun to flow before its timeout."""
    if failure_of(request) != errors.GENERIC_TIMEOUT:
        return None
    address = str(request.get("address", ""))
    t0, t = _time(request, "t0"), _time(request, "t")
    if not _reads(keys, address, t0, t) and status_code(request) > 0:
        body = wire_length(request)  # no read events: the decoded headers show data flowed
        return Stall(body, body, 0.0, 0.0, timed=False)
    return _stalled(keys, address, t0, t, records(keys.get("tcp_connect")))


def _stalled(
    keys: Record, address: str, t0: float, t: float, connects: list[Record]
) -> Stall | None:
    after = _reads(keys, address, t0, t)
    received_after = sum(int(e["num_bytes"]) for e in after)
    if received_after < MIN_FLOW_BYTES:
        return None
    total = sum(
        int(e["num_bytes"]) for e in _reads(keys, address, _opened(connects, address, t0), t)
    )
    last = max(_time(e, "t") for e in after)
    return Stall(total, received_after, last - t0, t - last)


@dataclass(frozen=True)
class Pulled:
    """What the neutral name's connection to the same address carried (``x_volume``)."""

    received: int
    failure: str | None
    stall: Stall | None
    seconds: float

    @property
    def rate(self) -> float:
        return self.received / max(self.seconds, EPSILON)


def neutral_volume(keys: Record, address: str) -> Pulled | None:
    """The neutral name's pull from ``address`` (``x_volume``), else its one request there."""
    control = mapping(keys.get("x_self_control"))
    pulled = mapping(control.get("x_volume"))
    if pulled.get("address") != address:
        pulled = next(
            (r for r in records(control.get("requests")) if r.get("address") == address), {}
        )
    if not pulled:
        return None
    t0, t = _time(pulled, "t0"), _time(pulled, "t")
    connects = records(control.get("tcp_connect"))
    stall = None
    if failure_of(pulled) == errors.GENERIC_TIMEOUT:
        stall = _stalled(keys, address, t0, t, connects)
    # Counted as the stall is, from the socket reads with the handshake.
    raw = sum(int(e["num_bytes"]) for e in _reads(keys, address, _opened(connects, address, t0), t))
    stored = pulled.get("x_received")
    return Pulled(
        raw or (stored if isinstance(stored, int) else 0), failure_of(pulled), stall, t - t0
    )
