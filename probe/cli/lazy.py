"""The root command with each command's module imported only when that command is used.

``probe run`` then loads what measuring needs, not the lab, the analysts' DuckDB and charts or
the servers of the other commands, and ``probe --help`` lists the commands from their summaries
without importing any (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.main

from probe.cli.coercion import PlainCommand, plain_coercion
from probe.cli.localized import LocalizedGroup, translate


def translated(command: Any) -> Any:
    translate(command)  # the root's own texts were translated before parsing
    return command


def _built(name: str, target: Any) -> Any:
    """The click command of a command function or a typer sub-app, as ``add_typer`` and
    ``command`` on the root would have built it."""
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False, rich_markup_mode="rich")
    single.command(name, cls=PlainCommand)(target)
    return typer.main.get_command(single)


@dataclass(frozen=True)
class Lazy:
    target: str
    """``module:attribute``: the command function or typer sub-app."""
    summary: str
    """The first paragraph of its help, which ``probe --help`` lists (tests/cli/test_startup.py
    keeps it equal to the command's own)."""


class LazyGroup(LocalizedGroup):
    """``lazy`` names each command, in the order ``--help`` lists them; a command's module is
    imported the first time the command is looked up, except to be listed."""

    lazy: ClassVar[Mapping[str, Lazy]] = {}
    _listing = False

    def get_params(self, ctx: Any) -> list[Any]:
        return plain_coercion(super().get_params(ctx))  # the root's own: --lang, --help

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # a stand-in that only names and summarises it
            return translated(typer.core.TyperCommand(cmd_name, help=self.lazy[cmd_name].summary))
        module, _, attribute = self.lazy[cmd_name].target.partition(":")
        command = _built(cmd_name, getattr(importlib.import_module(module), attribute))
        self.commands[cmd_name] = translated(command)
        return command
