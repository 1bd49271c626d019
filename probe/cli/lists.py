"""``probe lists``: the available target lists, with counts per category."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from probe.cli.options import LISTS_DIR
from probe.i18n import _
from probe.inputs import ListError, available_lists, load_list
from probe.inputs import lists_dir as resolve_lists_dir


def lists(lists_dir: Path | None = LISTS_DIR) -> None:
    """Show the target lists you can pass to `probe run --list NAME`; a list that cannot be
    used shows its ``FILE:LINE: reason`` instead of its counts."""
    console = Console()
    folder = resolve_lists_dir(lists_dir)
    if not folder.is_dir():
        said = _("[red]error:[/] {folder}: no such folder").format(folder=escape(str(folder)))
        Console(stderr=True).print(said, highlight=False)
        raise typer.Exit(2)
    table = Table(title=_("Target lists in {folder}").format(folder=escape(str(folder))))
    table.add_column(_("list"))
    table.add_column(_("targets"), justify="right")
    table.add_column(_("categories"))
    for path in available_lists(folder):
        try:
            targets = load_list(path)
        except ListError as exc:
            table.add_row(path.stem, "-", Text(str(exc), style="red"))
            continue
        counts = Counter(t.category_code or "?" for t in targets)
        per_category = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
        table.add_row(path.stem, str(len(targets)), per_category)
    console.print(table)
