"""``probe diff OLD NEW``: what changed between two runs, like diff(1) for verdicts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from probe.analysis.repeats import INTERMITTENT, Repeats
from probe.analysts.diff import (
    Change,
    DiffResult,
    DiffRow,
    Side,
    diff_header_json,
    diff_paths,
    intermittent,
    row_json,
)
from probe.analysts.loading import TargetResult
from probe.analysts.outcomes import Outcome
from probe.analysts.words import blocked_in, change_word, outcome_word, state_word
from probe.cli.store_options import ASN, CC, SINCE, STORE, UNTIL, without_store
from probe.i18n import _, ngettext
from probe.report.jsonl import ResultsError
from probe.report.lines import Skipped
from probe.store.errors import StoreError

_STYLES = {
    "newly blocked": "bold red",
    "newly intermittent": "bold red",
    "unblocked": "bold green",
    "technique changed": "bold magenta",
    "newly down or undetermined": "yellow",
    "recovered": "green",
    "only in OLD": "cyan",
    "only in NEW": "cyan",
}


EXIT_ERROR = 2


def fail(message: object) -> typer.Exit:
    """Print an error for the analysts' commands and return the exit to raise (status 2)."""
    Console(stderr=True, soft_wrap=True).print(
        _("[red]error:[/] {error}").format(error=escape(str(message))), highlight=False
    )
    return typer.Exit(EXIT_ERROR)


def warn_skipped(skipped: Skipped) -> None:
    """Name the lines a command left out (the first few) and say how many, on stderr."""
    if not skipped.count:
        return
    err = Console(stderr=True, soft_wrap=True)
    for where in skipped.shown:
        err.print(_("[yellow]warning:[/] {problem}").format(problem=escape(where)), highlight=False)
    summary = escape(skipped.summary())
    err.print(_("[yellow]warning:[/] {problem}").format(problem=summary), highlight=False)


def _side_header(name: str, side: Side) -> str:
    dates = sorted({run.test_start_time for run in side.runs})
    span = dates[0] if len(dates) == 1 else f"{dates[0]} … {dates[-1]}"
    networks = ", ".join(
        sorted({f"{run.probe_asn} {run.probe_network_name}".strip() for run in side.runs})
    )
    unusable = sum(run.network_unusable for run in side.runs)
    warning = ""
    if unusable:
        warning = " " + ngettext(
            "({count} run on an unusable network)",
            "({count} runs on an unusable network)",
            unusable,
        ).format(count=unusable)
    targets = ngettext("{count} target", "{count} targets", len(side.targets))
    runs = ngettext("{count} run from {span}", "{count} runs from {span}", len(side.runs))
    return (
        _("{side}: {targets}, {runs}, network {networks}, list {lists}").format(
            side=name,
            targets=targets.format(count=len(side.targets)),
            runs=runs.format(count=len(side.runs), span=span),
            networks=networks,
            lists=", ".join(sorted(side.lists)) or "?",
        )
        + warning
    )


def _evidence(result: TargetResult | None, changed: bool, rate: Repeats | None) -> Text:
    if result is None:
        return Text("—", style="dim")
    word = state_word(INTERMITTENT) if intermittent(rate) else outcome_word(result.outcome)
    text = Text(word)
    if result.outcome is Outcome.BLOCKED:
        text.append(f" {result.technique or result.blocking}")
    if rate is not None:
        text.append(f"\n{blocked_in(rate)}")
    if changed:
        details = [
            "dns: " + (" ".join(result.resolved_ips) or _("no answer")),
            _("failed at {step}").format(step=result.failing_step) if result.failing_step else "",
            _("mitm root: {root}").format(root=result.mitm_root) if result.mitm_root else "",
            _("blockpage: {page}").format(page=result.blockpage) if result.blockpage else "",
        ]
        text.append("".join(f"\n{line}" for line in details if line), style="dim")
    return text


def _table(result: DiffResult, rows: list[DiffRow]) -> Table:
    old_name, new_name = "OLD", "NEW"
    if result.across_networks:
        old_name = f"OLD {'/'.join(result.old.networks)}"
        new_name = f"NEW {'/'.join(result.new.networks)}"
    table = Table(title="probe diff", show_lines=False)
    table.add_column(_("change"))
    table.add_column(_("input"), overflow="fold")
    table.add_column(_("category"))
    table.add_column(old_name, overflow="fold")
    table.add_column(new_name, overflow="fold")
    for row in rows:
        changed = row.change.is_change
        table.add_row(
            Text(change_word(row.change), style=_STYLES.get(str(row.change), "dim")),
            row.input,
            row.category or "",
            _evidence(row.old, changed, row.old_rate),
            _evidence(row.new, changed, row.new_rate),
        )
    return table


def _print_json(result: DiffResult, rows: list[DiffRow]) -> None:
    """One JSON document, written row by row so 100,000 rows never sit in memory as text."""
    header = json.dumps(diff_header_json(result), ensure_ascii=False)
    out = sys.stdout
    out.write(header[:-1] + ', "rows": [')
    for index, row in enumerate(rows):
        out.write(("\n" if index == 0 else ",\n") + json.dumps(row_json(row), ensure_ascii=False))
    out.write("\n]}\n")


def _diff_store(
    spec: str,
    old: str,
    new: str,
    asns: list[str],
    ccs: list[str],
    days: tuple[str | None, str | None],
) -> DiffResult:
    """Both sides read from one store: each side is an ASN or a day range."""
    from probe.analysts.diff import compare, side_of
    from probe.analysts.loading import RunIndex
    from probe.cli.store_options import filters, reading
    from probe.store.query import load_stored, side_filters

    common = filters(asns, ccs, *days)
    sides = []
    with reading(spec) as storage:
        for name, selector in (("OLD", old), ("NEW", new)):
            runs = RunIndex()
            chosen = side_filters(selector, common)
            results = load_stored(storage, chosen, runs)
            sides.append(side_of(results, runs, [], f"{name} {selector} in {spec}"))
    return compare(*sides)


def diff(
    old: str = typer.Argument(
        ...,
        help="Older results: a JSONL file or a folder of them; with --store, an ASN (AS9198), "
        "a UTC day or a range DAY..DAY.",
    ),
    new: str = typer.Argument(
        ..., help="Newer results (or another ISP's): file or folder; with --store, as OLD."
    ),
    store: str | None = STORE,
    asn: list[str] = ASN,
    cc: list[str] = CC,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    only_changes: bool = typer.Option(False, "--only-changes", help="Hide unchanged targets."),
    category: str | None = typer.Option(
        None, "--category", metavar="CODE", help="Only targets of this category (e.g. NEWS)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    max_rows: int = typer.Option(
        1000, "--max-rows", min=0, help="Rows shown in the table (0: all); --json has them all."
    ),
) -> None:
    """Compare verdicts of two runs target by target. Exit 0: no change, 1: changes, 2: error."""
    skipped = Skipped()
    try:
        if without_store(store, asn, cc, since, until):
            result = diff_paths([Path(old)], [Path(new)], skipped)
        else:
            assert store is not None
            result = _diff_store(store, old, new, asn, cc, (since, until))
    except (ResultsError, StoreError) as exc:
        warn_skipped(skipped)
        raise fail(exc) from exc
    warn_skipped(skipped)
    rows = [
        row
        for row in result.rows
        if (row.change.is_change or not only_changes)
        and (category is None or row.category == category)
    ]
    if as_json:
        _print_json(result, rows)
    else:
        _print_table(Console(), result, rows, only_changes, max_rows)
    raise typer.Exit(1 if any(row.change.is_change for row in rows) else 0)


def _print_table(
    console: Console, result: DiffResult, rows: list[DiffRow], only_changes: bool, max_rows: int
) -> None:
    """The human view: both sides, the counts, then the rows (at most ``max_rows``)."""
    if result.across_networks:
        console.print(
            _("[bold]ISP against ISP:[/] {old} (OLD) compared with {new} (NEW)").format(
                old=", ".join(result.old.networks), new=", ".join(result.new.networks)
            ),
            highlight=False,
        )
    console.print(_side_header("OLD", result.old), highlight=False)
    console.print(_side_header("NEW", result.new), highlight=False)
    counts = result.counts()
    console.print(
        "  ".join(
            f"{change_word(change)}: {counts[change]}" for change in Change if counts[change]
        ),
        highlight=False,
    )
    shown = rows[:max_rows] if max_rows else rows
    console.print(_table(result, shown))
    if len(shown) < len(rows):
        narrow = "--category" if only_changes else _("--only-changes or --category")
        more = len(rows) - len(shown)
        line = ngettext(
            "{count} more row not shown: narrow with {narrow}, raise --max-rows, or use --json",
            "{count} more rows not shown: narrow with {narrow}, raise --max-rows, or use --json",
            more,
        )
        console.print(line.format(count=more, narrow=narrow), highlight=False)
