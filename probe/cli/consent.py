"""Informed consent: what a run reveals, said once in plain words before the first run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
import typer
from rich.console import Console
from rich.panel import Panel

from probe.i18n import N_, _

CONSENT_VERSION = 3
"""Raised whenever the notice says something new: 2 names the third-party controls, 3 explains
what ``--upload`` sends and to whom."""

NOTICE = N_("""\
[bold]Before you measure, please read this.[/]

• [bold]What it does.[/] probe connects from your network to every site on the list — including
  sites your government blocks — exactly as a browser visiting them would.
• [bold]Who can see it.[/] Your internet provider, and anyone who watches your connection (your
  employer, your landlord's Wi-Fi, the state), can see that these sites were contacted from your
  connection. probe does not hide this; it is not a circumvention tool.
• [bold]The risk.[/] In some countries, visiting or testing blocked sites can have legal or
  personal consequences. Think about yours before you run it, and use a network you are
  comfortable with.
• [bold]Who else is asked.[/] To tell blocking from a site that is simply down, probe asks
  servers outside the country what they see. By default these are OONI's test helpers
  (0.th.ooni.org to 3.th.ooni.org) and the DNS-over-HTTPS services of Google, Cloudflare and
  Quad9. The helper is told every web address tested and the server addresses your network gave
  for it; the DNS services are told every site name. Like any server, they see your IP address.
  Your provider sees that you contact them, not what you ask. Use your own with --helper and
  --doh-url, or turn them off with --helper none --doh-url none.
• [bold]What is stored.[/] The results file records what your network showed for each site and
  your network's provider (ASN) and country. It never stores your IP address: the address is
  looked up only to find your provider and is scrubbed from everything saved.
• [bold]Sharing.[/] Nothing is uploaded unless you add --upload. Then every measurement, as
  saved (without your IP address), goes to the collector you name with --collector; it is
  kept on this computer until the collector confirms it, and may become public data. The
  collector sees your IP address like any server, unless you send through a proxy such as Tor
  with --upload-proxy socks5://127.0.0.1:9050. Without --upload, the results stay here.
""")
"""Translated where shown; the translations say the same risk, not word for word."""


def consent_file() -> Path:
    return platformdirs.user_config_path("probe") / "consent.json"


def has_consented(path: Path) -> bool:
    try:
        return int(json.loads(path.read_text())["version"]) >= CONSENT_VERSION
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return False  # a damaged answer is no answer: the notice is shown again


def _remember(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    path.write_text(json.dumps({"version": CONSENT_VERSION, "date": stamp}) + "\n")


def ensure_consent(assume_yes: bool, interactive: bool, err: Console) -> None:
    """Ask once; remember the answer. Scripts answer with ``--yes``."""
    path = consent_file()
    if has_consented(path):
        return
    if assume_yes:
        _remember(path)
        return
    err.print(Panel(_(NOTICE), title=_("probe: informed consent"), expand=False))
    if not interactive:
        err.print(
            _("[red]error:[/] no terminal to ask on; after reading the above, run with --yes")
        )
        raise typer.Exit(2)
    if not agrees(_("I understand the risks and want to run probe")):
        raise typer.Exit(1)
    _remember(path)


def agrees(question: str) -> bool:
    """A yes/no question whose default is no, answered in the reader's language or in English
    (``click.confirm`` knows only English letters and shows ``[y/N]`` untranslated)."""
    # TRANSLATORS: the answer hint after a yes/no question whose default is no (the capital).
    hint = _("y/N")
    # TRANSLATORS: the answers that mean yes, separated by commas, lowercase.
    yes = {"y", "yes", *(word.strip() for word in _("y,yes").split(","))}
    # TRANSLATORS: the answers that mean no, separated by commas, lowercase.
    no = {"n", "no", *(word.strip() for word in _("n,no").split(","))}
    while True:
        answer = typer.prompt(
            f"{question} [{hint}]", default="", show_default=False, err=True
        ).strip()
        if answer.lower() in yes:
            return True
        if not answer or answer.lower() in no:
            return False
        typer.echo(_("Error: invalid input"), err=True)
