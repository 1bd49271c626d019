"""The injector's forgery, checked on packets built in memory."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("netfilterqueue", reason="needs the lab extra (netfilterqueue)")
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, UDP

from probe.lab.injector import forge

ANSWERS = {"www.azattyq.org": "203.0.113.1"}


def _query(name: str, qtype: str = "A") -> Any:
    return (
        IP(src="192.0.2.2", dst="198.51.100.53")
        / UDP(sport=40000, dport=53)
        / DNS(id=4242, rd=1, qd=DNSQR(qname=name, qtype=qtype))
    )


def test_forged_answer_mirrors_the_query() -> None:
    packet = forge(_query("WWW.Azattyq.org."), ANSWERS)
    assert packet is not None
    forged = IP(bytes(packet))
    assert (forged[IP].src, forged[IP].dst) == ("198.51.100.53", "192.0.2.2")
    assert (forged[UDP].sport, forged[UDP].dport) == (53, 40000)
    assert forged[DNS].id == 4242 and forged[DNS].qr == 1
    assert forged[DNS].an[0].rdata == "203.0.113.1"


@pytest.mark.parametrize(
    "query", [_query("azattyq.org"), _query("www.azattyq.org", "AAAA")], ids=["other", "aaaa"]
)
def test_other_names_and_types_are_left_alone(query: Any) -> None:
    assert forge(query, ANSWERS) is None


def test_responses_are_never_answered() -> None:
    response = _query("www.azattyq.org")
    response[DNS].qr = 1
    assert forge(response, ANSWERS) is None
