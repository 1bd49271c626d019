"""Chains as OONI stores them: ``peer_certificates`` is a list of df-006 binary-data objects."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence

REDACTED_FORMAT = "x_redacted"
"""A certificate withheld by the probe's scrubber (``probe.report.certificates``)."""


def chain_from_peer_certificates(entries: Sequence[Mapping[str, object]]) -> list[bytes]:
    """DER certificates, in presented order, from ``[{"data": "<base64>", "format": "base64"}]``.

    Raises ValueError naming the entry when one is not base64 binary data, so a damaged
    measurement is reported rather than analysed as if the chain were shorter. A certificate
    the probe withheld because it named the volunteer (``x_redacted``) is left out on purpose.
    """
    chain: list[bytes] = []
    for number, entry in enumerate(entries):
        data, fmt = entry.get("data"), entry.get("format")
        if fmt == REDACTED_FORMAT:
            continue
        if fmt != "base64" or not isinstance(data, str):
            raise ValueError(f"peer_certificates[{number}]: expected base64 binary data")
        try:
            chain.append(base64.b64decode(data, validate=True))
        except binascii.Error as exc:
            raise ValueError(f"peer_certificates[{number}]: {exc}") from exc
    return chain
