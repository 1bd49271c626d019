"""DNS consistency: do the probe's answers agree with an uncensored resolution?

OONI's rules, in order: an IP-literal URL is consistent; failures are consistent when both sides
say the name has no address; answers are consistent when they share an address or an AS. Two
additions: a bogon answer is inconsistent (unless the control resolves it too), and an address
where a verified TLS handshake for the name completed is genuine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from probe.analysis.controls import NEGATIVE_DNS, Controls, DnsControl
from probe.analysis.observations import (
    Hop,
    Record,
    answer_addresses,
    dns_failure,
    failure_of,
    host_queries,
    mapping,
    records,
    resolved,
)
from probe.analysis.packets import dns_injection
from probe.i18n import N_
from probe.net.bogons import is_bogon

Consistency = Literal["consistent", "inconsistent"] | None


@dataclass(frozen=True)
class DnsCheck:
    consistency: Consistency
    reason: str
    """Why, as a sentence fragment (empty when undetermined)."""
    bogons: tuple[str, ...] = ()
    injection: str | None = None
    """Evidence that an on-path injector, not the resolver, forged the answer."""
    missing: bool = False
    """The control says the name does not exist, yet the resolver answered: an ISP's rewrite of
    a missing name (to a search page, say), which blocks nothing when there is no site."""

    @property
    def inconsistent(self) -> bool:
        return self.consistency == "inconsistent"


def check_dns(
    keys: Record, hop: Hop, controls: Controls, first_hop: bool, exempt: tuple[str, ...]
) -> DnsCheck:
    if hop.is_ip:
        return DnsCheck("consistent", N_("{host} is an IP address").format(host=hop.host))
    control = controls.dns(hop.host, first_hop)
    addresses = resolved(keys, hop)
    known = control.addresses if control else frozenset()
    bogons = tuple(a for a in addresses if is_bogon(a, exempt) and a not in known)
    if bogons:
        return DnsCheck(
            "inconsistent",
            N_("the resolver answered {host} with the bogon {addresses}").format(
                host=hop.host, addresses=", ".join(bogons)
            ),
            bogons,
            _injection(keys, hop, known),
        )
    if control is None:
        return DnsCheck(None, "")
    if not addresses:
        return _failed(keys, hop, control)
    if control.negative:
        return DnsCheck(
            "inconsistent",
            N_(
                "the {source} says {host} does not exist ({failure}), "
                "yet the resolver answered {addresses}"
            ).format(
                source=control.source,
                host=hop.host,
                failure=control.failure,
                addresses=", ".join(addresses),
            ),
            missing=True,
        )
    if _genuine(keys, hop, controls, control, addresses):
        match = N_("the resolver's answers for {host} match the {source}'s")
        return DnsCheck("consistent", match.format(host=hop.host, source=control.source))
    return DnsCheck(
        "inconsistent",
        N_("the resolver answered {host} with {addresses}, the {source} with {known}").format(
            host=hop.host,
            addresses=", ".join(addresses),
            source=control.source,
            known=", ".join(sorted(known)) or N_("nothing"),
        ),
        (),
        _injection(keys, hop, known),
    )


def _failed(keys: Record, hop: Hop, control: DnsControl) -> DnsCheck:
    failure = dns_failure(keys, hop.host) or "dns_no_answer"
    if control.negative and failure in NEGATIVE_DNS:
        return DnsCheck(
            "consistent",
            N_("{host} has no address for the resolver and the {source} alike").format(
                host=hop.host, source=control.source
            ),
        )
    if control.addresses:
        return DnsCheck(
            "inconsistent",
            N_(
                "the resolver gave no address for {host} ({failure}) while the {source} "
                "resolved {addresses}"
            ).format(
                host=hop.host,
                failure=failure,
                source=control.source,
                addresses=", ".join(sorted(control.addresses)),
            ),
        )
    return DnsCheck(None, "")


def _genuine(
    keys: Record, hop: Hop, controls: Controls, control: DnsControl, addresses: list[str]
) -> bool:
    if control.addresses.intersection(addresses) or control.valid.intersection(addresses):
        return True
    # AS0 means "unknown" (no ASN database, private space): it can never make answers agree.
    probe_asns = {control.asns[a] for a in addresses if control.asns.get(a)}
    if probe_asns & {control.asns[a] for a in control.addresses if control.asns.get(a)}:
        return True
    verified = {
        str(h.get("address"))
        for h in records(keys.get("tls_handshakes"))
        if failure_of(h) is None and not h.get("no_tls_verify") and h.get("server_name") == hop.host
    }
    endpoints = {hop.endpoint(a) for a in addresses} | {f"{a}:443" for a in addresses}
    return bool(verified & endpoints) or any(controls.helper_tls(e) for e in endpoints)


def _injection(keys: Record, hop: Hop, genuine: frozenset[str]) -> str | None:
    """An injector races the real reply: the real answer arrives late, at any resolver."""
    proof = dns_injection(mapping(mapping(keys.get("x_packet_tests")).get("dns_injection")))
    if proof:
        return proof
    forged_at: list[str] = []
    for query in host_queries(keys, hop.host):
        first = answer_addresses(query)
        late = answer_addresses({"answers": query.get("x_late_answers")})
        resolver = str(query.get("resolver_address") or N_("the system resolver"))
        if first and late and genuine.intersection(late) and not genuine.intersection(first):
            return N_(
                "a forged answer ({first}) beat the genuine one ({late}) from {resolver}"
            ).format(first=", ".join(first), late=", ".join(late), resolver=resolver)
        if query.get("engine") == "udp" and first and not genuine.intersection(first):
            forged_at.append(resolver)
    distinct = sorted(set(forged_at))
    if len(distinct) > 1:
        forged = N_("resolvers {resolvers} alike returned forged answers")
        return forged.format(resolvers=" and ".join(distinct))
    return None
