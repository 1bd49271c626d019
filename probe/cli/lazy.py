"""The root command with each command's module imported only when that command is used.

``probe run`` then loads what measuring needs, not the lab, the analysts' DuckDB and charts or
the servers of the other commands; a command's module is imported when it is run, when its help
is shown, or when ``probe --help`` lists it (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

import typer
import typer.main

from probe.cli.localized import LocalizedGroup, translate


def _built(name: str, target: Any) -> Any:
    """The click command of a command function or a typer sub-app, as ``add_typer`` and
    ``command`` on the root would have built it."""
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False, rich_markup_mode="rich")
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyGroup(LocalizedGroup):
    """``commands`` maps each command's name to ``module:attribute``, in the order --help lists
    them; the module is imported the first time the command is looked up."""

    lazy: ClassVar[Mapping[str, str]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = _built(cmd_name, getattr(importlib.import_module(module), attribute))
            translate(command)  # the root's own texts were translated before parsing
            self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)
