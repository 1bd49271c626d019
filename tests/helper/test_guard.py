"""The SSRF guard and the failure vocabulary: pure functions, no traffic."""

from __future__ import annotations

import pytest

from probe.helper.config import HelperConfig
from probe.helper.failures import CONNECTION_REFUSED, dns_failure, http_failure, tcp_failure
from probe.helper.guard import allowed
from probe.net import errors

PUBLIC = HelperConfig()
PRIVATE = HelperConfig(allow_private=True)


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1", "127.8.9.10", "::1",  # loopback
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "fd00::1",  # private
        "169.254.169.254", "fe80::1",  # link-local (cloud metadata)
        "224.0.0.1", "ff02::1",  # multicast
        "240.0.0.1", "0.0.0.0", "::", "255.255.255.255",  # reserved, unspecified, broadcast
        "100.64.0.1",  # carrier-grade NAT
        "192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1",  # documentation
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:8.8.8.8",  # IPv4-mapped
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::7f00:1",  # NAT64 of bogons
        "2002:7f00:1::1", "::7f00:1", "fec0::1",  # 6to4, IPv4-compatible, site-local
        "2001:0:7f00:1::f7f7:fbfb", "5f00::1", "3fff::1", "100::1", "4000::1",
        # translated to IPv4 by someone else's gateway, even when the IPv4 address is global
        "64:ff9b::808:808", "2002:808:808::1", "2001:0:808:808::f7f7:fbfb",
    ],
)  # fmt: skip
def test_non_global_addresses_are_refused_unless_allowed(ip: str) -> None:
    assert not allowed(ip, PUBLIC)
    assert allowed(ip, PRIVATE)


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "1.1.1.1", "2a00:1450:4001::1", "95.59.1.1", "192.0.0.9", "2001:1::1"]
)
def test_global_unicast_is_allowed(ip: str) -> None:
    assert allowed(ip, PUBLIC)


def test_an_exemption_lets_only_its_own_addresses_through() -> None:
    lab = HelperConfig(bogon_exempt=("127.0.0.1/32", "192.0.2.0/24"))
    assert allowed("127.0.0.1", lab) and allowed("192.0.2.7", lab)
    assert not allowed("127.0.0.2", lab)
    for carried in ("64:ff9b::7f00:1", "::ffff:127.0.0.1", "2002:7f00:1::1", "::7f00:1"):
        assert not allowed(carried, lab), carried


@pytest.mark.parametrize(
    ("failure", "dns", "tcp", "http"),
    [
        (None, None, None, None),
        (errors.DNS_NXDOMAIN, "dns_name_error", "connect_error", "unknown_error"),
        (errors.DNS_NO_ANSWER, None, "connect_error", "unknown_error"),
        (errors.DNS_SERVFAIL, "dns_server_failure", "connect_error", "unknown_error"),
        (errors.DNS_TEMPORARY_FAILURE, "dns_server_failure", "connect_error", "unknown_error"),
        (errors.GENERIC_TIMEOUT, "unknown_error", "generic_timeout_error", "generic_timeout_error"),
        (errors.CONNECTION_REFUSED, "unknown_error", CONNECTION_REFUSED, CONNECTION_REFUSED),
        (errors.CONNECTION_RESET, "unknown_error", "connect_error", "unknown_error"),
        ("dns_lookup_error", "unknown_error", "connect_error", "dns_lookup_error"),
    ],
)  # fmt: skip
def test_failures_map_to_oohelperd_strings(
    failure: str | None, dns: str | None, tcp: str | None, http: str | None
) -> None:
    assert (dns_failure(failure), tcp_failure(failure), http_failure(failure)) == (dns, tcp, http)
