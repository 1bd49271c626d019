"""Removing the volunteer's own addresses (and other secrets) from everything a measurement stores.

A site may echo the visitor's address in its body, headers or redirect, and an error message may
quote it. Every string, every key and every base64 body (decoded first) is searched for every
spelling of every secret address (``probe.report.spellings``), so no address leaks into a results
file whatever key or form it hides in. A certificate is never edited (that would forge evidence);
one that names a secret is replaced by a summary (``probe.report.certificates``).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from probe.report.certificates import certificate_der, redact
from probe.report.spellings import address_pattern, canonical

SCRUBBED = "[scrubbed]"
CERTIFICATES_KEY = "peer_certificates"


def forms(address: str) -> list[str]:
    """The spellings an address can take in text: as given, and compressed/exploded for IPv6."""
    ip = ipaddress.ip_address(address)
    spellings = {address, str(ip)}
    if ip.version == 6:
        spellings.add(ip.exploded)
    return sorted(spellings, key=len, reverse=True)


@lru_cache(maxsize=64)
def _source(addresses: frozenset[str], literals: frozenset[str]) -> str:
    # Longest literals first, so a bridge's "ip:port" goes before its bare address would.
    parts = [re.escape(s) for s in sorted(literals, key=len, reverse=True)]
    parts += [address_pattern(a) for a in sorted(addresses)]
    return "|".join(f"(?:{p})" for p in parts)


@lru_cache(maxsize=64)
def _text_pattern(addresses: frozenset[str], literals: frozenset[str]) -> re.Pattern[str]:
    return re.compile(_source(addresses, literals))


@lru_cache(maxsize=64)
def _bytes_pattern(addresses: frozenset[str], literals: frozenset[str]) -> re.Pattern[bytes]:
    return re.compile(_source(addresses, literals).encode("utf-8"))


class Scrubber:
    """The run's secrets; grows as the run learns its own addresses, and scrubs a measurement.

    A secret that is an IP address is searched in every spelling; anything else (a bridge's
    fingerprint or obfs4 ``cert=``) as the literal text.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.addresses: frozenset[str] = frozenset()
        self.literals: frozenset[str] = frozenset()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> bool:
        """Learn more secrets; True when one of them was new."""
        addresses, literals = set(self.addresses), set(self.literals)
        for secret in secrets:
            try:
                addresses.add(str(canonical(secret)))
            except ValueError:
                if secret:
                    literals.add(secret)
        changed = addresses != self.addresses or literals != self.literals
        self.addresses, self.literals = frozenset(addresses), frozenset(literals)
        return changed

    def __bool__(self) -> bool:
        return bool(self.addresses or self.literals)

    def text(self, value: str) -> str:
        return _text_pattern(self.addresses, self.literals).sub(SCRUBBED, value) if self else value

    def data(self, value: bytes) -> bytes:
        if not self:
            return value
        return _bytes_pattern(self.addresses, self.literals).sub(SCRUBBED.encode(), value)

    def found_in(self, value: bytes) -> bool:
        """Whether any secret, in any spelling, occurs in ``value``."""
        pattern = _bytes_pattern(self.addresses, self.literals)
        return bool(self) and pattern.search(value) is not None

    def __call__(self, value: Any) -> Any:
        """A copy of ``value`` with every secret replaced; the input is not modified."""
        return self._walk(value) if self else value

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            if value.get("format") == "base64" and isinstance(value.get("data"), str):
                return self._binary(value)
            return {
                self.text(k): self._certificates(v) if k == CERTIFICATES_KEY else self._walk(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        return value

    def _binary(self, value: dict[str, Any]) -> dict[str, Any]:
        try:
            raw = base64.b64decode(value["data"], validate=True)
        except (binascii.Error, ValueError):
            return {k: self._walk(v) for k, v in value.items()}
        return {**value, "data": base64.b64encode(self.data(raw)).decode("ascii")}

    def _certificates(self, value: Any) -> Any:
        """Certificates are kept byte for byte, or summarised when one names a secret."""
        if not isinstance(value, list):
            return self._walk(value)
        chain = []
        for entry in value:
            der = certificate_der(entry)
            chain.append(self._walk(entry) if der is None else redact(der, self) or entry)
        return chain


def scrub(value: Any, secrets: Sequence[str] | Scrubber) -> Any:
    """A copy of ``value`` with every secret replaced; the input is not modified."""
    scrubber = secrets if isinstance(secrets, Scrubber) else Scrubber(secrets)
    return scrubber(value)
