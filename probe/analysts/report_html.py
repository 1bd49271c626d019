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

from probe import __version__
from probe.analysts.charts import category_chart, technique_chart, timeline_chart
from probe.analysts.outcomes import Outcome
from probe.analysts.summary import TIMELINE_ROWS, RunSummary

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
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _runs_section(summary: RunSummary) -> str:
    return "<h2>Runs</h2>" + _table(*summary.runs_table())


def _counts_section(summary: RunSummary) -> str:
    return "<h2>Counts by verdict</h2>" + _table(*summary.counts_table())


def _charts_section(summary: RunSummary) -> str:
    parts = [
        "<h2>By category</h2>",
        f'<div class="chart">{category_chart(summary.by_category)}</div>',
    ]
    parts.append("<h2>By technique</h2>")
    if summary.by_technique:
        parts.append(f'<div class="chart">{technique_chart(summary.by_technique)}</div>')
    else:
        parts.append("<p>No measurement was blocked.</p>")
    return "".join(parts)


def _timeline_section(summary: RunSummary) -> str:
    if len(summary.runs) < 2:
        return ""
    targets, count = summary.changing_targets(TIMELINE_ROWS)
    if not targets:
        return "<h2>Timeline</h2><p>No target was blocked or changed status between runs.</p>"
    ids = [run.report_id for run in summary.runs]
    grid = [[summary.timeline[t].get(report_id) for report_id in ids] for t in targets]
    labels = [summary.run_label(report_id) for report_id in ids]
    note = (
        f"<p>{count} targets were blocked in some run or changed status; "
        f"the {len(targets)} most often blocked are shown. White: not measured.</p>"
    )
    chart = timeline_chart(targets, labels, grid)
    return f'<h2>Timeline</h2>{note}<div class="chart">{chart}</div>'


def _blocked_section(summary: RunSummary) -> str:
    headers, rows = summary.blocked_table()
    intro = f"<p>{len(rows)} blocked measurements. Click a column heading to sort.</p>"
    return "<h2>Blocked targets</h2>" + intro + _table(headers, rows, "sortable")


def render_html(summary: RunSummary, title: str = "probe report") -> str:
    total = sum(summary.total.values())
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src '{_script_hash()}'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    blocked = summary.total[Outcome.BLOCKED]
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>{len(summary.runs)} run(s), {total} measurements, "
            f'<span class="blocked">{blocked} blocked</span>. '
            f"Written by probe {escape(__version__)} from verdicts of <code>probe analyze</code>."
            "</p>",
            _runs_section(summary),
            _counts_section(summary),
            _charts_section(summary),
            _timeline_section(summary),
            _blocked_section(summary),
            f"<script>{_SORT_SCRIPT}</script></body></html>\n",
        ]
    )
