"""What the analysis needs to know about the run it analyses, passed in rather than looked up.

Every option that can change a verdict is also written into each measurement
(``x_analysis_options``), so ``probe analyze FILE`` recomputes the run's verdicts from the file
alone; the flags given to analyze override the stored values one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from probe.analysis.observations import Record, mapping

if TYPE_CHECKING:  # imported where used: a run without extra roots needs no X.509 parsing
    from probe.interception.roots import KnownRoot, Registry

OPTIONS_KEY = "x_analysis_options"
STORED_ROOT_SOURCE = OPTIONS_KEY
"""The ``source`` of a root read back from a measurement rather than from a file."""


@dataclass(frozen=True)
class AnalysisOptions:
    bogon_exempt: tuple[str, ...] = ()
    """CIDRs that are not bogons for this run (the lab's TEST-NET ranges); as for ``probe run``."""
    extra_roots: tuple[KnownRoot, ...] = ()
    """Interception roots given on top of the shipped ones (``--interception-roots``)."""

    @cached_property
    def registry(self) -> Registry | None:
        """Known interception roots; None means the shipped list only."""
        return _registry(self.extra_roots) if self.extra_roots else None

    def as_record(self) -> dict[str, Any]:
        """``x_analysis_options``: the roots by their pins, so no file is needed to match them."""
        return {
            "bogon_exempt": list(self.bogon_exempt),
            "interception_roots": [
                {
                    "name": r.name,
                    "subject": r.subject,
                    "cert_sha256": r.cert_sha256,
                    "spki_sha256": r.spki_sha256,
                }
                for r in self.extra_roots
            ],
        }

    @classmethod
    def from_record(cls, value: object) -> AnalysisOptions | None:
        """The stored options, or None when the measurement holds none (or damaged ones)."""
        stored = mapping(value)
        exempt, roots = stored.get("bogon_exempt"), stored.get("interception_roots")
        if not isinstance(exempt, list) or not isinstance(roots, list):
            return None
        if not all(isinstance(c, str) for c in exempt):
            return None
        try:
            parsed = tuple(_root(mapping(r)) for r in roots)
        except (TypeError, ValueError):
            return None
        return cls(tuple(exempt), parsed)


def _root(stored: Record) -> KnownRoot:
    from probe.interception.roots import KnownRoot

    pins = [stored.get(k) for k in ("name", "subject", "cert_sha256", "spki_sha256")]
    if not all(isinstance(p, str) for p in pins):
        raise TypeError("a stored root needs name, subject and both pins")
    name, subject, cert, spki = (str(p) for p in pins)
    return KnownRoot(name, None, cert, spki, subject, "fingerprint", STORED_ROOT_SOURCE)


@lru_cache(maxsize=16)
def _registry(extra: tuple[KnownRoot, ...]) -> Registry:
    from probe.interception.roots import Registry, shipped_roots

    return Registry((*shipped_roots(), *extra))


@dataclass(frozen=True)
class OptionFlags:
    """The options ``probe analyze`` was given; None: not given, use what the file stored."""

    bogon_exempt: tuple[str, ...] | None = None
    extra_roots: tuple[KnownRoot, ...] | None = None

    def resolve(self, measurement: Record) -> tuple[AnalysisOptions, bool]:
        """The options for one measurement, and whether they are known (stored or all given)
        rather than defaults standing in for a run whose options the file does not say."""
        stored = AnalysisOptions.from_record(mapping(measurement.get("test_keys")).get(OPTIONS_KEY))
        base = stored or AnalysisOptions()
        options = AnalysisOptions(
            base.bogon_exempt if self.bogon_exempt is None else self.bogon_exempt,
            base.extra_roots if self.extra_roots is None else self.extra_roots,
        )
        given = self.bogon_exempt is not None and self.extra_roots is not None
        return options, stored is not None or given


OptionsSource = AnalysisOptions | OptionFlags
"""Either the run's own options (``probe run``) or analyze's flags over each stored set."""


def resolve(source: OptionsSource | None, measurement: Record) -> tuple[AnalysisOptions, bool]:
    if isinstance(source, AnalysisOptions):
        return source, True
    return (source or OptionFlags()).resolve(measurement)
