"""typer's own words (usage line, panel titles, ``--help``'s option, error messages) and the
consent's yes/no question in each language: the real ``probe`` in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from cli.test_run import NOWHERE, run_probe
from typer.testing import CliRunner

from probe import i18n
from probe.cli.consent import agrees

_SAID = {
    # (arguments, what stderr or stdout must hold in en, ru, kk)
    "help": (
        ["tests", "--help"],
        ("Usage:", "Options", "Show this message and exit."),
        ("Использование:", "Параметры", "Показать эту справку и выйти."),
        ("Қолданылуы:", "Параметрлер", "Осы анықтаманы көрсетіп, шығу."),
    ),
    "commands": (
        ["--help"],
        ("Commands",),
        ("Команды",),
        ("Командалар",),
    ),
    "unknown option": (
        ["run", "--nope"],
        ("Error", "No such option: --nope", "for help."),
        ("Ошибка", "Нет такого параметра: --nope", "Справка: "),
        ("Қате", "Мұндай параметр жоқ: --nope", "Анықтама: "),
    ),
    "missing argument": (
        ["diff"],
        ("Missing argument 'old'.",),
        ("Не указан аргумент 'old'.",),
        ("'old' аргументі көрсетілмеген.",),
    ),
    "extra argument": (
        ["diff", "a", "b", "c"],
        ("Got unexpected extra argument(s) (c)",),
        ("Получены лишние аргументы (c)",),
        ("Күтпеген артық аргумент(тер) берілді (c)",),
    ),
    "invalid value": (
        ["run", "--timeout-tls", "abc"],
        ("Invalid value for '--timeout-tls'",),
        ("Недопустимое значение для '--timeout-tls'",),
        ("'--timeout-tls' үшін жарамсыз мән",),
    ),
}


@pytest.mark.parametrize("case", list(_SAID))
@pytest.mark.parametrize("index", [0, 1, 2], ids=list(i18n.LANGUAGES))
def test_typers_own_words_are_in_the_chosen_language(case: str, index: int, tmp_path: Path) -> None:
    args, *said = _SAID[case]
    language = i18n.LANGUAGES[index]
    result = run_probe(["--lang", language, *args], {**NOWHERE, "COLUMNS": "200"}, tmp_path)
    shown = result.stdout + result.stderr
    assert all(text in shown for text in said[index]), shown
    assert result.returncode == (0 if "--help" in args else 2)


def _ask() -> None:
    raise typer.Exit(0 if agrees("run?") else 1)


@pytest.mark.parametrize(
    ("language", "answer", "agreed"),
    [
        ("ru", "д\n", True),
        ("ru", "Да\n", True),
        ("ru", "yes\n", True),
        ("ru", "нет\n", False),
        ("ru", "\n", False),
        ("kk", "иә\n", True),
        ("kk", "жоқ\n", False),
        ("kk", "ж\n", False),
        ("en", "y\n", True),
        ("en", "д\n", None),
    ],
)
def test_the_consent_question_takes_answers_in_the_language(
    language: str, answer: str, agreed: bool | None
) -> None:
    """``[д/Н]``, ``[и/Ж]``, ``[y/N]``; English answers always work; anything else asks again."""
    hints = {"en": "[y/N]", "ru": "[д/Н]", "kk": "[и/Ж]"}
    try:
        i18n.use(language)
        app = typer.Typer()
        app.command()(_ask)
        result = CliRunner().invoke(app, input=answer + "n\n")
    finally:
        i18n.use("en")
    assert hints[language] in result.output
    if agreed is None:  # not an answer in English: asked again, then "n"
        assert "Error: invalid input" in result.output and result.exit_code == 1
    else:
        assert result.exit_code == (0 if agreed else 1)
