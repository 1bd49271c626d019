"""What a verdict is, and the judgements every step of the chain shares: how the controls fared
where the probe failed, and why a failure outside the vocabulary is no evidence.

Every sentence is an English template marked with ``N_`` and filled in with ``str.format``, so
the stored ``x_detail`` stays English and the CLI can read it back in another language
(``probe/i18n/sentences.py``). Clauses are joined with ``"; "``.
"""

from __future__ import annotations

from dataclasses import dataclass

from probe.analysis.blockpages import Fingerprint
from probe.analysis.controls import Controls
from probe.analysis.dnscheck import DnsCheck
from probe.analysis.httpdiff import PageComparison
from probe.analysis.observations import Hop, Outcome, Record
from probe.analysis.vocabulary import (
    Blocking,
    Category,
    Technique,
    category_of,
    is_local,
    why_not_evidence,
)
from probe.i18n import N_


def then(*clauses: str) -> str:
    """Clauses of one ``x_detail``, each rendered on its own when shown."""
    return "; ".join(clauses)


@dataclass(frozen=True)
class Verdict:
    blocking: Blocking | bool | None
    accessible: bool | None
    technique: Technique | None
    detail: str

    @property
    def category(self) -> Category:
        """The lab's and the summary's word for this verdict."""
        return category_of(self.blocking, self.accessible)


def blocked(technique: Technique, blocking: Blocking, detail: str) -> Verdict:
    return Verdict(blocking, False, technique, detail)


def ok(detail: str) -> Verdict:
    return Verdict(False, True, None, detail)


def down(detail: str) -> Verdict:
    return Verdict(False, False, None, detail)


def undetermined(detail: str) -> Verdict:
    return Verdict(None, None, None, detail)


@dataclass(frozen=True)
class Context:
    """One measurement, located: where the chain stopped and what the controls saw."""

    keys: Record
    first: Hop
    outcome: Outcome
    controls: Controls
    dns: DnsCheck
    """DNS consistency of the hop where the chain stopped."""
    page: PageComparison
    fingerprint: Fingerprint | None
    exempt: tuple[str, ...]

    @property
    def first_hop(self) -> bool:
        return self.outcome.hop.host == self.first.host


def status_code_of(ctx: Context) -> str:
    page = ctx.controls.page or {}
    return N_("status {code}").format(code=page.get("status_code"))


def outside(ctx: Context, what: str, tech: Technique, blocking: Blocking) -> Verdict:
    """Judge a failure by whether the helper fetched the page: blocked, down or undetermined."""
    if ctx.controls.page is not None:
        fetched = N_("the helper fetched the page ({status})").format(status=status_code_of(ctx))
        return blocked(tech, blocking, then(what, fetched))
    if ctx.controls.page_failure:
        return down(then(what, helper_could_not_fetch(ctx.controls.page_failure)))
    return undetermined(then(what, N_("no control reached the site")))


def helper_could_not_fetch(failure: str) -> str:
    return N_("the helper could not fetch the page either ({failure})").format(failure=failure)


def helper_could_not_get_through(endpoints: str) -> str:
    return N_("the helper could not get through to {endpoints} either").format(endpoints=endpoints)


def helper_got_through(address: str) -> str:
    return N_("the helper got through to {address}").format(address=address)


def no_evidence(what: str, failure: str | None, helper_failed: str | None = None) -> Verdict:
    """A failure the vocabulary does not map is never blocking. It is down when the helper
    failed too (the site fails from outside as well), unless it is local: then the probe never
    really reached the network, and nothing is known."""
    if helper_failed is not None and not is_local(failure):
        return down(then(what, helper_failed))
    return undetermined(why_not_evidence(what, failure))


def helper_failed(ctx: Context, endpoints: list[str], tcp_only: bool = False) -> str | None:
    """How the helper failed where the probe did: at these endpoints, else fetching the page;
    None when it got through, or did not try."""
    reach = ctx.controls.helper_tcp if tcp_only else ctx.controls.helper_reached
    statuses = [reach(e) for e in endpoints]
    if any(statuses):
        return None
    if False in statuses:
        return helper_could_not_get_through(", ".join(endpoints))
    if ctx.controls.page_failure:
        return helper_could_not_fetch(ctx.controls.page_failure)
    return None
