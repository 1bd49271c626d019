"""Recognise a censor's page by fingerprints kept in a shipped data file.

The fingerprints are facts about the world, reviewed and extended without touching code, so they
live in ``probe/data/blockpages.json``; reading that packaged file is the only thing this module
does besides matching.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from probe.analysis.observations import Record, body_text, mapping, response
from probe.control.title import extract_title

Kind = Literal["title", "body", "header"]


@dataclass(frozen=True)
class Fingerprint:
    name: str
    kind: Kind
    pattern: str
    country: str
    source: str


def parse_fingerprints(text: str) -> tuple[Fingerprint, ...]:
    """The fingerprints of a blockpages JSON document; ValueError names a bad entry."""
    found: list[Fingerprint] = []
    for number, entry in enumerate(json.loads(text)["fingerprints"]):
        kind = entry.get("kind")
        if kind not in ("title", "body", "header") or not entry.get("pattern"):
            raise ValueError(f"blockpage fingerprint #{number}: needs a kind and a pattern")
        found.append(
            Fingerprint(entry["name"], kind, entry["pattern"], entry["country"], entry["source"])
        )
    return tuple(found)


@cache
def shipped_fingerprints() -> tuple[Fingerprint, ...]:
    text = resources.files("probe.data").joinpath("blockpages.json").read_text("utf-8")
    return parse_fingerprints(text)


def match_blockpage(
    request: Record, fingerprints: Sequence[Fingerprint] | None = None
) -> Fingerprint | None:
    """The first fingerprint the response matches, or None."""
    body = body_text(request)
    title = " ".join(extract_title(body).split())
    headers = [f"{k}: {v}" for k, v in mapping(response(request).get("headers")).items()]
    for fingerprint in shipped_fingerprints() if fingerprints is None else fingerprints:
        if fingerprint.kind == "title" and title == fingerprint.pattern:
            return fingerprint
        if fingerprint.kind == "body" and fingerprint.pattern in body:
            return fingerprint
        if fingerprint.kind == "header" and any(fingerprint.pattern in h for h in headers):
            return fingerprint
    return None
