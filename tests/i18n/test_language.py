"""The language choice and the catalogs' machinery (probe/i18n, probe/cli/translations)."""

from __future__ import annotations

import pytest
from babel.messages.plurals import get_plural

from probe import i18n
from probe.cli import translations


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        (None, {"LANG": "ru_RU.UTF-8"}, "ru"),
        (None, {"LC_ALL": "kk_KZ.UTF-8", "LANG": "ru_RU.UTF-8"}, "kk"),
        (None, {"LC_MESSAGES": "kk_KZ", "LANG": "en_US.UTF-8"}, "kk"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LANG": "C"}, "en"),
        (None, {}, "en"),
        (None, {"PROBE_LANG": "kk", "LANG": "ru_RU.UTF-8"}, "kk"),
        (None, {"PROBE_LANG": "xx"}, "en"),
        ("ru", {"PROBE_LANG": "kk"}, "ru"),
        ("fr", {"LANG": "ru_RU.UTF-8"}, "en"),
    ],
)
def test_language_follows_flag_then_env_then_locale(
    explicit: str | None, env: dict[str, str], expected: str
) -> None:
    assert i18n.choose(explicit, env) == expected


def test_catalogs_hold_exactly_the_extracted_messages() -> None:
    source = translations.template()
    assert len(source) > 50
    for language in ("ru", "kk"):
        found = [p for p in translations.problems(language, source) if "untranslated" not in p]
        assert found == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_catalog_plural_forms_follow_cldr(language: str) -> None:
    catalog = translations._read(language)
    assert catalog.num_plurals == get_plural(language).num_plurals
    assert catalog.num_plurals == {"ru": 3, "kk": 2}[language]


def test_unknown_language_speaks_english() -> None:
    try:
        i18n.use("xx")
        assert i18n.current() == "en"
        assert i18n._("Print the version and exit.") == "Print the version and exit."
    finally:
        i18n.use(i18n.choose())
