"""The catalogs' upkeep: extract every message, merge it into each ``.po``, check translations.

Messages are found by Babel's Python extractor (``_``, ``ngettext``, ``N_`` calls, as configured
in ``babel.cfg``) and, for ``--help``, in the command tree itself (:func:`help_texts`), so a
docstring or ``help=`` string is a msgid without being wrapped. Run from the repository::

    python -m probe.cli.translations update   # extract, then merge into probe/locale/*/probe.po
    python -m probe.cli.translations check    # what the tests check: complete, current, consistent
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from configparser import RawConfigParser
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from probe.i18n import LANGUAGES
from probe.i18n.compiled import DOMAIN, po_file

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent
CONFIG = ROOT / "babel.cfg"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|\[/?[a-z ]*\]|%\(\w+\)[sd]|%[sd]")
"""``{name}`` fields, rich markup tags (``[bold]``, ``[/]``) and %-formats: kept as they are."""


def _method_map() -> list[tuple[str, str]]:
    """The Babel method map of ``babel.cfg`` (patterns relative to the repository)."""
    parser = RawConfigParser()
    parser.read(CONFIG)
    return [
        (pattern.strip(), method.strip())
        for method, pattern in (section.split(":", 1) for section in parser.sections())
    ]


def _help_texts() -> Iterator[tuple[str, str, int]]:
    """``(text, file, line)`` for each ``--help`` text of every command."""
    import typer.main

    from probe.cli.app import _main, app
    from probe.cli.localized import help_texts

    for item, text in help_texts(typer.main.get_command(app)):
        callback = getattr(item, "callback", None) or _main
        try:
            where = inspect.unwrap(callback)
            path = Path(inspect.getsourcefile(where) or "").relative_to(ROOT).as_posix()
            line = inspect.getsourcelines(where)[1]
        except (TypeError, ValueError, OSError):
            path, line = "probe/cli/app.py", 0
        yield text, path, line


def template() -> Catalog:
    """Every message the probe shows, in English."""
    catalog = Catalog(project="probe", domain=DOMAIN, fuzzy=False)
    for path, line, message, comments, _ in extract_from_dir(
        ROOT, _method_map(), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, [(path, line)], auto_comments=comments)
    for text, path, line in _help_texts():
        catalog.add(text, None, [(path, line)])
    return catalog


def _read(language: str) -> Catalog:
    with po_file(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def update() -> None:
    """Merge the extracted messages into each catalog; new ones come untranslated."""
    source = template()
    for language in LANGUAGES[1:]:
        path = po_file(language)
        if path.exists():
            catalog = _read(language)
            catalog.update(source, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="probe")
            catalog.update(source, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False)


def _forms(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strs = message.string if isinstance(message.string, tuple) else (message.string,)
    return [*ids, *strs]


def problems(language: str, source: Catalog | None = None) -> list[str]:
    """What is wrong with ``language``'s catalog: missing, stale, fuzzy, untranslated, or a
    translation whose placeholders differ from the English."""
    source = source or template()
    catalog = _read(language)
    wanted = {m.id for m in source if m.id}
    have = {m.id for m in catalog if m.id}
    found = [f"{language}: missing {m!r}" for m in wanted - have]
    found += [f"{language}: stale {m!r}" for m in have - wanted]
    nplurals = get_plural(language).num_plurals
    if catalog.num_plurals != nplurals:
        found.append(f"{language}: {catalog.num_plurals} plural forms, CLDR says {nplurals}")
    for message in catalog:
        if not message.id:
            continue
        forms = _forms(message)
        if message.fuzzy or not all(forms):
            found.append(f"{language}: untranslated {message.id!r}")
            continue
        if isinstance(message.string, tuple) and len(message.string) != nplurals:
            found.append(f"{language}: {len(message.string)} forms for {message.id!r}")
        english = sorted(_PLACEHOLDER.findall(forms[0]))
        for form in forms[1:]:
            if sorted(_PLACEHOLDER.findall(form)) != english and not (
                isinstance(message.id, tuple) and _lenient_plural(forms[0], form)
            ):
                found.append(f"{language}: placeholders differ in {message.id!r}: {form!r}")
    return found


def _lenient_plural(english: str, form: str) -> bool:
    """A plural form may drop ``{n}`` (Russian "один" for 1) but add nothing else."""
    extra = set(_PLACEHOLDER.findall(form)) - set(_PLACEHOLDER.findall(english))
    return not extra


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        return 0
    if argv == ["check"]:
        source = template()
        found = [p for language in LANGUAGES[1:] for p in problems(language, source)]
        print("\n".join(found) or "catalogs complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
