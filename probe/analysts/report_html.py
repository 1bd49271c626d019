"""One self-contained HTML report: inline CSS, inline SVG charts and one inline script.

A Content-Security-Policy that allows nothing but the page's own style and its one script (by
hash) guarantees the file makes no request when opened, so it can be e-mailed and read offline.
Every value from a results file is escaped: measurements are untrusted input.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from html import escape

from probe import __version__, i18n
from probe.analysts.charts import category_chart, technique_chart, timeline_chart
from probe.analysts.outcomes import Outcome
from probe.analysts.summary import TIMELINE_ROWS, RunSummary
from probe.analysts.words import outcome_word
from probe.i18n import _, ngettext

_SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.querySelectorAll("th");
  headers.forEach(function (th, column) {
    th.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0];
      Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = a.cells[column].textContent, y = b.cells[column].textContent;
        return (up ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
  table.setAttribute("data-sort-ready", "true");
});
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 75em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
table.sortable th { cursor: pointer; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
td.n { text-align: right; }
.chart svg { max-width: 100%; height: auto; }
.blocked { color: #b3261e; font-weight: bold; }
"""


def _script_hash() -> str:
    digest = hashlib.sha256(_SORT_SCRIPT.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{escape(_(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if isinstance(value, Outcome):
        return f"<td>{escape(outcome_word(value))}</td>"
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _heading(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _counts_line(runs: int, measurements: int, blocked: int) -> str:
    return _("{runs}, {measurements}, {blocked}.").format(
        runs=ngettext("{count} run", "{count} runs", runs).format(count=runs),
        measurements=ngettext("{count} measurement", "{count} measurements", measurements).format(
            count=measurements
        ),
        blocked=ngettext("{count} blocked", "{count} blocked", blocked).format(count=blocked),
    )


def _runs_section(summary: RunSummary) -> str:
    return _heading(_("Runs")) + _table(*summary.runs_table())


def _counts_section(summary: RunSummary) -> str:
    return _heading(_("Counts by verdict")) + _table(*summary.counts_table())


def _charts_section(summary: RunSummary) -> str:
    parts = [
        _heading(_("By category")),
        f'<div class="chart">{category_chart(summary.by_category)}</div>',
    ]
    parts.append(_heading(_("By technique")))
    if summary.by_technique:
        parts.append(f'<div class="chart">{technique_chart(summary.by_technique)}</div>')
    else:
        parts.append(_paragraph(_("No measurement was blocked.")))
    return "".join(parts)


def _timeline_section(summary: RunSummary) -> str:
    if len(summary.runs) < 2:
        return ""
    targets, count = summary.changing_targets(TIMELINE_ROWS)
    if not targets:
        none = _("No target was blocked or changed status between runs.")
        return _heading(_("Timeline")) + _paragraph(none)
    ids = [run.report_id for run in summary.runs]
    grid = [[summary.timeline[t].get(report_id) for report_id in ids] for t in targets]
    labels = [summary.run_label(report_id) for report_id in ids]
    note = ngettext(
        "{count} target was blocked in some run or changed status; "
        "the {shown} most often blocked are shown. White: not measured.",
        "{count} targets were blocked in some run or changed status; "
        "the {shown} most often blocked are shown. White: not measured.",
        count,
    ).format(count=count, shown=len(targets))
    chart = timeline_chart(targets, labels, grid)
    return _heading(_("Timeline")) + _paragraph(note) + f'<div class="chart">{chart}</div>'


def _rates_section(summary: RunSummary) -> str:
    headers, rows = summary.rates_table()
    if not rows:
        return ""
    intro = _("Targets measured more than once in a run (--repeat): how often they were blocked.")
    return _heading(_("Blocking rate")) + _paragraph(intro) + _table(headers, rows, "sortable")


def _blocked_section(summary: RunSummary) -> str:
    headers, rows = summary.blocked_table()
    intro = ngettext(
        "{count} blocked measurement. Click a column heading to sort.",
        "{count} blocked measurements. Click a column heading to sort.",
        len(rows),
    ).format(count=len(rows))
    return _heading(_("Blocked targets")) + _paragraph(intro) + _table(headers, rows, "sortable")


def render_html(summary: RunSummary, title: str = "probe report") -> str:
    total = sum(summary.total.values())
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src '{_script_hash()}'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    blocked = summary.total[Outcome.BLOCKED]
    return "".join(
        [
            f'<!DOCTYPE html>\n<html lang="{i18n.current()}"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>{escape(_counts_line(len(summary.runs), total, blocked))} ",
            escape(_("Written by probe {version} from the verdicts of probe analyze.")).format(
                version=escape(__version__)
            ),
            "</p>",
            _runs_section(summary),
            _counts_section(summary),
            _charts_section(summary),
            _timeline_section(summary),
            _rates_section(summary),
            _blocked_section(summary),
            f"<script>{_SORT_SCRIPT}</script></body></html>\n",
        ]
    )
