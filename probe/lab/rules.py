"""The censor's rules of a scenario: each action, the keys it takes, and one parsed rule.

``probe/lab/censor.py`` turns the rules into nftables, resolver and proxy settings; this module
only says what a valid ``[[rule]]`` is (docs/lab.md lists the actions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from probe.lab import fields

# Keys each action accepts besides ``action``; the first set lists the ones it requires.
_RULE_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "dns-nxdomain": (frozenset({"domains"}), frozenset()),
    "dns-spoof": (frozenset({"domains", "address"}), frozenset()),
    "dns-drop": (frozenset({"domains"}), frozenset()),
    "dns-inject": (frozenset({"domains"}), frozenset({"address"})),
    "ip-drop": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "ip-reset": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "sni-reset": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "sni-drop": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "host-reset": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "host-drop": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "http-blockpage": (frozenset({"domains"}), frozenset({"body"})),
    "tls-mitm": (frozenset({"domains"}), frozenset()),
    "throttle": (frozenset({"rate"}), frozenset({"domains", "addresses"})),
    "sni-throttle": (frozenset({"rate", "domains"}), frozenset()),
    "tls-reset": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "freeze": (frozenset(), frozenset({"domains", "addresses", "bytes"})),
    "shutdown": (frozenset(), frozenset()),
}
ACTIONS = tuple(_RULE_KEYS)

_RATE = re.compile(r"(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)")


@dataclass(frozen=True)
class Rule:
    action: str
    domains: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    address: str | None = None
    rate: str | None = None
    body: str | None = None
    bytes: int = 16384
    """``freeze``: how many bytes the server's side of a flow carries before it stalls."""
    probability: float | None = None
    """The share of triggering flows the rule fires on (None: every one)."""
    residual: int | None = None
    """Seconds during which, after the rule fired, every new flow to that server is dropped."""


def parse_rule(table: dict[str, Any], where: fields.Where) -> Rule:
    """One ``[[rule]]``: its action, the keys that action takes, and their values checked."""
    action = fields.string(table, "action", where)
    if action not in _RULE_KEYS:
        raise where.error(f"unknown action '{action}' (known: {', '.join(ACTIONS)})")
    required, optional = _RULE_KEYS[action]
    for key in table:
        if key != "action" and key not in required | optional:
            raise where.error(f"key '{key}' is not valid for action '{action}'")
    for key in sorted(required):
        if key not in table:
            raise where.error(f"action '{action}' needs key '{key}'")
    if action in ("ip-drop", "ip-reset", "freeze") and not (
        {"domains", "addresses"} & table.keys()
    ):
        raise where.error(f"action '{action}' needs 'domains' or 'addresses'")
    rate = fields.string(table, "rate", where) if "rate" in table else None
    if rate is not None and not _RATE.fullmatch(rate):
        raise where.error(f"'rate' must look like '32kbit' or '1mbit', not {rate!r}")
    domains = tuple(fields.domain(d, where) for d in fields.str_list(table, "domains", where))
    if "domains" in table and not domains:
        raise where.error("'domains' is empty")
    address = fields.string(table, "address", where) if "address" in table else None
    probability = table.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 < probability <= 1
    ):
        raise where.error(f"'probability' must be a number in (0, 1], not {probability!r}")
    residual = table.get("residual")
    if residual is not None and (
        isinstance(residual, bool) or not isinstance(residual, int) or not 0 < residual <= 86400
    ):
        raise where.error(f"'residual' must be whole seconds in 1..86400, not {residual!r}")
    size = table.get("bytes", 16384)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise where.error(f"'bytes' must be a positive whole number, not {size!r}")
    return Rule(
        action=action,
        bytes=size,
        domains=domains,
        addresses=tuple(
            fields.address(a, where, "addresses")
            for a in fields.str_list(table, "addresses", where)
        ),
        address=fields.answer(address, where) if address is not None else None,
        rate=rate,
        body=fields.string(table, "body", where) if "body" in table else None,
        probability=float(probability) if probability is not None else None,
        residual=residual,
    )
