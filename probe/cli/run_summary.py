"""What `probe run` prints at the end: one row per web target, then the verdicts grouped.

A target measured again (``--repeat``) has one row, its first measurement's, with its blocking
rate beside the verdict."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from probe.analysis import RunSummary, mark_network, stored_verdict
from probe.analysts.outcomes import Outcome, outcome_of
from probe.analysts.words import blocked_in, outcome_word
from probe.cli.analyze import BlockedRow, print_summary
from probe.i18n import _, ngettext
from probe.i18n.sentences import sentence
from probe.report.summary import step_outcomes

_HEAVY = frozenset({"requests", "tls_handshakes", "control", "x_self_control", "x_doh_queries"})
_STYLE = {
    Outcome.BLOCKED: "red",
    Outcome.OK: "green",
    Outcome.DOWN: "dim",
    Outcome.UNDETERMINED: "yellow",
}


def slim(record: dict[str, Any]) -> dict[str, Any]:
    """Keep only what the summary shows, so a long run does not hold every body in memory."""
    keys = record["test_keys"]
    kept = {k: v for k, v in keys.items() if k not in _HEAVY}
    kept["requests"] = [
        {"failure": r.get("failure"), "response": {"code": (r.get("response") or {}).get("code")}}
        for r in keys.get("requests") or []
    ]
    kept["tls_handshakes"] = [
        {"failure": h.get("failure")} for h in keys.get("tls_handshakes") or []
    ]
    return {"input": record["input"], "test_name": record["test_name"], "test_keys": kept}


FULL_TABLE_ROWS = 300
"""Beyond this many web targets the table lists only those that are not ok."""


def _outcome(record: dict[str, Any]) -> Outcome:
    return outcome_of(*(stored_verdict(record["test_keys"]) or (None, None)))


def _verdict(keys: dict[str, Any]) -> str:
    outcome = outcome_of(*(stored_verdict(keys) or (None, None)))
    label = outcome_word(outcome)
    if outcome is Outcome.BLOCKED:
        label += f" ({keys.get('x_technique')})"
    return f"[{_STYLE[outcome]}]{label}[/]"


def _blocked_rows(records: list[dict[str, Any]]) -> list[BlockedRow]:
    return [
        (str(r["input"]), str(k.get("x_technique")), sentence(str(k.get("x_detail"))))
        for r in records
        if r["input"] and isinstance((stored_verdict(k := r["test_keys"]) or (None,))[0], str)
    ]


def print_run(
    records: list[dict[str, Any]],
    summary: RunSummary,
    path: Path,
    total: int,
    took: timedelta,
) -> None:
    console = Console()
    if summary.network_unusable:
        console.print(f"[bold red]{sentence(summary.reason)}[/]", highlight=False)
        records = [mark_network(r, summary) for r in records]
    firsts = (r for r in records if r["input"] and "x_repeat" not in r["test_keys"])
    web = sorted(firsts, key=lambda r: str(r["input"]))
    rates = {target: rate for (target, _report), rate in summary.repeats.items()}
    title = ngettext(
        "{count} of {total} measured in {seconds} s",
        "{count} of {total} measured in {seconds} s",
        total,
    ).format(count=len(records), total=total, seconds=f"{took.total_seconds():.1f}")
    if len(web) > FULL_TABLE_ROWS:
        shown = [r for r in web if _outcome(r) is not Outcome.OK]
        hidden = len(web) - len(shown)
        title += "; " + ngettext(
            "{count} ok row not shown (all are in the results file)",
            "{count} ok rows not shown (all are in the results file)",
            hidden,
        ).format(count=hidden)
        web = shown
    table = Table(title=title)
    for column in (_("target"), "DNS", "TCP", "TLS", "HTTP", _("verdict")):
        table.add_column(column, overflow="fold")
    for record in web:
        o = step_outcomes(record)
        verdict = _verdict(record["test_keys"])
        if (rate := rates.get(o.input)) is not None:
            verdict += f"; {blocked_in(rate)}"
        table.add_row(o.input, o.dns, o.tcp, o.tls, o.http, verdict)
    if web:
        console.print(table)
    print_summary(console, summary, _blocked_rows(records), headline=False)
    console.print(_("Results: [bold]{path}[/]").format(path=path), highlight=False)
