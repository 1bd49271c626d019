"""``probe helper serve``: run the control test helper (deploy it outside the censored network)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path

import typer

from probe.cli.options import CA_BUNDLE
from probe.cli.serving import (
    configure_logging,
    listening_url,
    quiet_loop_errors,
    raise_descriptor_limit,
    server_tls,
)
from probe.helper.config import HelperConfig
from probe.helper.server import admission, start
from probe.i18n import _
from probe.net.bogons import parse_exemptions
from probe.net.dns import split_hostport
from probe.net.tls import check_ca_bundle
from probe.options import ENV_BOGON_EXEMPT

EXIT_USAGE = 2

helper_app = typer.Typer(
    help="Run the control test helper (OONI web_connectivity protocol).",
    no_args_is_help=True,
    add_completion=False,
)


@helper_app.callback()
def _helper() -> None:
    """Run the control test helper (OONI web_connectivity protocol)."""


async def _serve(config: HelperConfig, host: str, port: int, tls: ssl.SSLContext | None) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_loop_errors)
    server = (await start(config, host, port, tls))[0]
    typer.echo(f"helper listening on {listening_url(server, tls)}", err=True)
    async with server:
        await server.serve_forever()


@helper_app.command()
def serve(
    listen: str = typer.Option("127.0.0.1:8080", help="HOST:PORT to listen on (port 0: any)."),
    resolver: str | None = typer.Option(
        None, help="UDP resolver as host[:port] for the helper's own lookups (default: the OS's)."
    ),
    allow_private: bool = typer.Option(
        False,
        "--allow-private",
        help="Contact private, loopback and reserved addresses (lab and tests only: SSRF risk).",
    ),
    tls_cert: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="PEM certificate chain: serve HTTPS."
    ),
    tls_key: Path | None = typer.Option(None, exists=True, dir_okay=False, help="PEM key."),
    ca_bundle: Path | None = CA_BUNDLE,
    bogon_exempt: str | None = typer.Option(
        None,
        envvar=ENV_BOGON_EXEMPT,
        help="Comma-separated CIDRs not flagged as bogons, and contacted despite the SSRF guard.",
    ),
    max_inflight: int = typer.Option(16, min=1, help="Requests measured at once; more get 503."),
    max_pending: int | None = typer.Option(
        None,
        min=1,
        help="Connections still sending their request head; one more drops the oldest "
        "(default: half of what RLIMIT_NOFILE allows for clients).",
    ),
    deadline: float = typer.Option(30.0, min=1.0, help="Seconds per request before 504."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request."),
    debug: bool = typer.Option(
        False, "--debug", help="Log tracebacks and connection details: may carry URLs and hosts."
    ),
) -> None:
    """Answer control requests on POST / until interrupted."""
    raise_descriptor_limit()
    try:
        host, port = split_hostport(listen, 8080)
        config = HelperConfig(
            allow_private=allow_private,
            resolver=resolver,
            ca_bundle=ca_bundle,
            bogon_exempt=parse_exemptions((bogon_exempt or "").split(",")),
            max_inflight=max_inflight,
            max_pending=max_pending,
            deadline=deadline,
        )
        admission(config)  # fails here, as a usage error, when RLIMIT_NOFILE is too low
        if ca_bundle is not None:
            check_ca_bundle(ca_bundle)
        tls = server_tls(tls_cert, tls_key)
    except (ValueError, ssl.SSLError) as exc:
        typer.echo(_("error: {error}").format(error=exc), err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    configure_logging(verbose, debug)
    if allow_private:
        logging.getLogger("probe.helper").warning("--allow-private: SSRF guard is off")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(config, host, port, tls))
