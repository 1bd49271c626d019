"""How many bytes one connection to an address carries, whatever the responses say.

A censor that freezes flows after ~16 KiB counts bytes per flow, whatever the name. To tell that
from blocking by name, the neutral name must pull more than the stall point from the same
address, but a server answers an unknown name with a small error page. So the same request is
sent many times at once on one connection (HTTP/1.1 pipelining) and the answers are read as raw
bytes until enough arrived, the server closed, or the time budget ran out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from probe.net import errors
from probe.net.records import VolumeRecord
from probe.net.stream import Stream

MAX_REQUESTS: Final = 128
"""Pipelined requests at most: 128 error pages of ~300 bytes pass 32 KiB."""


@dataclass(frozen=True)
class Volume:
    address: str
    requests: int
    received: int
    """Bytes of the responses as read (decrypted over TLS), headers included."""
    failure: str | None
    t0: float
    t: float

    def as_ooni(self) -> VolumeRecord:
        return VolumeRecord(
            address=self.address,
            failure=self.failure,
            x_requests=self.requests,
            x_received=self.received,
            t0=round(self.t0, 6),
            t=round(self.t, 6),
        )


def _raw_request(target: str, headers: tuple[tuple[str, str], ...], close: bool) -> bytes:
    last = (("Connection", "close"),) if close else ()
    lines = [f"GET {target} HTTP/1.1", *(f"{k}: {v}" for k, v in (*headers, *last)), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def requests_for(want: int, response_size: int) -> int:
    """Requests to pipeline so that responses of ``response_size`` bytes pass ``want``."""
    return max(1, min(MAX_REQUESTS, want // max(1, response_size) + 1))


async def drain(
    stream: Stream,
    target: str,
    headers: tuple[tuple[str, str], ...],
    count: int,
    want: int,
    timeout: float,
    t_zero: float,
) -> Volume:
    """Send ``count`` GETs of ``target`` in one write, then read until ``want`` bytes. The last
    request asks the server to close, so a server that answered them all ends with EOF, never
    with the silence of a stall."""
    batch = _raw_request(target, headers, False) * (count - 1) + _raw_request(target, headers, True)
    loop = asyncio.get_running_loop()
    t0 = loop.time() - t_zero
    received = 0
    failure: str | None = None
    try:
        async with asyncio.timeout(timeout):
            await stream.write(batch)
            while received < want:
                chunk = await stream.read(65536)
                if not chunk:
                    failure = errors.EOF_ERROR
                    break
                received += len(chunk)
    except Exception as exc:  # any failure is a measurement result
        failure = errors.classify(exc)
    if failure is not None and failure != errors.EOF_ERROR:
        stream.abort()
    else:
        await stream.aclose()
    return Volume(stream.address, count, received, failure, t0, loop.time() - t_zero)
