"""The plain coercion of option values (probe.cli.coercion) gives what typer's own gives: the
same value, or the same error, for well-formed and malformed values alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer._coercion import build_runtime_param

from probe.cli.app import app
from probe.cli.coercion import plain_coercion

VALUES: dict[Any, list[Any]] = {
    str: ["kz", "", " spaced ", "127.0.0.1:53"],
    int: [32, "64", "007", "0", "1025", "-3", "+5", " 8", "1.5", "x", "99999999999999999999"],
    float: [4.0, "4", "0.5", "0.05", "1e3", "-1", "nan", "inf", ".5", "2."],
    bool: ["1", "0", "yes", "No", " true ", "", "maybe", "2"],
    Path: ["out.jsonl", "", "missing/file", ".", "{existing}"],
    list[str]: [(), ("http://a/",), ("http://a/", "http://b/")],
}


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return "error", exc.format_message()


@pytest.mark.parametrize("command", ["run", "analyze"])
def test_plain_coercion_agrees_with_typers(command: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    root = typer.main.get_command(app)
    cmd = root.get_command(None, command)  # type: ignore[attr-defined]
    ctx = cmd.make_context(command, ["--help"], resilient_parsing=True)
    compared = 0
    for param in plain_coercion(cmd.get_params(ctx)):
        plain = getattr(param, "_runtime_param", None)
        if plain is None:
            continue
        annotation = param.type_descriptor.annotation
        own = build_runtime_param(param.type_descriptor)
        for value in VALUES[annotation]:
            if value == "{existing}":
                value = str(tmp_path / "file")
            expected = outcome(own, value, param, ctx)
            assert outcome(plain, value, param, ctx) == expected, (param.name, value)
            compared += 1
    assert compared >= 20  # every plain option of the command, each with several values
