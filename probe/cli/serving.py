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
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from probe.i18n import _


def server_tls(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The server's TLS context; ValueError names the file that is no PEM chain or key (OpenSSL
    alone says only "PEM lib")."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise typer.BadParameter(_("--tls-cert and --tls-key go together"))
    try:
        chain, secret = cert.read_bytes(), key.read_bytes()
    except OSError as exc:
        raise ValueError(f"{exc.filename}: {exc.strerror or exc}") from exc
    try:
        x509.load_pem_x509_certificates(chain)
    except ValueError as exc:
        raise ValueError(_("{file}: no PEM certificate chain in it").format(file=cert)) from exc
    try:
        serialization.load_pem_private_key(secret, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(
            _("{file}: no unencrypted PEM private key in it").format(file=key)
        ) from exc
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        raise ValueError(
            _("{cert}: does not match the key in {key} ({reason})").format(
                cert=cert, key=key, reason=exc.reason
            )
        ) from exc
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
