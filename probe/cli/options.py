"""The declared options (:mod:`probe.options`) as typer parameters.

A command either takes one declared option as a parameter default (``BOGON_EXEMPT``), or, like
``probe run``, all of a tuple of them through :func:`declared`, so no flag is spelt twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import typer

from probe import options
from probe.options import Option

F = TypeVar("F", bound=Callable[..., None])


def parameter(option: Option) -> Any:
    """The typer parameter for one declared option."""
    return typer.Option(
        option.default, *option.flags, envvar=option.env, help=option.help, **option.limits
    )


def declared(declarations: Sequence[Option]) -> Callable[[F], F]:
    """Give a ``**values`` command one keyword parameter per declared option."""
    signature = inspect.Signature(
        [
            inspect.Parameter(
                o.name, inspect.Parameter.KEYWORD_ONLY, default=parameter(o), annotation=o.kind
            )
            for o in declarations
        ]
    )

    def decorate(command: F) -> F:
        vars(command)["__signature__"] = signature  # typer reads the parameters from this
        return command

    return decorate


BOGON_EXEMPT = parameter(options.BOGON_EXEMPT)
INTERCEPTION_ROOTS = parameter(options.INTERCEPTION_ROOTS)
CA_BUNDLE = parameter(options.CA_BUNDLE)
LISTS_DIR = parameter(options.LISTS_DIR)
COLLECTOR = parameter(options.COLLECTOR)
UPLOAD_PROXY = parameter(options.UPLOAD_PROXY)
