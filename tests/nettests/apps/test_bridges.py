"""Bridge lines as Tor Browser takes them, and what must be scrubbed for each."""

from __future__ import annotations

import pytest

from probe.nettests import tor
from probe.nettests.messaging.endpoints import DataFileError

FP = "9695DFC35FFEB861329B9F1AB04C46397020CE31"
CERT = "ssH+9rP8dG2NLDN2XuFw63hIO/9MNNinLmxQDpVa+7kTOa9/m+tGWT1SmSYpQ9uTBGa6Hw"


def test_vanilla_obfs4_ipv6_and_comments() -> None:
    text = (
        "# my bridges\n\n"
        f"Bridge 192.0.2.7:9001 {FP}\n"
        f"obfs4 198.51.100.4:443 {FP} cert={CERT} iat-mode=0\n"
        "[2001:db8::1]:443\n"
        "snowflake 192.0.2.3:80\n"
    )
    bridges = tor.parse_bridges(text)
    assert [(b.transport, b.ip, b.port, b.protocol) for b in bridges] == [
        ("vanilla", "192.0.2.7", 9001, "or_port"),
        ("obfs4", "198.51.100.4", 443, "obfs4"),
        ("vanilla", "2001:db8::1", 443, "or_port"),
        ("snowflake", "192.0.2.3", 80, "x_snowflake"),  # not a ts-023 protocol
    ]
    assert bridges[0].fingerprint == FP and bridges[2].fingerprint == ""
    assert bridges[1].params == (f"cert={CERT}", "iat-mode=0")


def test_secrets_cover_address_fingerprint_and_cert_only() -> None:
    bridges = tor.parse_bridges(
        f"obfs4 198.51.100.4:443 {FP} cert={CERT} iat-mode=0\n[2001:db8::1]:443\n"
    )
    secrets = tor.bridge_secrets(bridges)
    for needle in ("198.51.100.4", "198.51.100.4:443", FP, FP.lower(), CERT):
        assert needle in secrets
    assert "2001:0db8:0000:0000:0000:0000:0000:0001" in secrets  # every IPv6 spelling
    assert "0" not in secrets  # iat-mode=0 identifies nothing
    assert secrets == sorted(secrets, key=len, reverse=True)  # longest replaced first


@pytest.mark.parametrize("line", ["obfs4 bridge.example:443", "192.0.2.7", "192.0.2.7:99999"])
def test_bad_line_error_does_not_quote_it(line: str) -> None:
    with pytest.raises(DataFileError) as caught:
        tor.parse_bridges(f"\n{line}\n", "bridges.txt")
    assert str(caught.value) == "bridges.txt: line 2: not a bridge line (IP:PORT expected)"
