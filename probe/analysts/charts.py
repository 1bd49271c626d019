"""Charts for the HTML report, drawn by matplotlib as SVG text to inline in the page.

SVG keeps the report one self-contained file with no script for the charts, text that stays
searchable and sharp when printed; matplotlib is drawn headless through ``Figure`` (no pyplot
global state, no GUI backend).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from probe.analysts.outcomes import Outcome
from probe.analysts.words import outcome_word
from probe.i18n import _

COLOURS: dict[Outcome, str] = {
    Outcome.OK: "#4c9f50",
    Outcome.DOWN: "#9e9e9e",
    Outcome.UNDETERMINED: "#f2b33d",
    Outcome.BLOCKED: "#d6453d",
}
NOT_MEASURED = "#ffffff"


def _svg(figure: Figure, chart_id: str) -> str:
    """SVG markup without the XML prolog; ids are salted per chart so inlined charts never
    share clip-path ids, and text stays text (no embedded glyphs)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _height(rows: int) -> float:
    return 1.2 + 0.32 * max(rows, 1)


def category_chart(by_category: Mapping[str, Counter[Outcome]]) -> str:
    """Stacked horizontal bars: per category, how many measurements had each outcome."""
    categories = sorted(by_category, key=lambda c: (-by_category[c].total(), c))
    figure = Figure(figsize=(8, _height(len(categories))))
    axes = figure.subplots()
    left = [0] * len(categories)
    for outcome in Outcome:
        widths = [by_category[c][outcome] for c in categories]
        axes.barh(
            categories, widths, left=left, color=COLOURS[outcome], label=outcome_word(outcome)
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(_("measurements"))
    axes.set_title(_("Outcome by category"))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return _svg(figure, "category")


def technique_chart(by_technique: Counter[str]) -> str:
    techniques = [name for name, _count in by_technique.most_common()]
    figure = Figure(figsize=(8, _height(len(techniques))))
    axes = figure.subplots()
    axes.barh(techniques, [by_technique[t] for t in techniques], color=COLOURS[Outcome.BLOCKED])
    axes.invert_yaxis()
    axes.set_xlabel(_("blocked measurements"))
    axes.set_title(_("Blocked measurements by technique"))
    return _svg(figure, "technique")


def timeline_chart(
    targets: Sequence[str],
    run_labels: Sequence[str],
    statuses: Sequence[Sequence[Outcome | None]],
) -> str:
    """A grid: one row per target, one column per run, coloured by outcome."""
    order = [None, *Outcome]
    grid = [[order.index(status) for status in row] for row in statuses]
    colours = ListedColormap([NOT_MEASURED, *(COLOURS[o] for o in Outcome)])
    figure = Figure(figsize=(max(5.0, 1.5 + 1.1 * len(run_labels)), _height(len(targets))))
    axes = figure.subplots()
    # pcolormesh rather than imshow: cells stay vector shapes instead of an embedded bitmap.
    axes.pcolormesh(grid, cmap=colours, vmin=0, vmax=len(order) - 1, edgecolors="white")
    axes.invert_yaxis()
    ticks = [n + 0.5 for n in range(len(run_labels))]
    axes.set_xticks(ticks, run_labels, rotation=30, ha="right", fontsize="small")
    axes.set_yticks([n + 0.5 for n in range(len(targets))], targets, fontsize="small")
    axes.set_title(_("Status of each target, run by run"))
    handles = [matplotlib.patches.Patch(color=COLOURS[o], label=outcome_word(o)) for o in Outcome]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return _svg(figure, "timeline")
