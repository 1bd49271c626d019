"""``probe report``: a summary of one or more runs, as self-contained HTML or in the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from probe.analysts.extra import missing_extra
from probe.analysts.outcomes import Outcome
from probe.analysts.summary import TIMELINE_ROWS, RunSummary, summarize_runs
from probe.analysts.words import outcome_word
from probe.cli.diff import fail, warn_skipped
from probe.cli.store_options import ASN, CC, SINCE, STORE, UNTIL, without_store
from probe.i18n import N_, _, ngettext
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped
from probe.store.errors import StoreError

_GLYPHS = {
    Outcome.OK: (N_("ok"), "green"),
    Outcome.DOWN: (N_("down"), "dim"),
    Outcome.UNDETERMINED: ("?", "yellow"),
    Outcome.BLOCKED: (N_("BLOCKED"), "bold red"),
}


def _rich_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[object]], limit: int | None = None
) -> Table:
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(_(header), overflow="fold")
    for row in rows[:limit]:
        table.add_row(*(Text(_cell(v)) for v in row))
    return table


def _cell(value: object) -> str:
    """A table cell: outcome words in the reader's language, other values as stored."""
    if isinstance(value, Outcome):
        return outcome_word(value)
    return "" if value is None else str(value)


def _timeline(summary: RunSummary) -> Table:
    targets = summary.changing_targets(TIMELINE_ROWS)[0]
    title = _("Timeline (blocked or changing targets)")
    table = Table(_("input"), title=title, title_justify="left")
    for run in summary.runs:
        table.add_column(summary.run_label(run.report_id))
    for target in targets:
        cells = [Text("—", style="dim")] * len(summary.runs)
        for column, run in enumerate(summary.runs):
            status = summary.timeline[target].get(run.report_id)
            if status is not None:
                word, style = _GLYPHS[status]
                cells[column] = Text(_(word), style=style)
        table.add_row(Text(target), *cells)
    return table


def print_summary(console: Console, summary: RunSummary, max_rows: int) -> None:
    console.print(_rich_table(_("Runs"), *summary.runs_table()))
    console.print(_rich_table(_("Counts by verdict"), *summary.counts_table()))
    console.print(_rich_table(_("By category"), *summary.category_table()))
    techniques = [[name, n] for name, n in summary.by_technique.most_common()]
    console.print(_rich_table(_("Blocked by technique"), ["technique", "blocked"], techniques))
    if len(summary.runs) > 1:
        console.print(_timeline(summary))
    headers, rates = summary.rates_table()
    if rates:
        console.print(_rich_table(_("Blocking rate"), headers, rates))
    headers, rows = summary.blocked_table()
    console.print(_rich_table(_("Blocked targets"), headers[:9], [r[:9] for r in rows], max_rows))
    if len(rows) > max_rows:
        more = len(rows) - max_rows
        line = ngettext(
            "{count} more blocked measurement: use --html or --max-rows",
            "{count} more blocked measurements: use --html or --max-rows",
            more,
        )
        console.print(line.format(count=more), highlight=False)


CATEGORY = typer.Option(
    [], "--category", metavar="CODE", help="With --store: only this category (repeatable)."
)


def _store_summary(
    spec: str,
    asns: list[str],
    ccs: list[str],
    days: tuple[str | None, str | None],
    categories: list[str],
) -> RunSummary:
    from probe.analysts.loading import RunIndex
    from probe.analysts.summary import summarize_results
    from probe.cli.store_options import filters, reading
    from probe.store.query import load_stored

    chosen = filters(asns, ccs, *days, categories=tuple(categories))
    index = RunIndex()
    with reading(spec) as storage:
        return summarize_results(load_stored(storage, chosen, index), index)


def report(
    files: list[Path] = typer.Argument(
        None, help="Results files or folders of them (or give --store)."
    ),
    store: str | None = STORE,
    asn: list[str] = ASN,
    cc: list[str] = CC,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    category: list[str] = CATEGORY,
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report."),
    title: str = typer.Option("probe report", "--title", help="Title of the HTML report."),
    max_rows: int = typer.Option(50, "--max-rows", min=0, help="Blocked rows in the terminal."),
) -> None:
    """Summarise runs: metadata, counts by verdict, categories, techniques, blocked targets."""
    console = Console()
    try:
        if html is not None:
            from probe.analysts.report_html import render_html
    except ImportError as exc:
        raise fail(missing_extra(exc, "probe report --html")) from exc
    skipped = Skipped()
    try:
        if without_store(store, asn, cc, since, until, *category):
            if not files:
                raise fail(_("give results files or folders, or --store"))
            summary = summarize_runs(files, skipped)
        else:
            assert store is not None
            summary = _store_summary(store, asn, cc, (since, until), category)
        if html is not None:
            html.write_text(render_html(summary, title), encoding="utf-8")
    except (ResultsError, StoreError, OSError) as exc:
        warn_skipped(skipped)
        raise fail(exc) from exc
    warn_skipped(skipped)
    if html is None:
        print_summary(console, summary, max_rows)
    else:
        console.print(_("report written to {path}").format(path=html), highlight=False)
