"""The words a person reads for outcomes and diff classes; files and ``--json`` keep English."""

from __future__ import annotations

from probe.analysis.repeats import BLOCKED, INTERMITTENT, NOT_BLOCKED, Repeats
from probe.analysts.diff import Change
from probe.analysts.outcomes import Outcome
from probe.i18n import N_, _, ngettext

_OUTCOMES = {
    Outcome.OK: N_("ok"),
    Outcome.DOWN: N_("down"),
    Outcome.UNDETERMINED: N_("undetermined"),
    Outcome.BLOCKED: N_("blocked"),
}
_CHANGES = {
    Change.NEWLY_BLOCKED: N_("newly blocked"),
    Change.NEWLY_INTERMITTENT: N_("newly intermittent"),
    Change.UNBLOCKED: N_("unblocked"),
    Change.TECHNIQUE_CHANGED: N_("technique changed"),
    Change.NEWLY_DOWN_OR_UNDETERMINED: N_("newly down or undetermined"),
    Change.RECOVERED: N_("recovered"),
    Change.ONLY_IN_OLD: N_("only in OLD"),
    Change.ONLY_IN_NEW: N_("only in NEW"),
    Change.STILL_BLOCKED: N_("still blocked"),
    Change.STILL_INTERMITTENT: N_("still intermittent"),
    Change.STILL_DOWN_OR_UNDETERMINED: N_("still down or undetermined"),
    Change.STILL_OK: N_("still ok"),
}

_RATE_STATES = {
    BLOCKED: N_("blocked"),
    NOT_BLOCKED: N_("not blocked"),
    INTERMITTENT: N_("intermittent"),
}


def outcome_word(outcome: Outcome) -> str:
    """``ok``, ``down``, ``undetermined`` or ``blocked`` in the current language."""
    return _(_OUTCOMES[outcome])


def change_word(change: Change) -> str:
    """A diff class (``newly blocked``...) in the current language."""
    return _(_CHANGES[change])


def state_word(state: str) -> str:
    """A blocking rate's state (``intermittent``...) in the current language."""
    return _(_RATE_STATES[state])


def blocked_in(repeats: Repeats) -> str:
    """``blocked in 3 of 5 (intermittent)``: a target's blocking rate in the current language."""
    line = ngettext(
        "blocked in {blocked} of {total} measurement ({state})",
        "blocked in {blocked} of {total} measurements ({state})",
        repeats.total,
    )
    state = state_word(repeats.state)
    return line.format(blocked=repeats.blocked, total=repeats.total, state=state)
