"""What the analysis needs to know about the run it analyses, passed in rather than looked up."""

from __future__ import annotations

from dataclasses import dataclass

from probe.interception import Registry


@dataclass(frozen=True)
class AnalysisOptions:
    bogon_exempt: tuple[str, ...] = ()
    """CIDRs that are not bogons for this run (the lab's TEST-NET ranges); as for ``probe run``."""
    interception_roots: Registry | None = None
    """Known interception roots; None means the shipped list only."""
