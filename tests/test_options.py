"""Options declared once: the README table, ``probe run --help`` and the lab's variables agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe import options
from probe.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_configuration_table_is_the_declared_one() -> None:
    assert options.readme_table() in README.read_text("utf-8")


def test_every_declared_option_is_a_flag_of_probe_run_with_its_variable() -> None:
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    for option in options.RUN_OPTIONS:
        assert option.flag in result.output
        if option.env:
            assert option.env in result.output


def test_a_variable_comes_only_from_a_declared_option() -> None:
    assert options.environment({"resolver": "192.0.2.53"}) == {"PROBE_RESOLVER": "192.0.2.53"}
    with pytest.raises(KeyError, match="parallel"):
        options.environment({"parallel": "4"})
    with pytest.raises(KeyError):
        options.environment({"no_such_option": "x"})


def test_each_flag_and_variable_is_declared_once() -> None:
    names = [o.name for o in options.RUN_OPTIONS]
    flags = [o.flag for o in options.RUN_OPTIONS]
    variables = [o.env for o in options.RUN_OPTIONS if o.env]
    assert len(set(names)) == len(names)
    assert len(set(flags)) == len(flags)
    assert len(set(variables)) == len(variables)
