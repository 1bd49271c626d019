"""The first bytes a client sends, which is what an SNI or Host filter matches on.

The ClientHello comes from the real TLS stack (OpenSSL, through a memory BIO), so a censor sees
exactly what the TLS step sends, not a hand-built imitation that a stricter parser might ignore.
"""

from __future__ import annotations

import ssl
from contextlib import suppress


def client_hello(sni: str) -> bytes:
    """A complete TLS ClientHello carrying ``sni`` (ASCII)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=sni)
    with suppress(ssl.SSLWantReadError):  # the ClientHello is out; now it waits for the server
        tls.do_handshake()
    return outgoing.read()


def http_request(host: str, user_agent: str) -> bytes:
    """``GET /`` for ``host``, with the header order and line endings of a browser's request."""
    return (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


def trigger(scheme: str, host: str, user_agent: str) -> bytes:
    """What a censor of ``scheme`` traffic inspects: the ClientHello for https, else the request."""
    return client_hello(host) if scheme == "https" else http_request(host, user_agent)
