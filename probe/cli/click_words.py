"""typer's and click's own words ("Usage:", "Options", "Error", "Missing argument") in the
reader's language, from probe's catalog.

typer ships its own copy of click (``typer._click``), which writes its messages in English with
no gettext; typer's own ``core`` and ``rich_utils`` mark theirs with the standard library's
``gettext``, whose default domain follows the locale variables, not ``--lang``, and
``rich_utils`` turns them into constants at import time. None of them offers a hook. So
:func:`speak` points those two modules' ``_`` at :mod:`probe.i18n` and sets the constants again,
:class:`LocalizedContext` writes the usage line and the ``--help`` option's text through the
catalog, and an error's message is read back like an ``x_detail``
(:func:`probe.i18n.sentences.sentence`) against the templates below, which are the English of
the installed typer word for word. tests/i18n/test_click_words.py runs each in ru and kk, so a
typer release that rewords one is noticed; a message not listed stays English.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import typer
import typer.core

from probe import i18n
from probe.i18n import N_
from probe.i18n.sentences import sentence

WORDS = (
    N_("Usage:"),
    N_("Show this message and exit."),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("required"),
    N_("No such option: {name}"),
    N_("No such option: {name} (Possible options: {options})"),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Invalid value for {hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Option {name} does not take a value."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Value {value} is not a valid {kind}."),
    N_("{value} is not one of {choices}."),
    N_("Input should be a valid number, unable to parse string as a number"),
)
"""typer's messages (the ones a user of probe meets) that probe translates."""

_RICH_CONSTANTS = {
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
"""typer's rich help constants and their English (``REQUIRED_LONG_STRING`` is set apart: its
brackets would read as rich markup to the catalog check)."""


_SHOWN = (typer.core._click.exceptions.ClickException, typer.Abort, EOFError)  # type: ignore[attr-defined]
"""What typer's main loop shows through its rich printer (an EOF becomes an ``Abort``)."""


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def speak() -> None:
    """Make typer speak the current language (call after :func:`probe.i18n.use`); its rich help
    and error printer too if it is loaded, else :func:`speak_rich` does that before it is used
    (importing it, with rich's markdown, syntax and traceback, would cost every run ~0.04 s)."""
    core = _module("typer.core")
    if core is not None and hasattr(core, "_"):
        setattr(core, "_", i18n._)  # noqa: B010
    if "typer.rich_utils" in sys.modules:
        speak_rich()


def speak_rich() -> None:
    """Put the current language in typer's rich help and error printer, importing it: called
    before a help page or an error is shown."""
    rich_utils = _module("typer.rich_utils")
    if rich_utils is None:
        return
    if hasattr(rich_utils, "_"):
        setattr(rich_utils, "_", i18n._)  # noqa: B010
    for constant, english in _RICH_CONSTANTS.items():
        if hasattr(rich_utils, constant):
            setattr(rich_utils, constant, i18n._(english))
    if hasattr(rich_utils, "REQUIRED_LONG_STRING"):
        setattr(rich_utils, "REQUIRED_LONG_STRING", "[" + i18n._("required") + "]")  # noqa: B010
    show = getattr(rich_utils, "rich_format_error", None)
    if show is not None and not getattr(show, "localized", False):
        setattr(rich_utils, "rich_format_error", _localized(show))  # noqa: B010


@contextmanager
def speaking() -> Iterator[None]:
    """Around parsing and running a command: what typer's main loop shows through its rich
    printer (an error, an abort) escapes only once :func:`speak_rich` has run."""
    try:
        yield
    except _SHOWN:
        speak_rich()
        raise


def _localized(show: Callable[[Any], None]) -> Callable[[Any], None]:
    """typer's error printer, with the error's message read back through the catalog."""

    def localized(error: Any) -> None:
        english = error.format_message
        error.format_message = lambda: sentence(english())
        show(error)

    localized.localized = True  # type: ignore[attr-defined]
    return localized


class _Formatter(typer.core._click.HelpFormatter):  # type: ignore[name-defined,misc]
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or i18n._("Usage:") + " ")


class LocalizedContext(typer.core._click.Context):  # type: ignore[name-defined,misc]
    """A context whose usage line and ``--help`` option read in the current language."""

    formatter_class = _Formatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        option = self.command.get_help_option(self)
        if option is not None and option.help:
            option.help = i18n._(option.help)

    def get_help(self) -> str:
        speak_rich()
        return str(super().get_help())
