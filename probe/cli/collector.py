"""``probe collector serve``: receive measurements from probes (OONI's collector protocol)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path

import platformdirs
import typer

from probe.cli.serving import (
    configure_logging,
    listening_url,
    quiet_loop_errors,
    raise_descriptor_limit,
    server_tls,
)
from probe.collector.config import CollectorConfig
from probe.i18n import _
from probe.net.dns import split_hostport
from probe.options import ENV_STORE
from probe.store.errors import StoreError

EXIT_USAGE = 2

collector_app = typer.Typer(
    help="Run a collector that stores probes' measurements (OONI collector protocol).",
    no_args_is_help=True,
    add_completion=False,
)


@collector_app.callback()
def _collector() -> None:
    """Run a collector that stores probes' measurements (OONI collector protocol)."""


def default_store() -> str:
    return f"duckdb:{platformdirs.user_data_path('probe') / 'collector.duckdb'}"


async def _serve(
    spec: str, config: CollectorConfig, host: str, port: int, tls: ssl.SSLContext | None
) -> None:
    from probe.collector.server import start
    from probe.store.backend import open_storage

    asyncio.get_running_loop().set_exception_handler(quiet_loop_errors)
    storage = open_storage(spec)
    try:
        server, collector = await start(storage, config, host, port, tls)
        url = listening_url(server, tls)
        typer.echo(f"collector listening on {url} storing in {spec}", err=True)
        try:  # serving already; serve_forever() would wait for every connection at Ctrl-C
            await asyncio.get_running_loop().create_future()
        finally:
            server.close()
            await collector.writer.stop()
    finally:
        storage.close()


@collector_app.command()
def serve(
    listen: str = typer.Option("127.0.0.1:8443", help="HOST:PORT to listen on (port 0: any)."),
    store: str | None = typer.Option(
        None,
        "--store",
        envvar=ENV_STORE,
        help="Where measurements go: duckdb:PATH (default: the user data folder's "
        "collector.duckdb, plus PATH.parquet/), chdb:PATH or clickhouse://HOST:8123/DB.",
    ),
    tls_cert: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="PEM certificate chain: serve HTTPS (bk-003)."
    ),
    tls_key: Path | None = typer.Option(None, exists=True, dir_okay=False, help="PEM key."),
    max_body: int = typer.Option(8 << 20, min=1024, help="Bytes per request; more get 413."),
    rate: float = typer.Option(20.0, min=0.01, help="Requests a second per client; then 429."),
    burst: float = typer.Option(200.0, min=1.0, help="Requests a client may send at once."),
    max_queued: int = typer.Option(
        5000, min=1, help="Measurements waiting for the store; more get 503."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request."),
    debug: bool = typer.Option(False, "--debug", help="Log tracebacks."),
) -> None:
    """Accept POST /report, /report/ID and /report/ID/close until interrupted."""
    raise_descriptor_limit()
    try:
        host, port = split_hostport(listen, 8443)
        config = CollectorConfig(max_body=max_body, rate=rate, burst=burst, max_queued=max_queued)
        tls = server_tls(tls_cert, tls_key)
    except (ValueError, ssl.SSLError) as exc:
        typer.echo(_("error: {error}").format(error=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    configure_logging(verbose, debug)
    if tls is None:
        logging.getLogger("probe.collector").warning(
            "serving plain HTTP: put it behind TLS (bk-003 requires HTTPS)"
        )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(store or default_store(), config, host, port, tls))
    except (StoreError, ImportError) as exc:
        typer.echo(_("error: {error}").format(error=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
