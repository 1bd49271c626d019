"""The language a person reads: English, Russian or Kazakh, through gettext catalogs.

Only text for people goes through here; stored files, ``--json`` output and failure strings never
do. The language comes from ``--lang``, then ``PROBE_LANG``, then the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``); anything unknown means English. This module imports nothing of probe,
so every layer may mark its messages with it.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping

from probe.i18n.compiled import translations

LANGUAGES = ("en", "ru", "kk")
"""English is the source language; the others have a catalog in ``probe/locale``."""

ENV_LANG = "PROBE_LANG"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def language_of(value: str | None) -> str | None:
    """The supported language a locale name or a ``--lang`` value names (``ru_RU.UTF-8`` → ru)."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def choose(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` first, then ``PROBE_LANG``, then the first locale variable set; else English."""
    env = os.environ if environ is None else environ
    for value in (explicit, env.get(ENV_LANG)):
        if value:
            return language_of(value) or "en"
    for name in _LOCALE_VARIABLES:
        if value := env.get(name):
            return language_of(value) or "en"  # POSIX: the first one set decides
    return "en"


def use(language: str) -> None:
    """Speak ``language`` from now on (an unsupported one means English)."""
    global _active, _language
    _language = language if language in LANGUAGES else "en"
    _active = translations(_language)


def current() -> str:
    """The language in use, as an HTML ``lang`` value."""
    return _language


def _(message: str) -> str:
    """``message`` in the current language."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` that the current language uses for ``n``."""
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a constant for extraction only; it is translated where shown, with ``_``."""
    return message


use(choose())
