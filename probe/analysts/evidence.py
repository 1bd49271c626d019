"""Small evidence summaries read from ``test_keys``: what an analyst looks at beside a verdict.

These only report what the steps recorded (answers, the first failing step); they never decide
whether something is blocked. A damaged file's wrong shapes read as "not recorded", through the
analysis's own tolerant accessors.
"""

from __future__ import annotations

from collections.abc import Callable

from probe.analysis.observations import Record, failure_of, mapping, records


def resolved_ips(keys: Record) -> tuple[str, ...]:
    """Every A/AAAA answer of every engine, deduplicated in first-seen order."""
    seen: dict[str, None] = {}
    for query in records(keys.get("queries")):
        for answer in records(query.get("answers")):
            address = answer.get("ipv4") or answer.get("ipv6")
            if isinstance(address, str) and address:
                seen[address] = None
    return tuple(seen)


def _all_failed(found: list[Record], failure: Callable[[Record], str | None]) -> str | None:
    failures = [failure(r) for r in found]
    if failures and all(failures):
        return failures[0]
    return None


def failing_step(keys: Record) -> str | None:
    """The first step (dns, tcp, tls, http) at which every attempt failed, with its failure."""
    steps: list[tuple[str, list[Record], Callable[[Record], str | None]]] = [
        ("dns", records(keys.get("queries")), failure_of),
        ("tcp", records(keys.get("tcp_connect")), lambda r: failure_of(mapping(r.get("status")))),
        ("tls", records(keys.get("tls_handshakes")), failure_of),
    ]
    for name, found, failure in steps:
        if failed := _all_failed(found, failure):
            return f"{name}: {failed}"
    requests = records(keys.get("requests"))
    if requests and (failed := failure_of(requests[0])):
        return f"http: {failed}"
    if failed := failure_of({"failure": keys.get("x_failure")}):
        return f"http: {failed}"
    return None


def mitm_root(keys: Record) -> str | None:
    root = mapping(keys.get("x_mitm")).get("root_name")
    return root if isinstance(root, str) and root else None
