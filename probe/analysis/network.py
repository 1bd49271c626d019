"""Run-level evidence that a whole protocol, not each site, is blocked on this network.

One target whose handshakes are reset, even with a neutral name, says its address is blocked.
Every handshake of a run reset the same way (every name, every address, the neutral names) with
no DoH control answering either says something else: the client's own traffic, or TLS itself,
is blocked on this network (a captive portal, a whitelist, a shutdown), and no single site can
be judged. The same holds for TCP connects. Only bounded tallies are kept, so a run of any
length is judged in flat memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from probe.analysis.controls import NEGATIVE_DNS
from probe.analysis.observations import (
    Record,
    answer_addresses,
    connect_endpoint,
    connect_failure,
    failure_of,
    mapping,
    records,
)
from probe.i18n import N_

Step = Literal["tls", "tcp"]
MIN_TARGETS: Final = 2
"""One failing target says nothing about the network."""
_ENOUGH: Final = 2
"""The tallies stop growing here: two distinct failures, or addresses, are all the rule asks."""
_CONSEQUENCE: Final = N_(
    "the client's own traffic, or the whole protocol, is blocked on this network, not each site"
)
"""Stored in English like every reason (``N_`` only marks it): the CLI shows it translated."""


@dataclass(frozen=True)
class StepFacts:
    """One measurement's attempts at a step (TLS handshakes or TCP connects), neutral ones too."""

    attempts: int
    succeeded: bool
    failures: frozenset[str]
    endpoints: frozenset[str]
    neutral: bool
    """A neutral-name attempt (the self-control) was among them."""

    @property
    def all_failed(self) -> bool:
        return self.attempts > 0 and not self.succeeded


def step_facts(keys: Record, step: Step) -> StepFacts:
    control = mapping(keys.get("x_self_control"))
    if step == "tls":
        own, neutral = records(keys.get("tls_handshakes")), records(control.get("tls_handshakes"))
        results = [(failure_of(h), str(h.get("address"))) for h in (*own, *neutral)]
    else:
        own, neutral = records(keys.get("tcp_connect")), records(control.get("tcp_connect"))
        results = [(connect_failure(c), connect_endpoint(c)) for c in (*own, *neutral)]
    return StepFacts(
        len(results),
        any(f is None for f, _ in results),
        frozenset(f for f, _ in results if f is not None),
        frozenset(e for _, e in results),
        bool(neutral),
    )


def doh_answered(keys: Record) -> bool:
    return any(
        answer_addresses(q) or failure_of(q) in NEGATIVE_DNS
        for q in records(keys.get("x_doh_queries"))
    )


@dataclass
class _Tally:
    targets: int = 0
    """Measurements whose every attempt at the step failed."""
    succeeded: bool = False
    failures: set[str] = field(default_factory=set)
    endpoints: set[str] = field(default_factory=set)
    neutral: bool = False

    def add(self, facts: StepFacts) -> None:
        self.succeeded |= facts.succeeded
        self.neutral |= facts.neutral
        if facts.all_failed:
            self.targets += 1
        for kept, new in ((self.failures, facts.failures), (self.endpoints, facts.endpoints)):
            for item in new:
                if len(kept) >= _ENOUGH:
                    break
                kept.add(item)

    def uniform_failure(self) -> str | None:
        """The one failure every attempt of the run met, when there is one."""
        if self.succeeded or self.targets < MIN_TARGETS or len(self.failures) != 1:
            return None
        if len(self.endpoints) < _ENOUGH:  # one address is that address, not the network
            return None
        return next(iter(self.failures))


@dataclass
class NetworkTally:
    """The run's TLS and TCP attempts, and whether any DoH control answered."""

    tls: _Tally = field(default_factory=_Tally)
    tcp: _Tally = field(default_factory=_Tally)
    doh: bool = False

    def add(self, keys: Record) -> tuple[bool, bool]:
        """Tally one web measurement; returns whether its TLS, and its TCP, all failed."""
        tls, tcp = step_facts(keys, "tls"), step_facts(keys, "tcp")
        self.tls.add(tls)
        self.tcp.add(tcp)
        self.doh |= doh_answered(keys)
        return tls.all_failed, tcp.all_failed

    def blocked_step(self) -> tuple[Step, str] | None:
        """The step blocked for the whole network, and the reason, or None."""
        if self.doh:
            return None
        failure = self.tcp.uniform_failure()
        if failure is not None:
            return "tcp", N_(
                "network unusable: every TCP connection of the run ({count} targets, "
                "several addresses) failed with {failure}, and no DoH control answered: "
                "{consequence}"
            ).format(count=self.tcp.targets, failure=failure, consequence=_CONSEQUENCE)
        failure = self.tls.uniform_failure()
        if failure is not None and self.tls.neutral:
            return "tls", N_(
                "network unusable for TLS: every TLS handshake of the run "
                "({count} targets, the neutral names included) failed with "
                "{failure}, and no DoH control answered: {consequence}"
            ).format(count=self.tls.targets, failure=failure, consequence=_CONSEQUENCE)
        return None


def stopped_at(keys: Record, step: Step) -> bool:
    """Every attempt of this measurement at ``step`` failed (it is one the run-level pass marks)."""
    return step_facts(keys, step).all_failed
