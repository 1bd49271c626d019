"""``x_detail``'s human rendering: a stored English sentence read back through the catalog.

The analysis writes ``x_detail`` in English, from templates marked with ``N_`` (``"the {source}
says {host} does not exist ({failure})"``), so files never depend on the language. To show one
in another language, each clause (the parts joined by ``"; "``) is matched against the catalog's
templates, the fields it captured are rendered the same way (they may be sentences themselves),
and the translation is filled in. A clause that no template matches is split at its ``": "``
(the analysis joins an observation and why it is or is not evidence that way), else at its
``", "`` (lists of reasons), each side rendered alone; what still matches nothing is shown as
stored.
"""

from __future__ import annotations

import re
from functools import cache

from probe import i18n
from probe.i18n.compiled import DOMAIN, po_file

_FIELD = re.compile(r"\{(\w+)\}")
_DEPTH = 6
_SEPARATORS = (": ", ", ")
"""Fields inside fields inside fields: deeper text is shown as stored."""


@cache
def _templates(language: str) -> list[tuple[re.Pattern[str], str]]:
    """``(pattern, msgid)`` for every translated one-form message with ``{fields}``, the ones
    with the most fixed text first, so the most specific template wins."""
    from babel.messages.pofile import read_po

    try:
        with po_file(language).open("rb") as f:
            catalog = read_po(f, locale=language, domain=DOMAIN)
    except OSError:
        return []
    found: list[tuple[int, re.Pattern[str], str]] = []
    for message in catalog:
        msgid = message.id
        if not isinstance(msgid, str) or not message.string or message.fuzzy:
            continue
        names = _FIELD.findall(msgid)
        fixed = _FIELD.sub("", msgid)
        if not names or len(set(names)) != len(names) or len(fixed.strip()) < 3 or "\n" in msgid:
            continue
        parts = _FIELD.split(msgid)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        found.append((len(fixed), re.compile(regex, re.DOTALL), msgid))
    found.sort(key=lambda item: -item[0])
    return [(pattern, msgid) for _, pattern, msgid in found]


def sentence(text: str | None) -> str:
    """``text`` (an ``x_detail`` or a run-level reason) in the current language."""
    language = i18n.current()
    if not text or language == "en":
        return text or ""
    return _render(language, text, 0)


@cache
def _render(language: str, text: str, depth: int) -> str:
    return "; ".join(_clause(language, clause, depth) for clause in text.split("; "))


def _clause(language: str, clause: str, depth: int) -> str:
    translated = i18n._(clause)
    if translated != clause or depth >= _DEPTH:
        return translated
    for pattern, msgid in _templates(language):
        if match := pattern.fullmatch(clause):
            fields = {k: _render(language, v, depth + 1) for k, v in match.groupdict().items()}
            try:
                return i18n._(msgid).format(**fields)
            except (KeyError, IndexError, ValueError):
                return clause
    for separator in _SEPARATORS:
        if (halves := _halves(language, clause, depth, separator)) != clause:
            return halves
    return clause


def _halves(language: str, clause: str, depth: int, separator: str) -> str:
    """``"{what}: {why}"`` or a list (``"no helper, no DoH answer"``) without a template of its
    own: both sides rendered, at the first ``separator`` where either side is known."""
    start = 0
    while (at := clause.find(separator, start)) >= 0:
        left, right = clause[:at], clause[at + len(separator) :]
        shown = _render(language, left, depth), _render(language, right, depth)
        if shown != (left, right):
            return separator.join(shown)
        start = at + len(separator)
    return clause
