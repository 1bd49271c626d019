from __future__ import annotations

import base64

import pytest
from interception.certforge import cn, issue, make_ca

from probe.interception import chain_from_peer_certificates, match_chain


def test_peer_certificates_round_trip_in_order() -> None:
    ca = make_ca(cn("Qaznet Trust Network"))
    chain = [issue(ca, "instagram.com").der, ca.der]
    entries = [{"data": base64.b64encode(der).decode(), "format": "base64"} for der in chain]
    assert chain_from_peer_certificates(entries) == chain


def test_measurement_chain_feeds_the_matcher() -> None:
    ca = make_ca(cn("Unrelated"))
    entries = [{"data": base64.b64encode(issue(ca, "a.test").der).decode(), "format": "base64"}]
    assert match_chain(chain_from_peer_certificates(entries)) is None


@pytest.mark.parametrize(
    "entry",
    [
        {"data": "AAAA", "format": "hex"},
        {"data": None, "format": "base64"},
        {"data": "not base64!", "format": "base64"},
    ],
    ids=["format", "missing", "alphabet"],
)
def test_damaged_entry_is_reported_with_its_position(entry: dict[str, object]) -> None:
    good = {"data": "AAAA", "format": "base64"}
    with pytest.raises(ValueError, match=r"peer_certificates\[1\]"):
        chain_from_peer_certificates([good, entry])


def test_empty_list_is_an_empty_chain() -> None:
    assert chain_from_peer_certificates([]) == []
