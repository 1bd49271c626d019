"""The certificate chain a server presented, even when verification failed.

Python 3.13 made ``SSLObject.get_unverified_chain`` public; 3.11 and 3.12 only have it on the
private ``_sslobj``. Keeping the access here means one line changes when 3.11 support ends.
"""

from __future__ import annotations

import ssl

_DER = 2  # _ssl.ENCODING_DER


def presented_chain(obj: ssl.SSLObject) -> list[bytes]:
    """DER certificates as sent by the peer, leaf first; empty if none arrived."""
    getter = getattr(obj, "get_unverified_chain", None)
    if getter is None:
        getter = obj._sslobj.get_unverified_chain  # type: ignore[attr-defined]
    chain = getter() or []
    return [bytes(cert.public_bytes(_DER)) for cert in chain]
