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
        return DnsCheck("consistent", f"{hop.host} is an IP address")
    control = controls.dns(hop.host, first_hop)
    addresses = resolved(keys, hop)
    known = control.addresses if control else frozenset()
    bogons = tuple(a for a in addresses if is_bogon(a, exempt) and a not in known)
    if bogons:
        return DnsCheck(
            "inconsistent",
            f"the resolver answered {hop.host} with the bogon {', '.join(bogons)}",
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
            f"the {control.source} says {hop.host} does not exist ({control.failure}), "
            f"yet the resolver answered {', '.join(addresses)}",
            missing=True,
        )
    if _genuine(keys, hop, controls, control, addresses):
        return DnsCheck(
            "consistent", f"the resolver's answers for {hop.host} match the {control.source}'s"
        )
    return DnsCheck(
        "inconsistent",
        f"the resolver answered {hop.host} with {', '.join(addresses)}, "
        f"the {control.source} with {', '.join(sorted(known)) or 'nothing'}",
        (),
        _injection(keys, hop, known),
    )


def _failed(keys: Record, hop: Hop, control: DnsControl) -> DnsCheck:
    failure = dns_failure(keys, hop.host) or "dns_no_answer"
    if control.negative and failure in NEGATIVE_DNS:
        return DnsCheck(
            "consistent",
            f"{hop.host} has no address for the resolver and the {control.source} alike",
        )
    if control.addresses:
        return DnsCheck(
            "inconsistent",
            f"the resolver gave no address for {hop.host} ({failure}) while the {control.source} "
            f"resolved {', '.join(sorted(control.addresses))}",
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
        resolver = str(query.get("resolver_address") or "the system resolver")
        if first and late and genuine.intersection(late) and not genuine.intersection(first):
            return (
                f"a forged answer ({', '.join(first)}) beat the genuine one "
                f"({', '.join(late)}) from {resolver}"
            )
        if query.get("engine") == "udp" and first and not genuine.intersection(first):
            forged_at.append(resolver)
    distinct = sorted(set(forged_at))
    if len(distinct) > 1:
        return f"resolvers {' and '.join(distinct)} alike returned forged answers"
    return None
