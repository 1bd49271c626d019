"""Each spelling of an address is scrubbed, wherever it sits, and nothing else is."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from report.spelled import IPV4, IPV4_WITH_HEX_LETTERS, IPV6, every_spelling

from probe.net.own_addresses import own_candidate
from probe.report.scrub import SCRUBBED, Scrubber

CONTEXTS = ["{}", "<p>Your IP: {}</p>", 'x="{}";', "Location: http://{}/next", "a {} b"]
own_v4 = st.ip_addresses(v=4).filter(lambda ip: own_candidate(str(ip)) is not None)
own_v6 = st.ip_addresses(v=6).filter(
    lambda ip: own_candidate(str(ip)) is not None and ip.ipv4_mapped is None
)


EXAMPLES = settings(deadline=None, max_examples=50)  # the first example compiles the patterns


TABLES: dict[str, dict[str, Any]] = {
    "ipv4": IPV4,
    "ipv4 hex with a letter": IPV4_WITH_HEX_LETTERS,
    "ipv6": IPV6,
}


@pytest.mark.parametrize(
    ("table", "name"), [(table, name) for table, names in TABLES.items() for name in sorted(names)]
)
@EXAMPLES
@given(data=st.data(), context=st.sampled_from(CONTEXTS))
def test_every_spelling_is_scrubbed(
    table: str, name: str, data: st.DataObject, context: str
) -> None:
    ip = data.draw(own_v6 if table == "ipv6" else own_v4)
    spelled = TABLES[table][name](ip)
    # Without 0x, hex made only of digits is a decimal number; a blob needs 7 address bytes.
    assume(table != "ipv4 hex with a letter" or spelled.strip("0123456789."))
    assume(name != "base64 inside a blob" or len(str(ip)) >= 7)
    scrubbed = Scrubber([str(ip)]).text(context.format(spelled))
    assert SCRUBBED in scrubbed
    assert spelled not in scrubbed


@EXAMPLES
@given(ip=st.ip_addresses(v=6), data=st.data())
def test_any_zero_padding_case_and_compression_of_ipv6_is_scrubbed(
    ip: ipaddress.IPv6Address, data: st.DataObject
) -> None:
    assume(own_candidate(str(ip)) is not None and ip.ipv4_mapped is None)
    groups = [int(g, 16) for g in ip.exploded.split(":")]
    parts = []
    for g in groups:
        width = data.draw(st.integers(len(f"{g:x}"), 4))
        text = f"{g:0{width}x}"
        parts.append(text.upper() if data.draw(st.booleans()) else text)
    zero_runs = [
        (i, j) for i in range(8) for j in range(i + 1, 9) if all(g == 0 for g in groups[i:j])
    ]
    if zero_runs and data.draw(st.booleans()):
        i, j = data.draw(st.sampled_from(zero_runs))
        spelled = ":".join(parts[:i]) + "::" + ":".join(parts[j:])
    else:
        spelled = ":".join(parts)
    assert ipaddress.ip_address(spelled) == ip  # a valid spelling of the same address
    assert Scrubber([str(ip)]).text(f"[{spelled}]") == f"[{SCRUBBED}]"


@EXAMPLES
@given(secret=own_v4, other=st.ip_addresses(v=4))
def test_other_ipv4_addresses_are_kept(
    secret: ipaddress.IPv4Address, other: ipaddress.IPv4Address
) -> None:
    assume(secret != other)
    text = f"answer {other} from {other.reverse_pointer}"
    assert Scrubber([str(secret)]).text(text) == text


@EXAMPLES
@given(secret=own_v6, other=st.ip_addresses(v=6))
def test_other_ipv6_addresses_are_kept(
    secret: ipaddress.IPv6Address, other: ipaddress.IPv6Address
) -> None:
    # A longer address that starts with the secret's groups ("…::5:1") is scrubbed on purpose.
    assume(secret != other and not str(other).startswith(str(secret) + ":"))
    text = f"answer [{other}] {other.exploded}"
    assert Scrubber([str(secret)]).text(text) == text


@pytest.mark.parametrize(
    ("secret", "neighbour"),
    [
        ("192.0.2.5", "192.0.2.55"),
        ("192.0.2.5", "192.0.2.50"),
        ("192.0.2.5", "1192.0.2.5"),
        ("192.0.2.5", "5.2.0.192"),
        ("192.0.2.5", "192.0.2.5.1"[2:]),
        ("192.0.2.5", "c00002051"),
        ("2001:db8::5", "2001:db8::55"),
        ("2001:db8::5", "12001:db8::5"),
        ("2001:db8::5", "2001:db8::5a"),
    ],
)
def test_word_boundaries_keep_neighbouring_addresses(secret: str, neighbour: str) -> None:
    assert Scrubber([secret]).text(f"<{neighbour}>") == f"<{neighbour}>"


@pytest.mark.parametrize("ip", ["198.51.100.23", "2001:db8::17"])
def test_binary_bodies_lose_every_spelling_and_the_raw_bytes(ip: str) -> None:
    scrubber = Scrubber([ip])
    for spelled in every_spelling(ip):
        assert spelled.encode() not in scrubber.data(b"\x00\xff" + spelled.encode() + b"\x01")
    packed = ipaddress.ip_address(ip).packed  # as a binary protocol (protobuf, STUN) carries it
    assert scrubber.data(b"\x00\xff" + packed + b"\x01") == b"\x00\xff[scrubbed]\x01"
    assert scrubber.text("\u00c0\u0000") == "\u00c0\u0000"  # text is never searched for bytes


def test_an_ipv4_mapped_secret_is_its_ipv4_address() -> None:
    assert Scrubber(["::ffff:192.0.2.5"]).addresses == {"192.0.2.5"}
