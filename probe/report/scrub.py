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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, AnyStr, Generic

from probe.report.certificates import certificate_der, redact
from probe.report.spellings import RUN_CHARS, canonical, spellings

SCRUBBED = "[scrubbed]"
CERTIFICATES_KEY = "peer_certificates"
_REMEMBERED_LENGTH = 256
"""Strings up to this long are remembered with their scrubbed form: keys, header names and
values, addresses and failure strings recur in every measurement, and a lookup is ~50 times
cheaper than a search."""
_REMEMBERED = 1 << 14
"""Strings remembered at most; past it the memory starts afresh."""


def forms(address: str) -> list[str]:
    """The spellings an address can take in text: as given, and compressed/exploded for IPv6."""
    ip = ipaddress.ip_address(address)
    spellings = {address, str(ip)}
    if ip.version == 6:
        spellings.add(ip.exploded)
    return sorted(spellings, key=len, reverse=True)


_RUN = f"[{RUN_CHARS}]*"
_MIN_RUN = 6
"""Runs shorter than this are skipped unless a secret's own compressed form is shorter."""
_LOOKAHEAD = 2
"""Characters past a run that a pattern's lookahead may read (in-addr.arpa's ``.i``)."""
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _Matcher(Generic[AnyStr]):
    """A set of secrets compiled for ``str`` (text) or for ``bytes`` (binary bodies, DER)."""

    text: re.Pattern[AnyStr] | None
    keys: tuple[AnyStr, ...]
    """Lower case; every textual spelling holds one (``str.find`` is far faster than a regex)."""
    run: re.Pattern[AnyStr]
    """Zero or more RUN_CHARS, to grow a key's occurrence into its whole run."""
    other: re.Pattern[AnyStr] | None
    needles: tuple[AnyStr, ...]
    marker: AnyStr
    shortest: int
    """No secret in any spelling is shorter."""
    min_run: int
    """The shortest run of RUN_CHARS that can hold a textual spelling (``1::`` has three)."""

    def sub(self, value: AnyStr) -> AnyStr:
        if len(value) < self.shortest:  # most strings: shorter than anything to scrub
            return value
        if self.other is not None and any(n in value for n in self.needles):
            value = self.other.sub(self.marker, value)
        spans = self._spans(value)
        if not spans:
            return value
        pieces, last = [], 0
        for start, end in spans:
            pieces += [value[last:start], self.marker]
            last = end
        pieces.append(value[last:])
        return value[:0].join(pieces)

    def search(self, value: AnyStr) -> bool:
        needled = self.other is not None and any(n in value for n in self.needles)
        if needled and self.other is not None and self.other.search(value):
            return True
        return bool(self._spans(value))

    def _spans(self, value: AnyStr) -> list[tuple[int, int]]:
        if self.text is None:
            return []
        hits = []
        for start, end in self._runs(value):
            for hit in self.text.finditer(value, start, min(len(value), end + _LOOKAHEAD)):
                if hit.start() < end and hit.end() > hit.start():
                    hits.append(hit.span())
        return hits

    def _runs(self, value: AnyStr) -> list[tuple[int, int]]:
        """The runs of RUN_CHARS, long enough, that hold a key: where spellings can be."""
        low = value.lower()
        if len(low) != len(value) and isinstance(value, str):  # "İ".lower() is 2 characters
            low = value.translate(_ASCII_LOWER)
        reverse: AnyStr | None = None
        size = len(value)
        runs = set()
        for key in self.keys:
            at = low.find(key)
            while at != -1:
                reverse = low[::-1] if reverse is None else reverse
                start = at - self._length(reverse, size - at)
                end = at + self._length(low, at)
                if end - start >= self.min_run:
                    runs.add((start, end))
                at = low.find(key, end)
        return sorted(runs)

    def _length(self, text: AnyStr, at: int) -> int:
        """How many RUN_CHARS follow position ``at`` of ``text``."""
        match = self.run.match(text, at)
        return match.end() - at if match else 0


@lru_cache(maxsize=64)
def _sources(
    addresses: frozenset[str], literals: frozenset[str]
) -> tuple[str, str, set[str], set[str]]:
    found = [spellings(a) for a in sorted(addresses)]
    text = "|".join(f"(?:{s.text})" for s in found)
    # Longest literals first, so a bridge's "ip:port" goes before a shorter secret would.
    other = [re.escape(s) for s in sorted(literals, key=len, reverse=True)]
    other += [s.base64 for s in found]
    keys = {k for s in found for k in s.keys}
    needles = {n for s in found for n in s.needles} | set(literals)
    return text, "|".join(f"(?:{o})" for o in other), keys, needles


@lru_cache(maxsize=64)
def _text_matcher(addresses: frozenset[str], literals: frozenset[str]) -> _Matcher[str]:
    text, other, keys, needles = _sources(addresses, literals)
    min_run = min([_MIN_RUN, *(len(str(canonical(a))) for a in addresses)])
    return _Matcher(
        re.compile(text) if text else None,
        tuple(sorted(keys)),
        re.compile(_RUN),
        re.compile(other) if other else None,
        tuple(sorted(needles)),
        SCRUBBED,
        min([min_run, *map(len, literals)]),
        min_run,
    )


@lru_cache(maxsize=64)
def _bytes_matcher(addresses: frozenset[str], literals: frozenset[str]) -> _Matcher[bytes]:
    """The same patterns for binary bodies and certificates (they are all ASCII), plus each
    address's raw 4 or 16 bytes, as a binary protocol carries it."""
    text = _text_matcher(addresses, literals)
    packed = [canonical(a).packed for a in sorted(addresses)]
    other = [text.other.pattern.encode()] if text.other else []
    other += [re.escape(p) for p in packed]
    return _Matcher(
        None if text.text is None else re.compile(text.text.pattern.encode()),
        tuple(k.encode() for k in text.keys),
        re.compile(_RUN.encode()),
        re.compile(b"|".join(other)) if other else None,
        (*(n.encode() for n in text.needles), *packed),
        SCRUBBED.encode(),
        min(text.shortest, *(len(p) for p in packed)) if packed else text.shortest,
        text.min_run,
    )


class Scrubber:
    """The run's secrets; grows as the run learns its own addresses, and scrubs a measurement.

    A secret that is an IP address is searched in every spelling; anything else (a bridge's
    fingerprint or obfs4 ``cert=``) as the literal text.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.addresses: frozenset[str] = frozenset()
        self.literals: frozenset[str] = frozenset()
        self._scrubbed: dict[str, str] = {}
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> bool:
        """Learn more secrets; True when one of them was new."""
        addresses, literals = set(self.addresses), set(self.literals)
        for secret in secrets:
            try:
                ip = canonical(secret)
            except ValueError:
                if secret:
                    literals.add(secret)
                continue
            mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
            addresses.add(str(mapped or ip))
        changed = addresses != self.addresses or literals != self.literals
        if changed:
            self.addresses, self.literals = frozenset(addresses), frozenset(literals)
            self._scrubbed = {}
        return changed

    def __bool__(self) -> bool:
        return bool(self.addresses or self.literals)

    def text(self, value: str) -> str:
        if not self:
            return value
        if len(value) > _REMEMBERED_LENGTH:
            return _text_matcher(self.addresses, self.literals).sub(value)
        scrubbed = self._scrubbed.get(value)
        if scrubbed is None:
            if len(self._scrubbed) >= _REMEMBERED:
                self._scrubbed = {}
            scrubbed = _text_matcher(self.addresses, self.literals).sub(value)
            self._scrubbed[value] = scrubbed
        return scrubbed

    def data(self, value: bytes) -> bytes:
        return _bytes_matcher(self.addresses, self.literals).sub(value) if self else value

    def found_in(self, value: bytes) -> bool:
        """Whether any secret, in any spelling, occurs in ``value``."""
        return bool(self) and _bytes_matcher(self.addresses, self.literals).search(value)

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
