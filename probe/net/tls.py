"""TLS handshake (df-006) that records the presented chain and the verification result.

Validation uses the probe's own trust store (certifi's Mozilla roots, or ``--ca-bundle``), never
the OS store, because a volunteer's device may already trust a state interception root.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import certifi

from probe.net import errors, events, tcp
from probe.net.chain import presented_chain
from probe.net.stream import TLSStream

ALPN = ("http/1.1",)


@dataclass(frozen=True)
class Handshake:
    address: str
    server_name: str
    failure: str | None
    peer_certificates: tuple[bytes, ...]
    tls_version: str | None
    cipher_suite: str | None
    negotiated_protocol: str | None
    no_tls_verify: bool
    t0: float
    t: float
    verify_code: int | None = None
    verify_message: str | None = None

    def as_ooni(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "server_name": self.server_name,
            "failure": self.failure,
            "peer_certificates": [
                {"data": base64.b64encode(der).decode("ascii"), "format": "base64"}
                for der in self.peer_certificates
            ],
            # df-006: strings, empty when the handshake did not get that far (as OONI writes).
            "tls_version": self.tls_version or "",
            "cipher_suite": self.cipher_suite or "",
            "negotiated_protocol": self.negotiated_protocol or "",
            "no_tls_verify": self.no_tls_verify,
            "x_verify_code": self.verify_code,
            "x_verify_message": self.verify_message,
            "t0": round(self.t0, 6),
            "t": round(self.t, 6),
        }


@lru_cache(maxsize=8)
def client_context(
    ca_bundle: Path | None, verify: bool = True, alpn: tuple[str, ...] = ALPN
) -> ssl.SSLContext:
    """One context per trust store: loading ~150 roots per handshake would dominate CPU time."""
    ctx = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else certifi.where())
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(list(alpn))
    return ctx


async def handshake(
    sock: socket.socket,
    address: str,
    server_name: str,
    context: ssl.SSLContext,
    timeout: float,
    t_zero: float,
) -> tuple[Handshake, TLSStream | None]:
    """Handshake once on a connected socket; on success the stream stays open for HTTP."""
    loop = asyncio.get_running_loop()
    stream = TLSStream(sock, context, server_name or None)
    started = loop.time()
    t0 = started - t_zero
    events.note(events.TLS_HANDSHAKE_START, address, None, started)
    failure: str | None = None
    code: int | None = None
    message: str | None = None
    try:
        await asyncio.wait_for(stream.handshake(), timeout)
    except ssl.SSLCertVerificationError as exc:
        failure, code, message = errors.classify(exc), exc.verify_code, exc.verify_message
    except (OSError, TimeoutError, EOFError) as exc:
        failure = errors.classify(exc)
    events.note(events.TLS_HANDSHAKE_DONE, address, failure, loop.time())
    obj = stream.ssl_object
    cipher = obj.cipher()
    record = Handshake(
        address=address,
        server_name=server_name,
        failure=failure,
        peer_certificates=tuple(presented_chain(obj)),
        tls_version=cipher[1] if cipher else None,
        cipher_suite=cipher[0] if cipher else None,
        negotiated_protocol=obj.selected_alpn_protocol() if failure is None else None,
        no_tls_verify=context.verify_mode == ssl.CERT_NONE,
        t0=t0,
        t=loop.time() - t_zero,
        verify_code=code,
        verify_message=message,
    )
    if failure is not None:
        tcp.abort(sock)
        return record, None
    return record, stream
