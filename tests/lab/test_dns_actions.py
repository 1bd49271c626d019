"""DNS rules at packet level: each affects only its domains, and only where the rule says."""

from __future__ import annotations

import dns.exception
import dns.message
import httpx
import pytest

from lab.labkit import TIMEOUT, all_responses, lab_fixture, needs_root, resolve, tls_context
from probe.lab import netns, plan
from probe.lab.lab import Lab

pytestmark = [pytest.mark.lab, needs_root]
CONTROL = "www.example.org"


dns_nxdomain = lab_fixture("dns-nxdomain")
dns_spoof = lab_fixture("dns-spoof")
dns_drop = lab_fixture("dns-drop")
dns_inject = lab_fixture("dns-inject")


def test_honest_resolver_answers_every_served_domain(dns_nxdomain: Lab) -> None:
    for domain, address in dns_nxdomain.addresses.items():
        assert resolve(dns_nxdomain, plan.HONEST_RESOLVER, domain) == ("NOERROR", [address])


def test_doh_answers_like_the_honest_resolver_and_is_out_of_the_censors_reach(
    dns_nxdomain: Lab,
) -> None:
    """Unbound's DoH speaks only HTTP/2, as many real DoH servers do."""
    query = dns.message.make_query("ratel.kz", "A")
    with (
        netns.inside(dns_nxdomain.ns("client")),
        httpx.Client(http2=True, verify=tls_context(dns_nxdomain.web_root_pem)) as client,
    ):
        reply = client.post(
            plan.DOH_URL,
            content=query.to_wire(),
            headers={"Content-Type": "application/dns-message"},
            timeout=TIMEOUT,
        )
    assert reply.http_version == "HTTP/2"
    answer = dns.message.from_wire(reply.content).answer
    assert [r.to_text() for rrset in answer for r in rrset] == [dns_nxdomain.addresses["ratel.kz"]]


def test_unknown_names_are_nxdomain_everywhere(dns_nxdomain: Lab) -> None:
    for server in (plan.ISP_RESOLVER, plan.HONEST_RESOLVER):
        assert resolve(dns_nxdomain, server, "not-served.example.net") == ("NXDOMAIN", [])


def test_nxdomain_only_for_the_listed_domain_and_only_at_the_isp(dns_nxdomain: Lab) -> None:
    assert resolve(dns_nxdomain, plan.ISP_RESOLVER, "ratel.kz") == ("NXDOMAIN", [])
    assert resolve(dns_nxdomain, plan.HONEST_RESOLVER, "ratel.kz")[0] == "NOERROR"
    assert resolve(dns_nxdomain, plan.ISP_RESOLVER, CONTROL) == (
        "NOERROR",
        [dns_nxdomain.addresses[CONTROL]],
    )


def test_spoof_answers_the_rule_address(dns_spoof: Lab) -> None:
    assert resolve(dns_spoof, plan.ISP_RESOLVER, "zonakz.net") == ("NOERROR", ["10.10.34.35"])
    assert resolve(dns_spoof, plan.HONEST_RESOLVER, "zonakz.net") == (
        "NOERROR",
        [dns_spoof.addresses["zonakz.net"]],
    )
    assert resolve(dns_spoof, plan.ISP_RESOLVER, CONTROL)[1] == [dns_spoof.addresses[CONTROL]]


def test_drop_never_answers_the_listed_domain(dns_drop: Lab) -> None:
    with pytest.raises(dns.exception.Timeout):
        resolve(dns_drop, plan.ISP_RESOLVER, "www.livejournal.com")
    assert resolve(dns_drop, plan.HONEST_RESOLVER, "www.livejournal.com")[0] == "NOERROR"
    assert resolve(dns_drop, plan.ISP_RESOLVER, CONTROL)[1] == [dns_drop.addresses[CONTROL]]


@pytest.mark.parametrize("server", [plan.ISP_RESOLVER, plan.HONEST_RESOLVER])
def test_injected_answer_arrives_first_and_the_real_one_later(dns_inject: Lab, server: str) -> None:
    real = dns_inject.addresses["www.azattyq.org"]
    assert all_responses(dns_inject, server, "www.azattyq.org") == [["203.0.113.1"], [real]]


def test_injector_leaves_other_names_alone(dns_inject: Lab) -> None:
    for server in (plan.ISP_RESOLVER, plan.HONEST_RESOLVER):
        assert all_responses(dns_inject, server, CONTROL) == [[dns_inject.addresses[CONTROL]]]
        # A name that merely ends with the target is not the target.
        assert all_responses(dns_inject, server, "notwww.azattyq.org") == [[]]
