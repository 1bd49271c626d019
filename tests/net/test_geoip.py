from __future__ import annotations

import pytest
from loopback import dns_server
from loopback.dns_server import Zone

from probe.net.geoip import Endpoints, locate

PUBLIC = "198.51.100.23"


def geo_zone() -> Zone:
    return Zone(
        {
            "ns.test": ["127.0.0.1"],
            "myaddr.test": {"TXT": [f'"{PUBLIC}"']},
            "23.100.51.198.origin.test": {
                "TXT": ['"64500 | 198.51.100.0/24 | kz | ripencc | 2001-01-01"']
            },
            "as64500.name.test": {"TXT": ['"64500 | KZ | ripencc | 2001-01-01 | EXAMPLE-AS, KZ"']},
        }
    )


@pytest.fixture
async def geo_resolver(servers: list[object]) -> str:
    transport, address = await dns_server.serve(geo_zone())
    servers.append(transport)
    return address


async def test_locate_learns_asn_country_and_name(geo_resolver: str) -> None:
    port = geo_resolver.rsplit(":", 1)[1]
    endpoints = Endpoints(f"myaddr.test@ns.test:{port}", "origin.test", "name.test")
    location = await locate(endpoints, geo_resolver, timeout=1.0)
    assert (location.ip, location.asn, location.cc) == (PUBLIC, "AS64500", "KZ")
    assert location.network_name == "EXAMPLE-AS"
    assert location.failure is None


async def test_locate_failure_falls_back_to_unknown(geo_resolver: str) -> None:
    endpoints = Endpoints(f"missing.test@{geo_resolver}", "origin.test", "name.test")
    location = await locate(endpoints, geo_resolver, timeout=0.5)
    assert (location.ip, location.asn, location.cc, location.network_name) == (
        None,
        "AS0",
        "ZZ",
        "",
    )
    assert location.failure
