"""The scenario format is a contract: valid files load, every mistake is named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from probe.cli.lab import lab_app
from probe.lab import rules, scenario
from probe.lab.errors import LabError
from probe.lab.rules import Rule
from probe.lab.scenario import Expect, Site
from probe.net.names import to_ascii


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
         "'addresses' must be an address in the lab's ranges"),
        ('name = "x"\n[[rule]]\naction = "ip-reset"\naddresses = ["2001:4860::8888"]',
         "'addresses' must be an address in the lab's ranges"),
        ('name = "x"\nclient_ipv6 = "no"', "'client_ipv6' must be true or false"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\ncdn = 1', "site[1]: 'cdn' must be true or false"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\nipv6 = true\n'
         '[[rule]]\naction = "throttle"\nrate = "1mbit"\ndomains = ["a.kz"]',
         "rule[1]: action 'throttle' works on IPv4 only, but 'a.kz' is IPv6"),
        ('name = "x"\n[[rule]]\naction = "tls-mitm"\ndomains = ["a.kz"]\n'
         '[[rule]]\naction = "http-blockpage"\ndomains = ["b.kz"]\n'
         '[[rule]]\naction = "throttle"\nrate = "1mbit"\naddresses = ["2001:db8:113::5"]',
         "rule[3]: action 'throttle' works on IPv4 only, but '2001:db8:113::5' is IPv6"),
        ('name = "x"\n[[expect]]\nurl = "http://a.kz:99999/"\nverdict = "ok"',
         "expect[1]: 'url' has an invalid port"),
        ('name = "x"\n[[site]]\ndomain = "a.kz"\nredirect = "ftp://b.kz/"',
         "site[1]: 'redirect' must be an http(s) URL"),
        ('name = "x"\n[[expect]]\ndomain = "a.kz"\nnetwork_unusable = "yes"',
         "'network_unusable' must be true or false"),
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
        ('name = "x"\n[[site]]\ndomain = "a.kz"\ndown = true\nipv6 = true',
         "site[1]: a site that is down is served nowhere: drop 'ipv6'"),
        ('name = "x"\nlatency = "fast"', "'latency' must look like"),
        ('name = "x"\n[lab]\nasn = "AS9198"', "lab: 'asn' must be a number such as 9198"),
        ('name = "x"\n[lab]\ncc = "kz"', "lab: 'cc' must be a two-letter country code"),
        ('name = "x"\n[lab]\nregion = "Almaty"', "lab: unknown key 'region' (allowed: asn, cc,"),
        ('name = "x"\n[lab]\nnetwork = "A|B"', "lab: 'network' may not hold"),
        ('name = "x"\nsite = 3', "'site' must be an array of tables"),
        ('description = "no name"', "missing key 'name'"),
        ('name = "x"\nname = "y"', "not valid TOML"),
    ],
)  # fmt: skip
def test_mistakes_are_named_with_their_place(tmp_path: Path, text: str, message: str) -> None:
    error = _error(tmp_path, text)
    assert error.startswith(f"{tmp_path / 'scenario.toml'}")
    assert message in error


def test_a_mistake_in_a_table_names_the_line_of_its_header(tmp_path: Path) -> None:
    text = (
        'name = "x"\n\n[[rule]]\naction = "sni-reset"\ndomains = ["a.kz"]\n\n'
        '[[rule]]\naction = "sni-throttle"\ndomains = ["a.kz"]\nrate = "fast"\n'
    )
    assert _error(tmp_path, text) == (
        f"{tmp_path / 'scenario.toml'}:7: rule[2]: 'rate' must look like '32kbit' or '1mbit', "
        "not 'fast'"
    )
    assert _error(tmp_path, 'name = "x"\n[lab]\ncc = "kz"').startswith(
        f"{tmp_path / 'scenario.toml'}:2: lab: "
    )


def test_shipped_scenarios_load_by_name_and_by_path() -> None:
    shipped = scenario.shipped()
    actions = {r.action for path in shipped.values() for r in scenario.load(path).rules}
    assert actions == set(rules.ACTIONS)  # one shipped scenario at least per action
    # tls-reset has its two scenarios named after what they show instead, freeze its size.
    named = {"freeze": "freeze-16k"}
    per_action = [named.get(a, a) for a in rules.ACTIONS if a != "tls-reset"]
    for name in ("clean", "kz-2016", "kz-2019-mitm", "kz-shutdown", *per_action):
        assert scenario.find(name) == shipped[name]
        assert scenario.load(scenario.find(str(shipped[name]))).name == name
        assert scenario.load(shipped[name]).expects, f"{name} has no [[expect]]"


def test_unknown_scenario_lists_the_shipped_ones() -> None:
    with pytest.raises(
        LabError, match=r"shipped: all-handshakes-reset, apps-clean, clean, control-failure"
    ):
        scenario.find("no-such-scenario")


def test_cli_lists_the_shipped_scenarios_with_their_descriptions() -> None:
    result = CliRunner().invoke(lab_app, ["scenarios"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.splitlines()}
    assert listed == set(scenario.shipped())
    assert "Blocks reported for June 2015" in result.output


IDN = """
name = "idn"

[[site]]
domain = "Пример.КЗ"
redirect = "HTTPS://Яндекс.РФ:8443/Путь?q=1"

[[rule]]
action = "sni-reset"
domains = ["ЯНДЕКС.рф."]

[[rule]]
action = "tls-reset"
addresses = ["2001:DB8:113:0::0:7"]

[[expect]]
url = "http://Яндекс.рф/"
verdict = "ok"

[[expect]]
domain = "WWW.Example.ORG"
network_unusable = false
"""


def test_every_name_is_an_a_label_case_folded(tmp_path: Path) -> None:
    loaded = _load(tmp_path, IDN)
    yandex = "xn--d1acpjx3f.xn--p1ai"
    (site,) = loaded.sites
    assert site.domain == to_ascii("пример.кз")
    assert site.redirect == f"https://{yandex}:8443/Путь?q=1"  # the path is not the host's
    assert loaded.rules[0].domains == (yandex,)
    assert loaded.rules[1].addresses == ("2001:db8:113::7",)
    assert [e.url for e in loaded.expects] == [f"http://{yandex}/", "https://www.example.org/"]
    assert loaded.expects[0].hostname == yandex
    assert loaded.expects[1].network_unusable is False


def test_dual_stack_cdn_and_client_ipv6_keys(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        'name = "x"\nclient_ipv6 = false\n[[site]]\ndomain = "a.kz"\ncdn = true\nipv6 = true',
    )
    assert loaded.client_ipv6 is False
    assert loaded.sites == (Site("a.kz", cdn=True, ipv6=True),)
    assert _load(tmp_path, 'name = "x"').client_ipv6 is True


def test_lab_network_sets_what_the_geoip_stand_in_answers(tmp_path: Path) -> None:
    from probe.lab.resolvers import geoip_txt

    path = tmp_path / "isp.toml"
    path.write_text('name = "isp"\n[lab]\nasn = 206026\nnetwork = "KAR-TEL-AS"\n')
    network = scenario.load(path).network
    answers = dict(geoip_txt(network))
    assert answers["AS206026.asn.lab"] == "206026 | KZ | lab | 2016-01-01 | KAR-TEL-AS"
    assert answers["2.2.0.192.origin.asn.lab"].startswith("206026 | 192.0.2.0/24 | KZ")
    (tmp_path / "default.toml").write_text('name = "d"\n')
    assert scenario.load(tmp_path / "default.toml").network.asn == 64500


def _one_rule(tmp_path: Path, rule: str) -> scenario.Scenario:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "p"\n[[site]]\ndomain = "a.example"\n[[rule]]\n' + rule, encoding="utf-8"
    )
    return scenario.load(path)


def test_probability_fires_a_trigger_rule_on_a_share_of_flows(tmp_path: Path) -> None:
    from probe.lab import censor

    loaded = _one_rule(
        tmp_path, 'action = "sni-reset"\ndomains = ["a.example"]\nprobability = 0.5\n'
    )
    assert loaded.rules[0].probability == 0.5
    rules = censor.iptables(loaded, {}, {})
    assert "--mode random --probability 0.5" in rules
    assert "statistic" not in censor.iptables(
        _one_rule(tmp_path, 'action = "sni-reset"\ndomains = ["a.example"]\n'), {}, {}
    )


@pytest.mark.parametrize("value", ["0", "1.5", "true", '"half"'])
def test_probability_outside_0_1_is_named(tmp_path: Path, value: str) -> None:
    with pytest.raises(LabError, match="'probability' must be a number"):
        _one_rule(
            tmp_path, f'action = "sni-drop"\ndomains = ["a.example"]\nprobability = {value}\n'
        )


def test_probability_is_refused_where_it_has_no_meaning(tmp_path: Path) -> None:
    with pytest.raises(LabError, match="key 'probability' is not valid for action 'dns-drop'"):
        _one_rule(tmp_path, 'action = "dns-drop"\ndomains = ["a.example"]\nprobability = 0.5\n')


def test_freeze_defaults_to_16_kib_and_needs_targets(tmp_path: Path) -> None:
    assert (
        _one_rule(tmp_path, 'action = "freeze"\ndomains = ["a.example"]\n').rules[0].bytes == 16384
    )
    with pytest.raises(LabError, match="needs 'domains' or 'addresses'"):
        _one_rule(tmp_path, 'action = "freeze"\n')
    with pytest.raises(LabError, match="'bytes' must be a positive whole number"):
        _one_rule(tmp_path, 'action = "freeze"\ndomains = ["a.example"]\nbytes = 0\n')


def test_sni_throttle_needs_a_rate_and_domains_and_is_ipv4_only(tmp_path: Path) -> None:
    rule = _one_rule(
        tmp_path, 'action = "sni-throttle"\ndomains = ["a.example"]\nrate = "32kbit"\n'
    )
    assert rule.rules[0].rate == "32kbit"
    with pytest.raises(LabError, match="action 'sni-throttle' needs key 'rate'"):
        _one_rule(tmp_path, 'action = "sni-throttle"\ndomains = ["a.example"]\n')
    with pytest.raises(LabError, match="action 'sni-throttle' needs key 'domains'"):
        _one_rule(tmp_path, 'action = "sni-throttle"\nrate = "32kbit"\n')
    with pytest.raises(LabError, match="'rate' must look like"):
        _one_rule(tmp_path, 'action = "sni-throttle"\ndomains = ["a.example"]\nrate = "fast"\n')
    with pytest.raises(
        LabError, match=r"scenario\.toml:5: rule\[1\]: action 'sni-throttle' works on IPv4"
    ):
        _load(
            tmp_path,
            'name = "p"\n[[site]]\ndomain = "a.example"\nipv6 = true\n[[rule]]\n'
            'action = "sni-throttle"\ndomains = ["a.example"]\nrate = "32kbit"\n',
        )


def test_sni_throttle_marks_the_flow_and_classifies_the_downloads(tmp_path: Path) -> None:
    from probe.lab import censor

    loaded = _one_rule(
        tmp_path, 'action = "sni-throttle"\ndomains = ["a.example"]\nrate = "32kbit"\n'
    )
    mangle = censor.iptables(loaded, {}, {}).split("*mangle\n")[1]
    assert f'{censor.sni_pattern("a.example")}" -j CONNMARK --set-xmark 0x100/0xff00' in mangle
    assert "-A PREROUTING -i eth1 -j CONNMARK --restore-mark --mask 0xff00" in mangle
    assert "-A POSTROUTING -o eth0 -m mark --mark 0x100/0xff00 -j CLASSIFY --set-class 1:2" in (
        mangle
    )
    tc = [" ".join(c) for c in censor.tc_commands(loaded, {})]
    assert "tc class add dev eth0 parent 1: classid 1:2 htb rate 32kbit ceil 32kbit" in tc
    assert not [c for c in tc if "eth1" in c or " filter " in c]  # downloads only, no u32


def test_residual_takes_whole_seconds_on_trigger_rules_only(tmp_path: Path) -> None:
    loaded = _one_rule(tmp_path, 'action = "host-drop"\ndomains = ["a.example"]\nresidual = 60\n')
    assert loaded.rules[0].residual == 60
    for value in ("0", "1.5", "true", '"60s"', "86401"):
        with pytest.raises(LabError, match=r"rule\[1\]: 'residual' must be whole seconds"):
            _one_rule(
                tmp_path, f'action = "sni-reset"\ndomains = ["a.example"]\nresidual = {value}\n'
            )
    with pytest.raises(LabError, match="key 'residual' is not valid for action 'ip-drop'"):
        _one_rule(tmp_path, 'action = "ip-drop"\ndomains = ["a.example"]\nresidual = 60\n')


def test_residual_records_the_server_and_drops_its_new_flows(tmp_path: Path) -> None:
    from probe.lab import censor

    loaded = _one_rule(tmp_path, 'action = "sni-reset"\ndomains = ["a.example"]\nresidual = 60\n')
    rules = censor.iptables(loaded, {}, {})
    assert "-A LAB_RESIDUAL1 -m recent --name LAB_RESIDUAL1 --rdest --set" in rules
    assert "-j LAB_RESIDUAL1" in rules
    assert (
        "-A FORWARD -i eth0 -m conntrack --ctstate NEW -m recent --name LAB_RESIDUAL1 --rdest "
        "--rcheck --seconds 60 -j DROP"
    ) in rules
    assert "LAB_RESIDUAL" in censor.ip6tables(loaded, {})


def test_probability_on_address_rules_decides_on_the_first_packet(tmp_path: Path) -> None:
    from probe.lab import censor

    where = {"a.example": "203.0.113.10"}
    drop = _one_rule(tmp_path, 'action = "ip-drop"\ndomains = ["a.example"]\nprobability = 0.5\n')
    rules = censor.iptables(drop, where, {})
    assert "! --ctstatus CONFIRMED -m statistic --mode random --probability 0.5 -j CONNMARK" in (
        rules
    )
    assert (
        "-s 203.0.113.10 -m connmark --mark 0x2/0x2 -m conntrack --ctstatus CONFIRMED -j DROP"
        in (rules)
    )
    reset = _one_rule(tmp_path, 'action = "ip-reset"\ndomains = ["a.example"]\nprobability = 0.5\n')
    assert "--probability 0.5 -j REJECT --reject-with tcp-reset" in censor.iptables(
        reset, where, {}
    )
