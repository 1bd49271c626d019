"""click's and typer's own words ("Usage:", "Options", "Error", "Missing option") in the reader's
language, from probe's catalog.

click marks its messages with the standard library's ``gettext`` and ``ngettext`` (the default
domain), imported into each of its modules; typer's rich help reads module constants built with
the same ``gettext`` at import time. Neither offers a hook, and the default domain follows the
process's locale variables, not ``--lang``. So :func:`speak` points those modules' ``_`` and
``ngettext`` at :mod:`probe.i18n` and sets typer's constants again, and the msgids below (the
ones a user of probe can meet) are in probe's catalog, extracted like any other. A message not
listed stays English. tests/i18n/test_click_words.py checks that each one is still, word for
word, in the installed click and typer, so an upgrade that rewords one is noticed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from probe import i18n
from probe.i18n import N_, N_plural

CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "typer.core",
    "typer.rich_utils",
)
"""The modules whose ``_``/``ngettext`` :func:`speak` replaces."""

WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("Error"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Aborted!"),
    N_("Aborted."),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is not readable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Could not open file {filename!r}: {message}"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("required"),
    N_("(deprecated) "),
    N_("[default: {}]"),
    N_("[env var: {}]"),
)
"""click's and typer's messages probe translates (their English exactly as they write it)."""

PLURAL_WORDS = (
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_plural(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."
    ),
    N_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)

_TYPER_CONSTANTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
"""typer's rich help constants and their English (``REQUIRED_LONG_STRING`` is set apart: its
brackets would read as rich markup to the catalog check)."""


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def speak() -> None:
    """Make click and typer speak the current language (call after :func:`probe.i18n.use`)."""
    for name in CLICK_MODULES:
        module = _module(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    rich_utils = _module("typer.rich_utils")
    if rich_utils is not None:
        for constant, english in _TYPER_CONSTANTS.items():
            if hasattr(rich_utils, constant):
                setattr(rich_utils, constant, i18n._(english))
        if hasattr(rich_utils, "REQUIRED_LONG_STRING"):
            setattr(rich_utils, "REQUIRED_LONG_STRING", "[" + i18n._("required") + "]")  # noqa: B010
