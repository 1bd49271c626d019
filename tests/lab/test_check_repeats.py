"""``verdict = "intermittent"`` and ``repeat`` in a scenario's expectations: parsed strictly,
run as ``--repeat``, and judged on the blocking rate of the URL's measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from probe.lab import scenario
from probe.lab.check import compare, index, repeat_flags, unrepeated
from probe.lab.errors import LabError
from probe.lab.scenario import Expect

URL = "https://a.kz/"
INTERMITTENT = Expect(URL, verdict="intermittent", repeat=6)


def _m(blocking: object, accessible: object, **keys: Any) -> dict[str, Any]:
    return {"input": URL, "test_keys": {"blocking": blocking, "accessible": accessible, **keys}}


def _rate(blocked: int, of: int, state: str) -> dict[str, Any]:
    return {"blocked": blocked, "of": of, "rate": round(blocked / of, 4), "state": state}


def _parse(tmp_path: Path, expect: str, rules: str = "") -> scenario.Scenario:
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\n{rules}\n[[expect]]\ndomain = "a.kz"\n{expect}\n')
    return scenario.load(path)


@pytest.mark.parametrize(
    ("rate", "ok", "shown"),
    [
        (_rate(3, 7, "intermittent"), True, "intermittent (blocked in 3 of 7)"),
        (_rate(7, 7, "blocked"), False, "blocked (blocked in 7 of 7)"),
        (_rate(0, 7, "not blocked"), False, "not blocked (blocked in 0 of 7)"),
        (None, False, "measured once: ok"),
    ],
)
def test_intermittent_is_judged_on_the_rate(rate: Any, ok: bool, shown: str) -> None:
    first = _m(False, True, **({"x_blocking_rate": rate} if rate else {}))
    repeat = _m("http-failure", False, x_repeat={"repeat": 1, "of": 6})
    [row] = compare([INTERMITTENT], index([first, repeat]))
    assert (row.key, row.expected, row.measured, row.ok) == ("verdict", "intermittent", shown, ok)


def test_other_keys_are_compared_on_the_first_measurement() -> None:
    first = _m("http-failure", False, x_technique="tls.reset")
    repeat = _m(False, True, x_technique=None, x_repeat={"repeat": 1, "of": 1})
    rows = compare([Expect(URL, verdict="blocked", technique="tls.reset")], index([first, repeat]))
    assert all(r.ok for r in rows) and len(rows) == 2


def test_an_intermittent_url_ok_the_first_time_is_measured_again() -> None:
    assert unrepeated([INTERMITTENT], index([_m(False, True)])) == [URL]
    assert unrepeated([INTERMITTENT], index([_m("dns", False)])) == []
    rated = _m(False, True, x_blocking_rate=_rate(1, 7, "intermittent"))
    assert unrepeated([INTERMITTENT], index([rated])) == []
    assert unrepeated([Expect(URL, verdict="ok", repeat=6)], index([_m(False, True)])) == []


def test_the_check_repeats_past_the_longest_residual(tmp_path: Path) -> None:
    rules = '[[rule]]\naction = "sni-reset"\ndomains = ["a.kz"]\nresidual = 30\n'
    loaded = _parse(tmp_path, 'verdict = "intermittent"\nrepeat = 4', rules)
    assert loaded.expects[0].repeat == 4
    assert repeat_flags(loaded) == ["--repeat", "4", "--repeat-gap", "31"]
    assert repeat_flags(_parse(tmp_path, 'verdict = "intermittent"\nrepeat = 2')) == [
        "--repeat", "2", "--repeat-gap", "1",
    ]  # fmt: skip
    assert repeat_flags(_parse(tmp_path, 'verdict = "ok"')) == []


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ('verdict = "intermittent"', "verdict 'intermittent' needs 'repeat'"),
        ('verdict = "blocked"\nrepeat = 0', "'repeat' must be a whole number from 1 to 100"),
        ('verdict = "blocked"\nrepeat = true', "'repeat' must be a whole number"),
        ('verdict = "blocked"\nrepeat = 101', "'repeat' must be a whole number"),
        ('verdict = "sometimes"', "unknown verdict 'sometimes'"),
    ],
)
def test_bad_repeat_expectations_are_named(tmp_path: Path, expect: str, message: str) -> None:
    with pytest.raises(LabError, match=message) as caught:
        _parse(tmp_path, expect)
    assert "s.toml:" in str(caught.value) and "expect[1]" in str(caught.value)


def test_the_shipped_scenario_expects_an_intermittent_target() -> None:
    loaded = scenario.load(scenario.shipped()["intermittent"])
    [rule] = loaded.rules
    assert (rule.action, rule.probability) == ("sni-reset", 0.5)
    assert repeat_flags(loaded) == ["--repeat", "6", "--repeat-gap", "1"]
    [target] = [e for e in loaded.expects if e.verdict == "intermittent"]
    assert target.hostname in rule.domains
