"""Sessions over the scripted backend: every address a documentation one, nothing leaves memory."""

from __future__ import annotations

from typing import Any

from probe.net.scripted import Answers, ScriptedBackend, Server
from probe.nettests.session import Session
from probe.settings import Settings, Timeouts

RESOLVER = "192.0.2.53:53"
DOC_RANGES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")


def scripted_session(
    servers: dict[str, Server], names: dict[str, Answers], **overrides: Any
) -> tuple[Session, ScriptedBackend]:
    """A session whose every step runs on ``servers`` and ``names``, with short budgets."""
    backend = ScriptedBackend(servers, names)
    values: dict[str, Any] = {
        "resolver": RESOLVER,
        "system_dns": False,
        "bogon_exempt": DOC_RANGES,
        "timeouts": Timeouts(dns=0.2, tcp=0.2, tls=0.2, http=0.2),
    }
    return Session(Settings(**(values | overrides)), backend=backend), backend
