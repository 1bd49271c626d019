"""The scenario format is a contract: valid files load, every mistake is named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe.cli.lab import lab_app
from probe.lab import scenario
from probe.lab.errors import LabError
from probe.lab.scenario import Expect, Rule, Site


def _load(tmp_path: Path, text: str) -> scenario.Scenario:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return scenario.load(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(LabError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


FULL = """
name = "kz-2016"
description = "Blocks"
serve_lists = ["kz"]
latency = "100ms"

[[site]]
domain = "Example.ORG"
down = false
redirect = "https://www.example.org/"
title = "Example"
body_bytes = 12000

[[site]]
domain = "сайт.қаз"
down = true

[[rule]]
action = "sni-reset"
domains = ["tumblr.com", "www.tumblr.com"]

[[rule]]
action = "dns-spoof"
domains = ["a.kz"]
address = "10.10.34.35"

[[rule]]
action = "throttle"
rate = "32kbit"

[[rule]]
action = "ip-drop"
addresses = ["198.51.100.7"]

[[expect]]
domain = "tumblr.com"
verdict = "blocked"
blocking = "http-failure"
technique = "tls.reset"

[[expect]]
url = "http://a.kz/page"
blocking = false
"""


def test_full_example_loads(tmp_path: Path) -> None:
    loaded = _load(tmp_path, FULL)
    assert loaded.name == "kz-2016" and loaded.serve_lists == ("kz",)
    assert loaded.latency_ms == 100.0
    assert loaded.sites == (
        Site("example.org", False, "https://www.example.org/", "Example", 12000),
        Site("xn--80aswg.xn--80ao21a", down=True),
    )
    assert loaded.rules[0] == Rule("sni-reset", domains=("tumblr.com", "www.tumblr.com"))
    assert loaded.rules[1].address == "10.10.34.35"
    assert loaded.rules[2] == Rule("throttle", rate="32kbit")
    assert loaded.rules[3].addresses == ("198.51.100.7",)
    assert loaded.expects == (
        Expect("https://tumblr.com/", "blocked", "http-failure", "tls.reset"),
        Expect("http://a.kz/page", None, False, None),
    )
    assert loaded.down_domains == {"xn--80aswg.xn--80ao21a"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[[rule]]\naction = "sni-rst"\ndomains = ["a.kz"]',
         "rule[1]: unknown action 'sni-rst'"),
        ('name = "x"\n[[rule]]\naction = "sni-reset"\ndomains = ["a.kz"]\n'
         '[[rule]]\naction = "sni-rst"', "rule[2]: unknown action 'sni-rst'"),
        ('name = "x"\ncolour = "red"', "unknown key 'colour'"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\nhidden = true', "site[1]: unknown key 'hidden'"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nverdict = "ok"\nwhy = 1',
         "expect[1]: unknown key 'why'"),
        ('name = "x"\n[[rule]]\naction = "sni-reset"\ndomains = ["a.kz"]\nrate = "1mbit"',
         "rule[1]: key 'rate' is not valid for action 'sni-reset'"),
        ('name = "x"\n[[rule]]\naction = "dns-spoof"\ndomains = ["a.kz"]',
         "rule[1]: action 'dns-spoof' needs key 'address'"),
        ('name = "x"\n[[rule]]\naction = "ip-drop"', "needs 'domains' or 'addresses'"),
        ('name = "x"\n[[rule]]\naction = "throttle"\nrate = "fast"', "'rate' must look like"),
        ('name = "x"\n[[rule]]\naction = "dns-spoof"\ndomains = ["a.kz"]\naddress = "8.8.8.8"',
         "lab's ranges or a bogon"),
        ('name = "x"\n[[rule]]\naction = "ip-reset"\naddresses = ["10.0.0.1"]',
         "'addresses' must be an IPv4 address in the lab's TEST-NET ranges"),
        ('name = "x"\n[[rule]]\naction = "sni-reset"\ndomains = ["not a domain"]',
         "invalid domain"),
        ('name = "x"\n[[rule]]\naction = "sni-reset"\ndomains = []', "'domains' is empty"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nverdict = "fine"', "unknown verdict 'fine'"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nverdict = "ok"\nblocking = "dns"',
         "contradicts"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nblocking = "tls"', "'blocking' must be false"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"', "nothing to compare"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\ntechnique = "tls.rst"',
         "expect[1]: unknown technique 'tls.rst' (known: dns.spoof,"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nverdict = "ok"\ntechnique = "tls.reset"',
         "expect[1]: verdict 'ok' has no technique"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nurl = "http://a.kz/"\nverdict = "ok"',
         "exactly one of 'domain', 'url' or 'test'"),
        ('name = "x"\n[[expect]]\ntest = "tor"\ndomain = "a.kz"\nverdict = "ok"',
         "exactly one of 'domain', 'url' or 'test'"),
        ('name = "x"\n[[expect]]\ntest = "icq"\nverdict = "ok"', "unknown test 'icq'"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\n[[site]]\ndomain = "a.kz"',
         "site 'a.kz' is defined more than once"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\nbody_bytes = true', "'body_bytes' must be"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\ndown = true\nredirect = "http://b.kz/"',
         "cannot redirect"),
        ('name = "x"\nlatency = "fast"', "'latency' must look like"),
        ('name = "x"\nsite = 3', "'site' must be an array of tables"),
        ('description = "no name"', "missing key 'name'"),
        ('name = "x"\nname = "y"', "not valid TOML"),
    ],
)  # fmt: skip
def test_mistakes_are_named_with_their_place(tmp_path: Path, text: str, message: str) -> None:
    error = _error(tmp_path, text)
    assert error.startswith(f"{tmp_path / 'scenario.toml'}: ")
    assert message in error


def test_shipped_scenarios_load_by_name_and_by_path() -> None:
    shipped = scenario.shipped()
    actions = {r.action for path in shipped.values() for r in scenario.load(path).rules}
    assert actions == set(scenario.ACTIONS)  # one shipped scenario at least per action
    for name in ("clean", "kz-2016", "kz-2019-mitm", "kz-shutdown", *scenario.ACTIONS):
        assert scenario.find(name) == shipped[name]
        assert scenario.load(scenario.find(str(shipped[name]))).name == name
        assert scenario.load(shipped[name]).expects, f"{name} has no [[expect]]"


def test_unknown_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(LabError, match=r"shipped: apps-clean, clean, control-failure"):
        scenario.find("no-such-scenario")


def test_cli_lists_the_shipped_scenarios_with_their_descriptions() -> None:
    result = CliRunner().invoke(lab_app, ["scenarios"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.splitlines()}
    assert listed == set(scenario.shipped())
    assert "Blocks reported for June 2015" in result.output
