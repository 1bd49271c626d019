"""Loopback servers in a fresh network namespace (root), for addresses the host must not carry:
the special-purpose ranges the SSRF and bogon tests aim at."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from probe.lab import netns

T = TypeVar("T")


@contextmanager
def fresh(prefix: str, addresses: Iterable[str]) -> Iterator[str]:
    """A new namespace with ``addresses`` on its loopback; deleted whatever happens."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    netns.add(name)
    try:
        for ip in addresses:
            suffix = ["/128", "nodad"] if ":" in ip else ["/32"]
            netns.sh(["ip", "addr", "add", ip + suffix[0], "dev", "lo", *suffix[1:]], ns=name)
        yield name
    finally:
        netns.delete(name)


def run_inside(name: str, scenario: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
    """Run ``scenario`` on an event loop in a thread that lives in the namespace; its exception
    is raised here."""
    result: list[T | BaseException] = []

    def worker() -> None:
        try:
            with netns.inside(name):
                result.append(asyncio.run(scenario()))
        except BaseException as exc:  # re-raised in the test thread
            result.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=timeout)
    assert result, "scenario did not finish"
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]
