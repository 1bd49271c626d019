"""The app tests' OONI summary keys, derived from the stored per-endpoint results.

``whatsapp_endpoints_status``, ``telegram_tcp_blocking``, ``facebook_dns_blocking``… (ts-018,
-019, -020, -029, and Viber's ``x_viber_<part>_*``) are judgements, so the nettests do not write
them: they store ``x_endpoints`` (how far each check got), ``queries`` and ``x_asns``, and these
pure functions give the keys, which the pipeline writes beside the verdict. A key a file already
holds (one written before this split) is kept as stored, so old files keep their verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypedDict

Record = Mapping[str, Any]

RESOLVE: Final = "resolve"
CONNECT: Final = "connect"
FACEBOOK_ASN: Final = 32934
"""ts-019: a name is DNS-consistent when its addresses belong to Facebook's AS."""

Status = str | None
"""``"ok"`` or ``"blocked"``; None when the part was not measured."""
PartKeys = dict[str, Status | bool]
"""Keys named after each part of the app (``x_viber_<part>_status``, ``facebook_<part>_…``)."""


class WhatsAppKeys(TypedDict):
    whatsapp_endpoints_status: Status
    whatsapp_endpoints_blocked: list[object]
    """The hostnames as stored in ``x_endpoints``."""
    whatsapp_endpoints_dns_inconsistent: list[str]
    registration_server_status: Status
    registration_server_failure: str | None
    whatsapp_web_status: Status
    whatsapp_web_failure: str | None


class TelegramKeys(TypedDict):
    telegram_tcp_blocking: bool | None
    telegram_http_blocking: bool | None
    telegram_web_status: Status
    telegram_web_failure: str | None


class SignalKeys(TypedDict):
    signal_backend_status: Status
    signal_backend_failure: str | None


def endpoints(keys: Record) -> list[Record]:
    value = keys.get("x_endpoints")
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def by_role(results: Sequence[Record], role: str) -> list[Record]:
    return [r for r in results if r.get("role") == role]


def all_ok(results: Sequence[Record]) -> tuple[str | None, str | None]:
    """OONI's status for a part that needs every endpoint: ("ok"|"blocked", first failure).

    None when the part was not measured (a replacement data file may leave it out).
    """
    if not results:
        return None, None
    failures = [r.get("failure") for r in results if r.get("failure") is not None]
    return ("blocked", failures[0]) if failures else ("ok", None)


def any_ok(results: Sequence[Record]) -> tuple[str | None, str | None]:
    """OONI's status for a part where one working endpoint is enough."""
    if not results:
        return None, None
    if any(r.get("failure") is None for r in results):
        return "ok", None
    return "blocked", results[0].get("failure")


def whatsapp(keys: Record) -> WhatsAppKeys:
    """ts-018: the app works when any endpoint answers on any port."""
    results = endpoints(keys)
    chat = by_role(results, "endpoint")
    hosts = dict.fromkeys(r.get("hostname") for r in chat)
    blocked = [h for h in hosts if all(r.get("failure") for r in chat if r.get("hostname") == h)]
    status, _ = any_ok(chat)
    registration_status, registration_failure = all_ok(by_role(results, "registration"))
    web_status, web_failure = all_ok(by_role(results, "web"))
    return WhatsAppKeys(
        whatsapp_endpoints_status=status,
        whatsapp_endpoints_blocked=blocked,
        whatsapp_endpoints_dns_inconsistent=[],
        registration_server_status=registration_status,
        registration_server_failure=registration_failure,
        whatsapp_web_status=web_status,
        whatsapp_web_failure=web_failure,
    )


def telegram(keys: Record) -> TelegramKeys:
    """ts-020: TCP blocking when no DC accepts a connection, HTTP blocking when none answers a
    request (a POST, as OONI sends; any answer counts)."""
    results = endpoints(keys)
    dcs = by_role(results, "dc")
    web_status, web_failure = all_ok(by_role(results, "web"))
    return TelegramKeys(
        telegram_tcp_blocking=all(r.get("failed_operation") in (RESOLVE, CONNECT) for r in dcs)
        if dcs
        else None,
        telegram_http_blocking=all(r.get("failure") is not None for r in dcs) if dcs else None,
        telegram_web_status=web_status,
        telegram_web_failure=web_failure,
    )


def signal(keys: Record) -> SignalKeys:
    """ts-029: blocked as soon as one backend fails."""
    status, failure = all_ok(by_role(endpoints(keys), "backend"))
    return SignalKeys(signal_backend_status=status, signal_backend_failure=failure)


def viber(keys: Record) -> PartKeys:
    """One status and failure per part, in OONI's style (``x_viber_<part>_status``)."""
    results = endpoints(keys)
    found: PartKeys = {}
    for role in dict.fromkeys(r.get("role") for r in results):
        status, failure = all_ok(by_role(results, str(role)))
        found[f"x_viber_{role}_status"] = status
        found[f"x_viber_{role}_failure"] = failure
    return found


def addresses_by_host(queries: object) -> dict[str, list[str]]:
    """Every address each name resolved to, by any engine."""
    found: dict[str, list[str]] = {}
    for query in queries if isinstance(queries, list) else []:
        if not isinstance(query, Mapping):
            continue
        ips = found.setdefault(str(query.get("hostname")), [])
        answers = query.get("answers")
        for answer in answers if isinstance(answers, list) else []:
            ip = answer.get("ipv4") or answer.get("ipv6") if isinstance(answer, Mapping) else None
            if ip and ip not in ips:
                ips.append(ip)
    return found


def facebook_messenger(keys: Record) -> PartKeys:
    """ts-019. A name is DNS-consistent when it resolved and no address of it is known to be
    outside AS32934; an address whose AS is unknown (no lookup, or none answered) does not
    count against it, so without geolocation the check is that the name resolved."""
    results = endpoints(keys)
    resolved = addresses_by_host(keys.get("queries"))
    stored = keys.get("x_asns")
    asns: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}
    found: PartKeys = {}
    for role in dict.fromkeys(r.get("role") for r in results):
        part = by_role(results, str(role))
        hosts = [str(r.get("hostname")) for r in part]
        known = [asns[ip] for host in hosts for ip in resolved.get(host, []) if asns.get(ip)]
        found[f"facebook_{role}_dns_consistent"] = any(
            r.get("failed_operation") != RESOLVE for r in part
        ) and all(asn == FACEBOOK_ASN for asn in known)
        found[f"facebook_{role}_reachable"] = (
            None if part[0].get("kind") == "dns" else any(r.get("failure") is None for r in part)
        )
    dns = [v for k, v in found.items() if k.endswith("_dns_consistent")]
    tcp = [v for k, v in found.items() if k.endswith("_reachable") and v is not None]
    found["facebook_dns_blocking"] = not all(dns)
    found["facebook_tcp_blocking"] = not all(tcp)
    return found


OONI_KEYS: Final[Mapping[str, Callable[[Record], Mapping[str, object]]]] = {
    "whatsapp": whatsapp,
    "telegram": telegram,
    "signal": signal,
    "viber": viber,
    "facebook_messenger": facebook_messenger,
}
"""test_name -> its OONI summary keys, as a function of its ``test_keys``."""


def summary_keys(test_name: str, keys: object) -> dict[str, object]:
    """The summary keys of an app measurement, those it already stores winning (as read from
    the file); {} for a test that has none."""
    derive = OONI_KEYS.get(test_name)
    if derive is None or not isinstance(keys, Mapping):
        return {}
    derived = derive(keys)
    return {k: keys.get(k, v) for k, v in derived.items()}
