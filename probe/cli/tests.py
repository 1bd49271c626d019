"""``probe tests``: every nettest, what it measures, and the suites that lists imply."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from probe.analysis.per_test import judge_of
from probe.nettests.registry import SUITES, nettests


def tests() -> None:
    """List the nettests `probe run --test NAME` accepts, and which lists run which tests."""
    console = Console()
    table = Table(title="Nettests")
    for column in ("test", "version", "inputs", "verdict", "what it measures"):
        table.add_column(column, overflow="fold")
    for nettest in nettests().values():
        inputs = "built in" if nettest.builtin_inputs else "list URLs"
        verdict = "analysed" if judge_of(nettest.name) else "none (undetermined)"
        table.add_row(nettest.name, nettest.version, inputs, verdict, nettest.description)
    console.print(table)
    for list_name, names in SUITES.items():
        console.print(f"`--list {list_name}` runs: {', '.join(names)}", highlight=False)
    console.print("Any other list runs web_connectivity; `--test` overrides both.")
