"""The verdict of a ``tor`` measurement: is Tor reachable, blocked (which targets, how), or unknown?

One failing authority is noise (authorities go down for maintenance); a whole category failing,
every OR port or every bridge, is what blocking looks like. A control measurement from an
uncensored vantage point separates that from the targets really being down. Without one, the
directory authorities and Tor Project sites are assumed up: they are run by independent operators
and are almost never down all at once. Pure functions of the stored ``test_keys``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from probe.analysis.messaging import AppVerdict, failed_measurement, no_network_how
from probe.analysis.vocabulary import AppStatus, no_network
from probe.i18n import N_

LABEL = "Tor"
_CATEGORIES = {
    "or_port_dirauth": N_("directory authorities' OR ports"),
    "dir_port": N_("directory authorities' dir ports"),
    "x_https": N_("Tor Project websites"),
    "https": N_("Tor Project websites"),  # probe 0.1's name
    "or_port": N_("bridges"),
}
_STEPS = {"connect": "TCP connect", "handshake": "TLS handshake", "x_http": "HTTP"}


@dataclass(frozen=True)
class Category:
    protocol: str
    total: int
    accessible: int
    failure: str
    """The most common failing step and failure, e.g. ``TCP connect generic_timeout_error``."""

    @property
    def label(self) -> str:
        bridges = N_("{transport} bridges").format(transport=self.protocol.removeprefix("x_"))
        return _CATEGORIES.get(self.protocol, bridges)

    @property
    def unreachable(self) -> bool:
        return self.total > 0 and self.accessible == 0


def _step_failure(target: Mapping[str, Any]) -> str:
    summary = target.get("summary")
    if isinstance(summary, Mapping):
        for step, result in summary.items():
            if isinstance(result, Mapping) and result.get("failure"):
                return f"{_STEPS.get(step, step)} {result['failure']}"
    return f"DNS {target.get('failure')}"


def categories(keys: Mapping[str, Any]) -> list[Category]:
    """Targets grouped by protocol, in the order they were stored."""
    targets = keys.get("targets")
    if not isinstance(targets, Mapping):
        return []
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for target in targets.values():
        if isinstance(target, Mapping) and isinstance(target.get("target_protocol"), str):
            grouped.setdefault(target["target_protocol"], []).append(target)
    result = []
    for protocol, members in grouped.items():
        failed = [t for t in members if t.get("failure") is not None]
        common = Counter(_step_failure(t) for t in failed).most_common(1)
        result.append(
            Category(
                protocol, len(members), len(members) - len(failed), common[0][0] if common else ""
            )
        )
    return result


def tor_verdict(keys: object, control: Mapping[str, bool] | None = None) -> AppVerdict:
    """``control`` maps a protocol to whether an uncensored vantage point reached it."""
    if not isinstance(keys, Mapping):
        return AppVerdict(LABEL, AppStatus.UNDETERMINED, N_("no test keys"))
    if keys.get("x_failure"):
        return AppVerdict(LABEL, AppStatus.UNDETERMINED, failed_measurement(keys["x_failure"]))
    found = categories(keys)
    if not found:
        return AppVerdict(LABEL, AppStatus.UNDETERMINED, N_("no targets measured"))
    failures = {t.get("failure") for t in keys["targets"].values() if isinstance(t, Mapping)}
    if no_network(failures):
        return AppVerdict(LABEL, AppStatus.UNDETERMINED, no_network_how(failures))
    control = control or {}
    down = [c for c in found if c.unreachable]
    blocked = [c for c in down if control.get(c.protocol, True)]
    if blocked:
        how = "; ".join(f"{c.label}: {c.failure} ({c.total}/{c.total})" for c in blocked)
        return AppVerdict(LABEL, AppStatus.BLOCKED, how)
    if down:
        labels = ", ".join(c.label for c in down)
        too = N_("{labels} unreachable from the control too").format(labels=labels)
        return AppVerdict(LABEL, AppStatus.UNDETERMINED, too)
    partial = [c for c in found if c.accessible < c.total]
    failed = N_("{failed}/{total} {label} failed")
    how = ", ".join(
        failed.format(failed=c.total - c.accessible, total=c.total, label=c.label) for c in partial
    )
    return AppVerdict(LABEL, AppStatus.REACHABLE, how)
