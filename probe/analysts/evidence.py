"""Small evidence summaries read from ``test_keys``: what an analyst looks at beside a verdict.

These only report what the steps recorded (answers, the first failing step); they never decide
whether something is blocked.
"""

from __future__ import annotations

from typing import Any


def resolved_ips(keys: dict[str, Any]) -> tuple[str, ...]:
    """Every A/AAAA answer of every engine, deduplicated in first-seen order."""
    seen: dict[str, None] = {}
    for query in keys.get("queries") or []:
        for answer in query.get("answers") or []:
            address = answer.get("ipv4") or answer.get("ipv6")
            if address:
                seen[address] = None
    return tuple(seen)


def _all_failed(records: list[dict[str, Any]], failure_of: Any) -> str | None:
    failures = [failure_of(r) for r in records]
    if failures and all(failures):
        return str(failures[0])
    return None


def failing_step(keys: dict[str, Any]) -> str | None:
    """The first step (dns, tcp, tls, http) at which every attempt failed, with its failure."""
    steps: list[tuple[str, list[dict[str, Any]], Any]] = [
        ("dns", keys.get("queries") or [], lambda r: r.get("failure")),
        ("tcp", keys.get("tcp_connect") or [], lambda r: (r.get("status") or {}).get("failure")),
        ("tls", keys.get("tls_handshakes") or [], lambda r: r.get("failure")),
    ]
    for name, records, failure_of in steps:
        failure = _all_failed(records, failure_of)
        if failure:
            return f"{name}: {failure}"
    requests = keys.get("requests") or []
    if requests and requests[0].get("failure"):
        return f"http: {requests[0]['failure']}"
    if keys.get("x_failure"):
        return f"http: {keys['x_failure']}"
    return None


def mitm_root(keys: dict[str, Any]) -> str | None:
    mitm = keys.get("x_mitm")
    if isinstance(mitm, dict) and mitm.get("root_name"):
        return str(mitm["root_name"])
    return None
