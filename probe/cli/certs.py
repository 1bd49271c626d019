"""``probe certs``: is a known TLS-interception root trusted on this device?

A trusted interception root is what turns a middlebox's forged certificates into a silent
man-in-the-middle, so this is worth checking on any device used in Kazakhstan since 2015.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from probe.certs import Finding, Scan, audit, os_stores, scan_files
from probe.certs.removal import removal_steps
from probe.certs.sources import FILE
from probe.i18n import N_, _, ngettext
from probe.interception import CertificateFileError, load_registry
from probe.options import ENV_INTERCEPTION_ROOTS
from probe.settings import Settings

EXIT_FOUND = 1
EXIT_USAGE = 2
ADVICE = N_(
    "After removing it, change the passwords of accounts used while it was trusted, and see "
    "docs/tls-interception.md."
)


def certs(
    store: list[Path] = typer.Option(
        [],
        "--store",
        exists=True,
        help="Audit these PEM/DER files or folders instead of the OS stores (repeatable).",
    ),
    interception_roots: list[Path] = typer.Option(
        [],
        "--interception-roots",
        envvar=ENV_INTERCEPTION_ROOTS,
        help="More roots to look for: PEM file or folder (repeatable; os.pathsep in the env).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Look for known TLS-interception roots among the certificates this device trusts.

    Exit status: 0 none found, 1 at least one is trusted, 2 bad arguments.
    """
    err = Console(stderr=True)
    settings = Settings(interception_roots=tuple(interception_roots))
    try:
        registry = load_registry(settings.interception_roots)
    except CertificateFileError as exc:
        err.print(_("[red]error:[/] {error}").format(error=escape(str(exc))), highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    scan = scan_files(store, FILE) if store else os_stores(sys.platform)
    findings = audit(scan, registry)
    if json_output:
        typer.echo(json.dumps(_report(scan, findings), ensure_ascii=False, indent=2))
    else:
        for problem in scan.problems:
            err.print(_("[yellow]warning:[/] {problem}").format(problem=problem), highlight=False)
        _print(Console(), scan, findings)
    raise typer.Exit(EXIT_FOUND if findings else 0)


def _report(scan: Scan, findings: list[Finding]) -> dict[str, object]:
    return {
        "interception_root_trusted": bool(findings),
        "findings": [finding.to_dict() for finding in findings],
        "scanned": {"certificates": len(scan.certificates), "locations": scan.locations},
        "problems": scan.problems,
    }


def _print(console: Console, scan: Scan, findings: list[Finding]) -> None:
    checked = ngettext(
        "{count} certificate in {places} checked",
        "{count} certificates in {places} checked",
        len(scan.certificates),
    ).format(
        count=len(scan.certificates),
        places=ngettext("{count} location", "{count} locations", len(scan.locations)).format(
            count=len(scan.locations)
        ),
    )
    if not findings:
        console.print(
            _("[green]No known TLS-interception root is trusted[/] ({checked}).").format(
                checked=checked
            )
        )
        return
    table = Table(title=_("Known TLS-interception roots trusted on this device"))
    for column in (_("root"), _("years"), _("matched by"), _("trusted in"), "SHA-256"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        match = finding.match
        how = match.match if match.strong else _("name only (weaker)")
        where = "\n".join(_place(place.location, place.nickname) for place in finding.places)
        table.add_row(match.name, match.year or "?", how, where, finding.cert_sha256)
    console.print(table)
    for finding in findings:
        console.print(
            "\n"
            + _("[bold]How to remove {root}[/] ({subject}):").format(
                root=finding.match.name, subject=finding.subject
            )
        )
        for place in finding.places:
            for step in removal_steps(place, finding.sha1):
                console.print(f"  • {step}", highlight=False, markup=False)
    trusted = ngettext(
        "[red]{count} interception root trusted[/] ({checked}).",
        "[red]{count} interception roots trusted[/] ({checked}).",
        len(findings),
    ).format(count=len(findings), checked=checked)
    console.print(f"\n{trusted} {_(ADVICE)}")


def _place(location: str, nickname: str | None) -> str:
    return f"{location} ({nickname})" if nickname else location
