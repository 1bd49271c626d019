"""Binary catalogs: each ``.po`` in the repository compiled to ``.mo`` once, on first use.

The ``.po`` files are the only source; a ``.mo`` is built with Babel into the user's cache, named
after the hash of its ``.po``, so an edited catalog is rebuilt and an editable install or a fresh
clone needs no build step. Where the cache cannot be written, the catalog is compiled in memory.
"""

from __future__ import annotations

import gettext
import hashlib
import io
from functools import cache
from pathlib import Path

import platformdirs

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "probe"


def po_file(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(source: bytes, language: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file's contents (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=language, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog for ``language``; none (English) if it has no ``.po``."""
    try:
        source = po_file(language).read_bytes()
    except OSError:
        return gettext.NullTranslations()
    digest = hashlib.sha256(source).hexdigest()[:16]
    cached = platformdirs.user_cache_path("probe") / "locale" / f"{language}-{digest}.mo"
    try:
        data = cached.read_bytes()
    except OSError:
        data = compile_po(source, language)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".tmp")
            partial.write_bytes(data)
            partial.replace(cached)
        except OSError:
            pass  # a read-only home: use the catalog compiled in memory
    return gettext.GNUTranslations(io.BytesIO(data))
