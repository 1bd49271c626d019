"""Options that several commands take, declared once so their names, variables and help agree."""

from __future__ import annotations

import typer

from probe.settings import ENV_BOGON_EXEMPT, ENV_CA_BUNDLE, ENV_INTERCEPTION_ROOTS

BOGON_EXEMPT = typer.Option(
    None, envvar=ENV_BOGON_EXEMPT, help="Comma-separated CIDRs not treated as bogons."
)
INTERCEPTION_ROOTS = typer.Option(
    None,
    envvar=ENV_INTERCEPTION_ROOTS,
    help="Extra interception roots: PEM files or folders, separated by the OS path separator.",
)
CA_BUNDLE = typer.Option(
    None,
    envvar=ENV_CA_BUNDLE,
    exists=True,
    dir_okay=False,
    help="PEM roots to validate TLS against (default: certifi's Mozilla roots).",
)
