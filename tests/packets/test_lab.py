"""The packet tests against the lab's censor (root): injection, the censor's hop, forged RSTs.

The true answers come from the lab's topology, not from the code under test: the censor is the
``censor`` namespace, ``plan.ROLES.index("censor")`` hops from the client, and routers answer
traceroute from their client-side address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from lab.labkit import lab_fixture, needs_root

from packets.kit import packet_settings
from probe.analysis.packets import dns_injection, judge_resets, locate
from probe.lab import netns, plan
from probe.lab.lab import Lab
from probe.net import errors, tcp, tls
from probe.net.raw.exchange import Timing
from probe.net.raw.triggers import trigger
from probe.net.rst_forensics import inspect_endpoint
from probe.nettests import censor_locate
from probe.nettests import dns_injection as dns_nettest
from probe.nettests.session import Session
from probe.settings import Settings, Timeouts

pytestmark = [pytest.mark.lab, needs_root]
CONTROL = "www.example.org"
INJECTED = "www.azattyq.org"
CENSOR_HOP = plan.ROLES.index("censor")
CENSOR_ROUTER = plan.CENSOR_HOP_SIDE
NO_DNS_ADDRESS = plan.NO_DNS_ADDRESS
"""The internet namespace's own address: past the censor, and no resolver listens there."""
TIMING = Timing(connect=2.0, wait=1.0, grace=0.2)
T = TypeVar("T")

dns_inject = lab_fixture("dns-inject")
clean = lab_fixture("clean")
sni_reset = lab_fixture("sni-reset")
host_reset = lab_fixture("host-reset")
sni_drop = lab_fixture("sni-drop")
host_drop = lab_fixture("host-drop")


def _settings() -> Settings:
    return packet_settings(
        resolver=plan.ISP_RESOLVER,
        no_dns_address=NO_DNS_ADDRESS,
        neutral_host=CONTROL,
        timeouts=Timeouts(dns=1.0, tcp=1.0),
    )


def _in_client(lab: Lab, work: Callable[[], T]) -> T:
    """Run ``work`` with this thread in the lab's client namespace (sockets, threads and all)."""
    with netns.inside(lab.ns("client")):
        return work()


def _measure(lab: Lab, measure: Callable[[str, Session], Coroutine[Any, Any, T]], url: str) -> T:
    return _in_client(lab, lambda: asyncio.run(measure(url, Session(_settings()))))


def _responses(keys: dict[str, Any], resolver: str) -> list[list[str]]:
    entry = next(e for e in keys["x_dns_duplicate_responses"] if e["resolver_address"] == resolver)
    return [[a["ipv4"] for a in r["answers"]] for r in entry["responses"]]


def test_dns_injection_is_detected_with_both_answers(dns_inject: Lab) -> None:
    keys = _measure(dns_inject, dns_nettest.measure, f"https://{INJECTED}/")
    real = dns_inject.addresses[INJECTED]
    assert keys["injected"] is True
    assert _responses(keys, f"{NO_DNS_ADDRESS}:53") == [["203.0.113.1"]]
    assert _responses(keys, f"{plan.ISP_RESOLVER}:53") == [["203.0.113.1"], [real]]
    evidence = dns_injection(keys)
    assert evidence is not None and NO_DNS_ADDRESS in evidence


def test_dns_injection_spares_other_names(dns_inject: Lab) -> None:
    keys = _measure(dns_inject, dns_nettest.measure, f"https://{CONTROL}/")
    assert keys["injected"] is False
    assert _responses(keys, f"{plan.ISP_RESOLVER}:53") == [[dns_inject.addresses[CONTROL]]]
    assert dns_injection(keys) is None


def test_clean_network_shows_no_injection(clean: Lab) -> None:
    keys = _measure(clean, dns_nettest.measure, f"https://{CONTROL}/")
    assert keys["injected"] is False
    assert _responses(keys, f"{NO_DNS_ADDRESS}:53") == []
    assert _responses(keys, f"{plan.ISP_RESOLVER}:53") == [[clean.addresses[CONTROL]]]
    assert dns_injection(keys) is None


@pytest.mark.parametrize(
    ("scenario", "url"),
    [("sni_reset", "https://www.tumblr.com/"), ("host_reset", "http://www.kub.kz/")],
)
def test_censor_locate_names_the_censors_hop_and_router(
    scenario: str, url: str, request: pytest.FixtureRequest
) -> None:
    lab: Lab = request.getfixturevalue(scenario)
    keys = _measure(lab, censor_locate.measure, url)
    assert keys["x_failure"] is None
    found = locate(keys["x_test_trace"], keys["x_control_trace"])
    assert (found.censor_hop, found.censor_router) == (CENSOR_HOP, CENSOR_ROUTER)
    # The censor filters after decrementing the TTL, so the traces part one hop later, where
    # the control reaches the server: no router answers there.
    assert found.divergence_ttl == CENSOR_HOP + 1 and found.divergence_router is None
    assert found.placement == "in-path" and found.test_answer == ["rst"]
    routers = [e["router"] for h in keys["x_control_trace"] for e in h["time_exceeded"]]
    assert routers[0] == plan.HOP_CLIENT_SIDE and CENSOR_ROUTER in routers


@pytest.mark.parametrize(
    ("scenario", "url"),
    [("sni_drop", "https://soundcloud.com/"), ("host_drop", "http://www.geo.kz/")],
)
def test_censor_locate_places_a_silent_censor_at_the_last_common_router(
    scenario: str, url: str, request: pytest.FixtureRequest
) -> None:
    """The censor drops the trigger after decrementing its TTL, and the web host is the next
    hop: the trigger's trace goes silent where the control's gets the page, one hop past the
    censor's router, which both traces saw."""
    lab: Lab = request.getfixturevalue(scenario)
    keys = _measure(lab, censor_locate.measure, url)
    assert keys["x_failure"] is None
    found = locate(keys["x_test_trace"], keys["x_control_trace"])
    assert (found.censor_hop, found.censor_router) == (CENSOR_HOP, CENSOR_ROUTER)
    assert found.divergence_ttl == CENSOR_HOP + 1 and found.divergence_router is None
    assert found.test_answer == ["none"] and found.located_by == "last_common_router"
    assert found.may_be_server and found.residual is None
    assert "cannot tell it from a filter on the server itself" in found.detail


def _client_sockets(lab: Lab, address: str) -> list[str]:
    """The client's TCP sockets to ``address`` that are not merely waiting out TIME-WAIT."""
    lines = netns.sh(["ss", "-Htan", "dst", address], ns=lab.ns("client")).splitlines()
    return [line for line in lines if line.strip() and not line.startswith("TIME-WAIT")]


def test_a_dropped_handshake_leaves_nothing_retransmitting(sni_drop: Lab) -> None:
    """The censor swallows the ClientHello; once the handshake timed out, the kernel holds no
    socket that would go on sending it."""
    address = sni_drop.addresses["soundcloud.com"]

    async def handshake() -> str | None:
        loop = asyncio.get_running_loop()
        _, sock = await tcp.connect(address, 443, 1.0, loop.time())
        assert sock is not None
        context = tls.client_context(None)
        record, _ = await tls.handshake(sock, address, "soundcloud.com", context, 0.5, loop.time())
        return record.failure

    assert _in_client(sni_drop, lambda: asyncio.run(handshake())) == errors.GENERIC_TIMEOUT
    assert _client_sockets(sni_drop, address) == []


def test_censor_locate_finds_nothing_for_an_unblocked_name(sni_reset: Lab) -> None:
    """A name that merely contains the blocked one passes the censor: the traces agree."""
    address = sni_reset.addresses["www.tumblr.com"]
    options = censor_locate.TraceOptions(max_ttl=8, pace=0.05, wait=1.0, grace=0.2)
    keys = _in_client(
        sni_reset,
        lambda: asyncio.run(
            censor_locate.locate_endpoint(
                address, 443, "tumblr.com", "https", Session(_settings()), options
            )
        ),
    )
    assert len(keys["x_test_trace"]) == len(keys["x_control_trace"]) == CENSOR_HOP + 1
    assert locate(keys["x_test_trace"], keys["x_control_trace"]).divergence_ttl is None


@pytest.mark.parametrize(
    ("scenario", "scheme", "domain"),
    [("sni_reset", "https", "www.tumblr.com"), ("host_reset", "http", "www.kub.kz")],
)
def test_forensics_flags_the_censors_resets(
    scenario: str, scheme: str, domain: str, request: pytest.FixtureRequest
) -> None:
    lab: Lab = request.getfixturevalue(scenario)
    port = 443 if scheme == "https" else 80
    payload = trigger(scheme, domain, "probe-test")
    record = _in_client(lab, lambda: inspect_endpoint(lab.addresses[domain], port, payload, TIMING))
    verdicts = judge_resets(record)
    assert verdicts and all(v["likely_injected"] for v in verdicts)
    assert verdicts[0]["reasons"] == ["ip_ttl"]
    assert verdicts[0]["ip_ttl"] == verdicts[0]["syn_ack"]["ip_ttl"] + 1  # one hop nearer


def test_forensics_spares_a_real_servers_reset(sni_reset: Lab) -> None:
    address = sni_reset.addresses["www.tumblr.com"]
    record = _in_client(
        sni_reset, lambda: inspect_endpoint(address, 81, b"", TIMING, reference_port=443)
    )
    assert record["exchange"]["failure"] == "connection_refused"
    verdicts = judge_resets(record)
    assert [v["likely_injected"] for v in verdicts] == [False]
    assert verdicts[0]["ip_ttl"] == record["reference"]["syn_ack"]["ip_ttl"]
