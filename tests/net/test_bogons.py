"""The special-purpose address table against the IANA registries, entry by entry.

The registries are transcribed here independently of ``probe.net.bogons`` (address block,
globally reachable, an address inside it), so a dropped, added or mistyped entry fails.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from probe.net.bogons import (
    SPECIAL_RANGES,
    is_bogon,
    is_exempt,
    special_range,
    translates,
    uncontactable,
)

# IANA IPv4 Special-Purpose Address Registry: block, Globally Reachable (None = N/A), a member.
IPV4_REGISTRY = [
    ("0.0.0.0/8", False, "0.1.2.3"),
    ("0.0.0.0/32", False, "0.0.0.0"),
    ("10.0.0.0/8", False, "10.20.30.40"),
    ("100.64.0.0/10", False, "100.127.255.254"),
    ("127.0.0.0/8", False, "127.8.9.10"),
    ("169.254.0.0/16", False, "169.254.169.254"),
    ("172.16.0.0/12", False, "172.31.0.1"),
    ("192.0.0.0/24", False, "192.0.0.200"),
    ("192.0.0.0/29", False, "192.0.0.1"),
    ("192.0.0.8/32", False, "192.0.0.8"),
    ("192.0.0.9/32", True, "192.0.0.9"),
    ("192.0.0.10/32", True, "192.0.0.10"),
    ("192.0.0.170/32", False, "192.0.0.170"),
    ("192.0.0.171/32", False, "192.0.0.171"),
    ("192.0.2.0/24", False, "192.0.2.1"),
    ("192.31.196.0/24", True, "192.31.196.1"),
    ("192.52.193.0/24", True, "192.52.193.1"),
    ("192.88.99.0/24", None, "192.88.99.1"),
    ("192.88.99.2/32", False, "192.88.99.2"),
    ("192.168.0.0/16", False, "192.168.1.1"),
    ("192.175.48.0/24", True, "192.175.48.1"),
    ("198.18.0.0/15", False, "198.19.255.1"),
    ("198.51.100.0/24", False, "198.51.100.1"),
    ("203.0.113.0/24", False, "203.0.113.1"),
    ("240.0.0.0/4", False, "250.1.2.3"),
    ("255.255.255.255/32", False, "255.255.255.255"),
]

# IANA IPv6 Special-Purpose Address Registry. Members of the IPv4-carrying blocks carry a
# global IPv4 address (8.8.8.8 = 0808:0808) so the block's own row decides.
IPV6_REGISTRY = [
    ("::1/128", False, "::1"),
    ("::/128", False, "::"),
    ("::ffff:0:0/96", False, "::ffff:8.8.8.8"),
    ("64:ff9b::/96", True, "64:ff9b::808:808"),
    ("64:ff9b:1::/48", False, "64:ff9b:1::808:808"),
    ("100::/64", False, "100::1"),
    ("100:0:0:1::/64", False, "100:0:0:1::1"),
    ("2001::/23", False, "2001:100::1"),
    ("2001::/32", None, "2001:0:808:808::f7f7:fbfb"),  # Teredo: server 8.8.8.8, client 8.8.4.4
    ("2001:1::1/128", True, "2001:1::1"),
    ("2001:1::2/128", True, "2001:1::2"),
    ("2001:1::3/128", True, "2001:1::3"),
    ("2001:2::/48", False, "2001:2::1"),
    ("2001:3::/32", True, "2001:3::1"),
    ("2001:4:112::/48", True, "2001:4:112::1"),
    ("2001:10::/28", None, "2001:10::1"),
    ("2001:20::/28", True, "2001:20::1"),
    ("2001:30::/28", True, "2001:30::1"),
    ("2001:db8::/32", False, "2001:db8::1"),
    ("2002::/16", None, "2002:808:808::1"),  # 6to4 of 8.8.8.8
    ("2620:4f:8000::/48", True, "2620:4f:8000::1"),
    ("3fff::/20", False, "3fff:fff::1"),
    ("5f00::/16", False, "5f00::1"),
    ("fc00::/7", False, "fd12:3456::1"),
    ("fe80::/10", False, "fe80::1"),
]

# Not in those registries, and never a valid unicast destination.
OTHER = [
    ("224.0.0.0/4", "239.1.2.3"),
    ("::/96", "::808:808"),  # IPv4-compatible, deprecated
    ("fec0::/10", "fec0::1"),  # site-local, deprecated
    ("ff00::/8", "ff02::1"),
]

# A registry's N/A: decided by the IPv4 address inside (6to4, Teredo), else refused.
NOT_APPLICABLE_IS_BOGON = {
    "192.88.99.0/24": True,
    "2001::/32": False,
    "2001:10::/28": True,
    "2002::/16": False,
}

TRANSLATED = {"64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "2002::/16"}

REGISTRY = IPV4_REGISTRY + IPV6_REGISTRY


def test_the_table_holds_exactly_the_registries_and_the_listed_others() -> None:
    table = {str(r.network): r.globally_reachable for r in SPECIAL_RANGES}
    expected = {cidr: reachable for cidr, reachable, _ in REGISTRY}
    expected |= {cidr: False for cidr, _ in OTHER}
    assert table == expected
    assert all(r.rfc.startswith("RFC ") for r in SPECIAL_RANGES)


@pytest.mark.parametrize(("cidr", "reachable", "member"), REGISTRY)
def test_every_registry_entry(cidr: str, reachable: bool | None, member: str) -> None:
    entry = special_range(ipaddress.ip_address(member))
    assert entry is not None and str(entry.network) == cidr  # the most specific block applies
    bogon = NOT_APPLICABLE_IS_BOGON[cidr] if reachable is None else not reachable
    assert is_bogon(member) is bogon
    assert translates(member) is (cidr in TRANSLATED)


@pytest.mark.parametrize(("cidr", "member"), OTHER)
def test_ranges_outside_the_registries_are_bogons(cidr: str, member: str) -> None:
    entry = special_range(ipaddress.ip_address(member))
    assert entry is not None and str(entry.network) == cidr
    assert is_bogon(member)


@pytest.mark.parametrize(
    ("address", "bogon"),
    [
        ("64:ff9b::7f00:1", True),  # NAT64 of loopback: the reported SSRF
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 of the cloud metadata address
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b::c000:0201", True),  # NAT64 of TEST-NET-1
        ("64:ff9b::808:808", False),  # what DNS64 answers for a real site: a valid answer
        ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 of 169.254.169.254
        ("2002:808:808::1", False),
        ("2001:0:7f00:1::f7f7:fbfb", True),  # Teredo server 127.0.0.1
        ("2001:0:808:808::80ff:fffe", True),  # Teredo client 127.0.0.1 (obfuscated)
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # RFC 4380's example: client 192.0.2.45
        ("::ffff:127.0.0.1", True),
        ("::ffff:8.8.8.8", True),  # IPv4-mapped never appears on the wire
        ("::127.0.0.1", True),
        ("::8.8.8.8", True),
        ("4000::1", True),  # outside 2000::/3: not allocated for unicast
        ("fe80::1%eth0", True),  # a scope does not change the range
        ("8.8.8.8", False),
        ("95.59.1.1", False),
        ("2a00:1450:4001::1", False),
        ("not an address", False),
    ],
)
def test_ipv4_inside_ipv6_decides(address: str, bogon: bool) -> None:
    assert is_bogon(address) is bogon


def test_exemptions_reach_embedded_ipv4_only_for_the_bogon_flag() -> None:
    lab = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
    assert not is_bogon("192.0.2.10", lab)
    assert not is_bogon("2002:c000:20a::1", lab)  # 6to4 of 192.0.2.10
    assert is_bogon("::ffff:192.0.2.10", lab)  # mapped is never valid, whatever it carries
    assert is_bogon("10.0.0.1", lab)
    assert is_exempt("192.0.2.10", lab)
    assert not is_exempt("2002:c000:20a::1", lab)
    assert not is_exempt("garbage", lab)


def test_the_helper_docs_list_every_entry() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "helper.md").read_text(encoding="utf-8")
    for entry in SPECIAL_RANGES:
        assert f"| `{entry.network}` | {entry.name} | {entry.rfc} |" in docs, entry.network


def test_an_exemption_lets_the_probe_contact_its_own_addresses_only() -> None:
    loopback = ("127.0.0.0/8",)
    assert not uncontactable("127.0.0.1", loopback)
    for carried in ("64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:127.0.0.1", "::7f00:1"):
        assert not is_bogon(carried, loopback) or carried.startswith("::")  # the flag: exempt
        assert uncontactable(carried, loopback), carried  # contacting: never
    assert not uncontactable("64:ff9b::7f00:1", ("64:ff9b::/96",))
    assert uncontactable("fe80::1") and not uncontactable("2a00:1450::1")
    assert not uncontactable("not an address")
