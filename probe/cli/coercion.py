"""typer's value coercion for plain options, without building a pydantic adapter per option.

typer 0.29 converts every option's value through a pydantic ``TypeAdapter`` built when the
option is first parsed: importing pydantic and building one adapter per option of ``probe run``
cost about 0.1 s of CPU before the command even starts (docs/performance.md, "Start-up"). The
values of the probe's options are plain (``str``, ``int``, ``float``, ``bool``, ``Path``,
lists of ``str``), so a well-formed value is converted here the way that adapter would; anything
else (a malformed number, a value out of range, any other type) goes to typer's own coercion,
which then gives its usual error. typer builds the command and renders its help as before;
tests/cli/test_coercion.py checks that both coercions agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer.core
from typer._coercion import RuntimeParam, build_runtime_param, resolve_type_descriptor
from typer._param_types import coerce_cli_path

_INT = re.compile(r"[0-9]{1,18}")
_FLOAT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,15})?")
_BOOLS = {"": False} | dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True)
_BOOLS |= dict.fromkeys(("0", "off", "f", "false", "n", "no"), False)
"""What pydantic reads as a boolean, after typer strips the value."""
_PLAIN = (str, int, float, bool, Path, list[str])


@dataclass(frozen=True)
class _Plain(RuntimeParam):
    """A plain option's coercion; typer's own for what it does not recognise as well-formed."""

    _typer: list[RuntimeParam] = field(default_factory=list, compare=False)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation, info = self.annotation, self.parameter_info
        if isinstance(value, (list, tuple)) and annotation == list[str]:
            if all(isinstance(v, str) for v in value):
                return list(value)
        elif annotation is str and isinstance(value, str):
            return value
        elif annotation is bool and isinstance(value, str) and value.strip().lower() in _BOOLS:
            return _BOOLS[value.strip().lower()]
        elif annotation is Path and isinstance(value, (str, Path)) and value:
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        elif annotation in (int, float):
            number = _number(annotation, value)
            if number is not None and not info.clamp and _within(number, info.min, info.max):
                return number
        return self._typers()._coerce_value(value, param=param, ctx=ctx)

    def _typers(self) -> RuntimeParam:
        if not self._typer:
            descriptor = resolve_type_descriptor(self.annotation, self.parameter_info)
            self._typer.append(build_runtime_param(descriptor))
        return self._typer[0]


def _number(kind: type[int] | type[float], value: Any) -> int | float | None:
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (_INT if kind is int else _FLOAT).fullmatch(value):
        return kind(value)
    return None


def _within(number: float, low: float | None, high: float | None) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def plain_coercion(params: list[Any]) -> list[Any]:
    """``params`` with :class:`_Plain` as the coercion of each typer option of a plain type."""
    for param in params:
        if isinstance(param, typer.core.TyperOption) and param._runtime_param is None:
            descriptor = param.type_descriptor
            if descriptor.annotation in _PLAIN:
                param._runtime_param = _Plain(descriptor.parameter_info, descriptor.annotation)
    return params


class PlainCommand(typer.core.TyperCommand):
    """A typer command whose options (``--help`` too) are coerced by :class:`_Plain`."""

    def get_params(self, ctx: Any) -> list[Any]:
        return plain_coercion(super().get_params(ctx))
