"""What ``probe helper serve`` and ``probe collector serve`` share: TLS, limits, logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import ssl
import sys
from pathlib import Path
from typing import Any

import typer


def server_tls(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise typer.BadParameter("--tls-cert and --tls-key go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def quiet_loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's default handler prints transport details; keep only what went wrong."""
    exc = context.get("exception")
    logging.getLogger("probe").warning(
        "%s%s", context.get("message", "event loop error"), f": {type(exc).__name__}" if exc else ""
    )


def raise_descriptor_limit() -> None:
    """Use the whole hard RLIMIT_NOFILE: the soft default (often 1,024) is what slow clients
    exhaust first, and the helper sizes its connection limits from it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def listening_url(server: asyncio.Server, tls: ssl.SSLContext | None) -> str:
    bound = server.sockets[0].getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    return f"{'https' if tls else 'http'}://{shown}:{bound[1]}/"


def configure_logging(verbose: bool, debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
