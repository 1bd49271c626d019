"""Removing the volunteer's own address from everything a measurement stores.

A site may echo the visitor's address in its body or headers, and an error message may quote
it. Every string (and every base64 body, decoded first) is searched, so the address cannot leak
into a results file whatever key it hides in.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Any

SCRUBBED = "[scrubbed]"


def forms(address: str) -> list[str]:
    """The spellings an address can take in text: as given, and compressed/exploded for IPv6."""
    ip = ipaddress.ip_address(address)
    spellings = {address, str(ip)}
    if ip.version == 6:
        spellings.add(ip.exploded)
    return sorted(spellings, key=len, reverse=True)


def _text(value: str, needles: list[str]) -> str:
    for needle in needles:
        value = value.replace(needle, SCRUBBED)
    return value


def _body(value: dict[str, Any], needles: list[str]) -> dict[str, Any]:
    try:
        raw = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        return {k: scrub(v, needles) for k, v in value.items()}
    for needle in needles:
        raw = raw.replace(needle.encode(), SCRUBBED.encode())
    return {**value, "data": base64.b64encode(raw).decode("ascii")}


def scrub(value: Any, needles: list[str]) -> Any:
    """A copy of ``value`` with every needle replaced; the input is not modified."""
    if not needles:
        return value
    if isinstance(value, str):
        return _text(value, needles)
    if isinstance(value, dict):
        if value.get("format") == "base64" and isinstance(value.get("data"), str):
            return _body(value, needles)
        return {_text(k, needles): scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needles) for v in value]
    return value
