"""``x_detail``'s human rendering: a stored English sentence read back through the catalog.

The analysis writes ``x_detail`` in English, from templates marked with ``N_`` (``"the {source}
says {host} does not exist ({failure})"``), so files never depend on the language. To show one
in another language, each clause (the parts joined by ``"; "``) is matched against the catalog's
templates, the fields it captured are rendered the same way (they may be sentences themselves),
and the translation is filled in; a clause may also be split at a ``": "`` or ``", "`` (lists
of reasons), each side rendered alone. Of all these readings, the one that leaves the fewest
characters in English wins; what matches nothing is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from probe import i18n
from probe.i18n.compiled import DOMAIN, po_file

_FIELD = re.compile(r"\{(\w+)\}")
_DEPTH = 8
"""Fields inside fields inside fields: deeper text is shown as stored."""
_SEPARATORS = (": ", ", ")


@cache
def _templates(language: str) -> list[tuple[re.Pattern[str], str]]:
    """``(pattern, msgid)`` for every translated one-form message with ``{fields}``: the ones
    that start with a field first (they wrap a whole sentence, as ``"{what}: ..."`` does, so when
    two readings leave as much English, the wrapper wins), then the most fixed text first."""
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
        if not names or len(set(names)) != len(names) or len(fixed) < 3 or "\n" in msgid:
            continue
        parts = _FIELD.split(msgid)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        found.append((len(fixed), re.compile(regex, re.DOTALL), msgid))
    found.sort(key=lambda item: (not item[2].startswith("{"), -item[0]))
    return [(pattern, msgid) for _, pattern, msgid in found]


def sentence(text: str | None) -> str:
    """``text`` (an ``x_detail`` or a run-level reason) in the current language."""
    language = i18n.current()
    if not text or language == "en":
        return text or ""
    return _render(language, text, 0)[0]


Shown = tuple[str, int]
"""A rendering and how many characters of it are still the stored English."""


@cache
def _render(language: str, text: str, depth: int) -> Shown:
    shown = [_clause(language, clause, depth) for clause in _clauses(text)]
    return "; ".join(text for text, _ in shown), sum(left for _, left in shown)


def _clauses(text: str) -> list[str]:
    """``text`` split at each ``"; "`` outside parentheses (an app's line holds its reasons in
    them: ``"Tor: blocked (bridges: ...; the control reached them)"``)."""
    found, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith("; ", i):
            found.append(text[start:i])
            start = i + 2
    return [*found, text[start:]]


def _clause(language: str, clause: str, depth: int) -> Shown:
    """The reading of ``clause`` that leaves the least English: a clause can match several
    templates (``"{what}: {failure} is not ..."`` and, wrongly, ``"... resolved {addresses}"``
    with the rest of the sentence as its addresses); the right one explains more of it."""
    translated = i18n._(clause)
    if translated != clause:
        return translated, 0
    best: Shown = clause, len(clause)
    if depth >= _DEPTH:
        return best
    for shown in _readings(language, clause, depth):
        if shown[1] < best[1]:
            best = shown
            if not shown[1]:
                break
    return best


def _readings(language: str, clause: str, depth: int) -> Iterator[Shown]:
    """Each way to render ``clause``: by a template that matches it whole (the most specific
    first), else split at one of its separators."""
    for pattern, msgid in _templates(language):
        match = pattern.fullmatch(clause)
        if match is None or not all(_balanced(v) for v in match.groupdict().values()):
            continue
        fields = {k: _render(language, v, depth + 1) for k, v in match.groupdict().items()}
        try:
            text = i18n._(msgid).format(**{k: shown for k, (shown, _) in fields.items()})
        except (KeyError, IndexError, ValueError):
            continue
        yield text, sum(left for _, left in fields.values())
    for separator in _SEPARATORS:
        start = 0
        while (at := clause.find(separator, start)) >= 0:
            left = _render(language, clause[:at], depth + 1)
            right = _render(language, clause[at + len(separator) :], depth + 1)
            yield f"{left[0]}{separator}{right[0]}", left[1] + len(separator) + right[1]
            start = at + len(separator)


def _balanced(field: str) -> bool:
    """A field never opens or closes a parenthesis it does not close or open itself: in
    ``"TCP connect failed (x) at A: why (x)"``, ``{failure}`` is not ``"x) at A: why (x"``."""
    depth = 0
    for char in field:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0
