"""The four outcome classes that every analyst tool groups verdicts into: the analysis's own."""

from __future__ import annotations

from probe.analysis.vocabulary import Category as Outcome
from probe.analysis.vocabulary import category_of as outcome_of

__all__ = ["Outcome", "outcome_of"]
