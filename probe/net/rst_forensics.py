"""Replay one exchange under packet capture, so the header fields of any RST can be compared
with the server's own SYN-ACK (``probe.analysis.packets.judge_resets`` does the comparing).

Meant for an endpoint whose TCP, TLS or HTTP step was reset: the web nettest calls
:func:`inspect_endpoint` with the bytes that step sent (empty for the TCP step).
"""

from __future__ import annotations

import time

from probe.net.own_addresses import OwnAddresses
from probe.net.raw import unavailable
from probe.net.raw.capture import Capture
from probe.net.raw.exchange import Timing, exchange
from probe.net.records import RSTForensics
from probe.net.tcp import endpoint


def inspect_endpoint(
    ip: str,
    port: int,
    payload: bytes,
    timing: Timing,
    reference_port: int | None = None,
    own: OwnAddresses | None = None,
) -> RSTForensics:
    """The forensics of one IPv4 endpoint.

    ``exchange`` is the replayed connection at packet level. When it got no SYN-ACK (the RST
    refused the connection) and ``reference_port`` is given, ``reference`` is a bare connection
    to that port of the same address, whose SYN-ACK shows what the server's packets look like.
    ``failure`` says why nothing could be captured (no root), else it is null.
    """
    record = RSTForensics(
        address=endpoint(ip, port), failure=unavailable(), exchange=None, reference=None
    )
    if record["failure"]:
        return record
    t_zero = time.monotonic()
    with Capture(ip, own) as capture:
        replayed = exchange(capture, port, payload, timing)
        record["exchange"] = replayed.as_dict(t_zero)
        if replayed.syn_ack is None and reference_port is not None:
            bare = Timing(timing.connect, wait=0.0, grace=0.0)
            record["reference"] = exchange(capture, reference_port, b"", bare).as_dict(t_zero)
    return record
