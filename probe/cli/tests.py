"""``probe tests``: every nettest, what it measures, and the suites that lists imply."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from probe.analysis.per_test import judge_of
from probe.i18n import _
from probe.nettests.registry import SUITES, nettests


def tests() -> None:
    """List the nettests `probe run --test NAME` accepts, and which lists run which tests."""
    console = Console()
    table = Table(title=_("Nettests"))
    for column in (_("test"), _("version"), _("inputs"), _("verdict"), _("what it measures")):
        table.add_column(column, overflow="fold")
    for nettest in nettests().values():
        inputs = _("built in") if nettest.builtin_inputs else _("list URLs")
        verdict = _("analysed") if judge_of(nettest.name) else _("none (undetermined)")
        table.add_row(nettest.name, nettest.version, inputs, verdict, nettest.description)
    console.print(table)
    runs = _("`--list {list}` runs: {tests}")
    for list_name, names in SUITES.items():
        console.print(runs.format(list=list_name, tests=", ".join(names)), highlight=False)
    console.print(_("Any other list runs web_connectivity; `--test` overrides both."))
