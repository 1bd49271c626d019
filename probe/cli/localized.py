"""``--help`` in the reader's language: the command tree's help texts are gettext msgids.

typer builds the click commands from docstrings and ``help=`` strings, in English. Before the
root command parses its arguments, :class:`LocalizedGroup` picks the language (``--lang``,
``PROBE_LANG``, the locale) and replaces each help text with its translation, so what click
renders is in that language. :func:`help_texts` lists the same texts for extraction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import typer.core

from probe import i18n
from probe.cli import click_words

_FIELDS = ("help", "short_help", "epilog", "rich_help_panel")


def _lang_in(args: Sequence[str]) -> str | None:
    """The value of the global ``--lang`` among the root's arguments, if given."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
    return None


def _walk(command: Any, load: bool = False) -> Iterator[Any]:
    """The command, its parameters and its subcommands: those built so far, or with ``load``
    every one, importing the modules of the lazily loaded ones (:mod:`probe.cli.lazy`)."""
    yield command
    yield from command.params
    if load and hasattr(command, "list_commands"):
        subs = [command.get_command(None, name) for name in command.list_commands(None)]
    else:
        subs = list(getattr(command, "commands", {}).values())
    for sub in subs:
        yield from _walk(sub, load)


def help_texts(root: Any) -> Iterator[tuple[Any, str]]:
    """Each ``(command or parameter, English text)`` in the tree below ``root``."""
    for item in _walk(root, load=True):
        for name in _FIELDS:
            if text := getattr(item, name, None):
                yield item, text


def translate(root: Any) -> None:
    """Put the current language's help texts in the tree (once per built tree), and have each
    command's usage line and ``--help`` option follow it too."""
    for item in _walk(root):
        if hasattr(item, "context_class"):
            item.context_class = click_words.LocalizedContext
        for name in _FIELDS:
            if text := getattr(item, name, None):
                setattr(item, name, i18n._(text))


class LocalizedGroup(typer.core.TyperGroup):
    """The root group: chooses the language, then translates its help before parsing."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        i18n.use(i18n.choose(_lang_in(args)))
        click_words.speak()
        translate(self)
        with click_words.speaking():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with click_words.speaking():
            return super().invoke(ctx)
