"""The language choice and the catalogs' machinery (probe/i18n, probe/cli/translations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.plurals import get_plural

from probe import i18n
from probe.cli import translations
from probe.i18n.sentences import sentence


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


def test_catalogs_hold_exactly_the_extracted_messages_all_translated() -> None:
    """Nothing missing, stale, fuzzy or untranslated; the same placeholders as the English."""
    source = translations.template()
    assert len(source) > 200
    for language in ("ru", "kk"):
        assert translations.problems(language, source) == []


def test_the_checker_sees_a_changed_placeholder(tmp_path: Path, monkeypatch: Any) -> None:
    """A translation that drops ``{path}`` is reported, so the check above can fail."""
    po = translations.po_file("ru").read_text(encoding="utf-8")
    broken = po.replace('msgstr "отчёт записан в {path}"', 'msgstr "отчёт записан"')
    assert broken != po
    target = tmp_path / "ru" / "LC_MESSAGES" / "probe.po"
    target.parent.mkdir(parents=True)
    target.write_text(broken, encoding="utf-8")
    monkeypatch.setattr(translations, "po_file", lambda language: target)
    assert any("placeholders differ" in p for p in translations.problems("ru"))


def test_stored_english_details_are_read_back_in_the_chosen_language() -> None:
    """x_detail stays English in files; the CLI shows its clauses through the catalog."""
    try:
        i18n.use("ru")
        stored = (
            "network unusable: all 3 targets failed at the dns step (connection_refused) and no "
            "control was reachable; no answer"
        )
        assert sentence(stored) == (
            "сеть непригодна: все сайты (3) не прошли шаг dns (connection_refused), и ни один "
            "контрольный сервер не был доступен; нет ответа"
        )
        assert sentence("something the catalog does not hold") == (
            "something the catalog does not hold"
        )
        i18n.use("en")
        assert sentence("no answer") == "no answer"
    finally:
        i18n.use(i18n.choose())


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
