"""Verdicts for the messaging-app nettests: reachable, blocked (which part, how), or undetermined.

Pure functions of a stored measurement's ``test_keys``. The OONI keys say which part of an app
failed; the per-endpoint results (``x_endpoints``) say at which step and with what failure, which
is what tells DNS tampering from IP blocking from SNI filtering. Old or damaged files degrade to
"undetermined" rather than to a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from probe.analysis.vocabulary import AppStatus, no_network
from probe.i18n import N_

Record = Mapping[str, Any]

_STEPS = {
    "resolve": "DNS",
    "connect": "TCP connect",
    "tls_handshake": "TLS handshake",
    "http_round_trip": "HTTP",
}


@dataclass(frozen=True)
class AppVerdict:
    """One line of the run summary for a tool or an app."""

    label: str
    status: AppStatus
    how: str = ""
    """Which part failed and at which step, or why the result is undetermined."""

    def line(self) -> str:
        line = N_("{label}: {status} ({how})") if self.how else N_("{label}: {status}")
        return line.format(label=self.label, status=self.status, how=self.how)


@dataclass(frozen=True)
class _Part:
    name: str
    status: object
    """``"ok"``, ``"blocked"`` or None (not measured); anything else means a damaged file."""
    roles: tuple[str, ...]


def step_failure(records: Iterable[Record]) -> str:
    """The most common failing step and failure among ``records`` (``x_endpoints`` entries)."""
    pairs = Counter(
        (str(r.get("failed_operation")), str(r.get("failure"))) for r in records if r.get("failure")
    )
    if not pairs:
        return ""
    (operation, failure), _ = pairs.most_common(1)[0]
    return f"{_STEPS.get(operation, operation)} {failure}"


def failed_measurement(failure: object) -> str:
    return N_("measurement failed: {failure}").format(failure=failure)


def no_network_how(failures: Iterable[object]) -> str:
    """Every endpoint failed the way a device without a network does."""
    return N_("no network: {failures}").format(failures=", ".join(sorted(map(str, failures))))


def _endpoints(keys: Record) -> list[Record]:
    value = keys.get("x_endpoints")
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def _judge(label: str, keys: object, parts_of: Callable[[Record], Sequence[_Part]]) -> AppVerdict:
    if not isinstance(keys, Mapping):
        return AppVerdict(label, AppStatus.UNDETERMINED, N_("no test keys"))
    if keys.get("x_failure"):
        return AppVerdict(label, AppStatus.UNDETERMINED, failed_measurement(keys["x_failure"]))
    parts = [p for p in parts_of(keys) if p.status is not None]
    if not parts or any(p.status not in ("ok", "blocked") for p in parts):
        return AppVerdict(label, AppStatus.UNDETERMINED, N_("result keys missing or damaged"))
    endpoints = _endpoints(keys)
    failures = {r.get("failure") for r in endpoints}
    if no_network(failures):
        return AppVerdict(label, AppStatus.UNDETERMINED, no_network_how(failures))
    blocked = [p for p in parts if p.status == "blocked"]
    if not blocked:
        return AppVerdict(label, AppStatus.REACHABLE)
    reasons = []
    for part in blocked:
        how = step_failure(r for r in endpoints if r.get("role") in part.roles)
        reasons.append(f"{part.name}: {how}" if how else part.name)
    return AppVerdict(label, AppStatus.BLOCKED, "; ".join(reasons))


def _ok_unless(flag: object) -> object:
    """OONI's boolean ``*_blocking`` keys as a part status."""
    if flag is None:
        return None
    return {True: "blocked", False: "ok"}.get(flag, "damaged") if isinstance(flag, bool) else flag


def whatsapp_verdict(keys: object) -> AppVerdict:
    return _judge(
        "WhatsApp",
        keys,
        lambda k: [
            _Part("chat endpoints", k.get("whatsapp_endpoints_status"), ("endpoint",)),
            _Part("registration", k.get("registration_server_status"), ("registration",)),
            _Part("WhatsApp Web", k.get("whatsapp_web_status"), ("web",)),
        ],
    )


def _telegram_app(keys: Record) -> object:
    tcp, http = (
        _ok_unless(keys.get("telegram_tcp_blocking")),
        _ok_unless(keys.get("telegram_http_blocking")),
    )
    if "blocked" in (tcp, http):
        return "blocked"
    return tcp if tcp == http else "damaged"


def telegram_verdict(keys: object) -> AppVerdict:
    return _judge(
        "Telegram",
        keys,
        lambda k: [
            _Part("data centres", _telegram_app(k), ("dc",)),
            _Part("Telegram Web", k.get("telegram_web_status"), ("web",)),
        ],
    )


def signal_verdict(keys: object) -> AppVerdict:
    return _judge(
        "Signal",
        keys,
        lambda k: [_Part("servers", k.get("signal_backend_status"), ("backend",))],
    )


def _viber_parts(keys: Record) -> list[_Part]:
    prefix, suffix = "x_viber_", "_status"
    return [
        _Part(name[len(prefix) : -len(suffix)], value, (name[len(prefix) : -len(suffix)],))
        for name, value in keys.items()
        if name.startswith(prefix) and name.endswith(suffix)
    ]


def viber_verdict(keys: object) -> AppVerdict:
    return _judge("Viber", keys, _viber_parts)


def _facebook_parts(keys: Record) -> list[_Part]:
    def roles(suffix: str) -> tuple[str, ...]:
        return tuple(
            name[len("facebook_") : -len(suffix)]
            for name, value in keys.items()
            if name.startswith("facebook_") and name.endswith(suffix) and value is False
        )

    return [
        _Part("DNS", _ok_unless(keys.get("facebook_dns_blocking")), roles("_dns_consistent")),
        _Part("TCP", _ok_unless(keys.get("facebook_tcp_blocking")), roles("_reachable")),
    ]


def facebook_messenger_verdict(keys: object) -> AppVerdict:
    return _judge("Facebook Messenger", keys, _facebook_parts)


VERDICTS: dict[str, Callable[[object], AppVerdict]] = {
    "whatsapp": whatsapp_verdict,
    "telegram": telegram_verdict,
    "signal": signal_verdict,
    "viber": viber_verdict,
    "facebook_messenger": facebook_messenger_verdict,
}
"""test_name -> verdict function of that test's ``test_keys``."""
