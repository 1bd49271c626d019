"""The censor's string matches are checked against real wire bytes, without any network."""

from __future__ import annotations

import contextlib
import re
import ssl
from pathlib import Path

import dns.message

from probe.lab import censor, plan, scenario, sites


def _hex_to_bytes(pattern: str) -> bytes:
    """Decode an iptables --hex-string (``|hex|`` runs between literal text)."""
    parts = re.split(r"\|([0-9a-f]*)\|", pattern)
    return b"".join(bytes.fromhex(part) if i % 2 else part.encode() for i, part in enumerate(parts))


def _client_hello(sni: str) -> bytes:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname=sni)
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for the server's reply
        tls.do_handshake()
    return outgoing.read()


def test_sni_pattern_matches_exactly_that_name_in_a_real_client_hello() -> None:
    pattern = _hex_to_bytes(censor.sni_pattern("tumblr.com"))
    assert pattern in _client_hello("tumblr.com")
    for other in ("www.tumblr.com", "nottumblr.com", "tumblr.com.kz"):
        assert pattern not in _client_hello(other)


def test_client_hello_pattern_opens_every_client_hello_and_no_request() -> None:
    pattern = _hex_to_bytes(censor.CLIENT_HELLO)
    for sni in ("tumblr.com", "xn--d1acpjx3f.xn--p1ai", "a.example"):
        assert _client_hello(sni).startswith(pattern)
    assert pattern not in b"GET / HTTP/1.1\r\nHost: kub.kz\r\nAccept: */*\r\n\r\n"


def test_ip6tables_twins_the_filter_rules_with_ipv6_addresses(tmp_path: Path) -> None:
    loaded = _scenario(tmp_path, """
name = "x"
[[site]]
domain = "d.kz"
ipv6 = true
[[rule]]
action = "ip-drop"
domains = ["d.kz"]
addresses = ["198.51.100.7", "2001:db8:113::99"]
[[rule]]
action = "tls-reset"
domains = ["v4only.kz"]
[[rule]]
action = "sni-reset"
domains = ["s.kz"]
[[rule]]
action = "shutdown"
""")  # fmt: skip
    v4 = censor.iptables(loaded, {"d.kz": "203.0.113.10", "v4only.kz": "203.0.113.11"}, {})
    v6 = censor.ip6tables(loaded, {"d.kz": "2001:db8:113::10"})
    assert "-p tcp -d 203.0.113.10 -j DROP" in v4 and "-d 198.51.100.7 -j DROP" in v4
    assert "2001:db8" not in v4
    assert "-p tcp -d 2001:db8:113::10 -j DROP" in v6 and "-d 2001:db8:113::99 -j DROP" in v6
    assert "198.51.100.7" not in v6 and "203.0.113" not in v6
    assert "-d 203.0.113.11 -m string" in v4 and censor.CLIENT_HELLO not in v6
    assert censor.sni_pattern("s.kz") in v6 and "-A FORWARD -j DROP" in v6
    # Two tables: the filter rules, and sni-throttle's marks (none in this scenario).
    assert v6.count("COMMIT") == 2 and v6.endswith("*mangle\nCOMMIT\n")


def test_host_pattern_matches_only_that_host_header() -> None:
    pattern = _hex_to_bytes(censor.host_pattern("kub.kz"))
    assert pattern in b"GET / HTTP/1.1\r\nHost: kub.kz\r\nAccept: */*\r\n\r\n"
    assert pattern not in b"GET / HTTP/1.1\r\nHost: www.kub.kz\r\n\r\n"
    assert pattern not in b"GET / HTTP/1.1\r\nHost: kub.kz.evil\r\n\r\n"


def test_qname_pattern_matches_only_that_name_in_a_real_query() -> None:
    pattern = _hex_to_bytes(censor.qname_pattern("azattyq.org"))
    assert pattern in dns.message.make_query("azattyq.org", "A").to_wire()
    assert pattern not in dns.message.make_query("azattyq.org.kz", "A").to_wire()
    # Suffix matches are possible on the wire; the injector checks the whole name itself.
    assert pattern in dns.message.make_query("www.azattyq.org", "A").to_wire()


def _scenario(tmp_path: Path, text: str) -> scenario.Scenario:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return scenario.load(path)


def test_served_sites_cover_rules_expects_and_redirects_but_not_down_sites(
    tmp_path: Path,
) -> None:
    loaded = _scenario(tmp_path, """
name = "x"
[[site]]
domain = "a.kz"
redirect = "https://www.a.kz/"
[[site]]
domain = "gone.kz"
down = true
[[rule]]
action = "ip-drop"
domains = ["b.kz", "gone.kz"]
[[expect]]
url = "http://c.kz/"
verdict = "ok"
""")  # fmt: skip
    served = sites.served(loaded, ["d.kz", "a.kz"])
    assert sorted(served) == ["a.kz", "b.kz", "c.kz", "d.kz", "www.a.kz"]
    assert served["a.kz"].redirect == "https://www.a.kz/"
    addresses = sites.addresses(loaded, served)
    assert addresses["b.kz"] == plan.WEB_POOL[0]  # address rules get their own address
    assert list(addresses.values()).count(addresses["b.kz"]) == 1


def test_thousands_of_domains_share_the_pool_deterministically() -> None:
    domains = [f"site{i}.kz" for i in range(3000)]
    first = plan.allocate(domains, ["site7.kz"])
    assert first == plan.allocate(list(reversed(domains)), ["site7.kz"])
    assert set(first.values()) <= set(plan.WEB_POOL)
    assert list(first.values()).count(first["site7.kz"]) == 1
    assert len(set(first.values())) == len(plan.WEB_POOL)


def test_iptables_ruleset_has_a_rule_for_each_kind_of_action(tmp_path: Path) -> None:
    loaded = _scenario(tmp_path, """
name = "x"
latency = "50ms"
[[rule]]
action = "ip-reset"
addresses = ["198.51.100.7"]
[[rule]]
action = "sni-drop"
domains = ["s.kz"]
[[rule]]
action = "host-reset"
domains = ["h.kz"]
[[rule]]
action = "dns-inject"
domains = ["i.kz"]
[[rule]]
action = "tls-mitm"
domains = ["m.kz"]
""")  # fmt: skip
    rules = censor.iptables(loaded, {"m.kz": "203.0.113.20"}, {"203.0.113.21": 8100})
    assert "-A FORWARD -i eth0 -p tcp -d 198.51.100.7 -j REJECT --reject-with tcp-reset" in rules
    assert censor.sni_pattern("s.kz") in rules and censor.host_pattern("h.kz") in rules
    assert f"--queue-num {censor.INJECT_QUEUE}" in rules
    assert f"--queue-num {censor.DELAY_QUEUE}" in rules
    assert f"-d 203.0.113.20 --dport 443 -j REDIRECT --to-ports {plan.MITM_PORT}" in rules
    assert "-d 203.0.113.21 --dport 80 -j REDIRECT --to-ports 8100" in rules
    assert rules.count("COMMIT") == 3
