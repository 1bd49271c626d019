"""Every branch of the app and Tor verdicts, on hand-built test_keys."""

from __future__ import annotations

from typing import Any

import pytest

from probe.analysis.messaging import VERDICTS, AppVerdict, step_failure
from probe.analysis.tor import tor_verdict


def endpoint(role: str, failure: str | None = None, operation: str | None = None) -> dict[str, Any]:
    return {"role": role, "hostname": "h", "failure": failure, "failed_operation": operation}


WHATSAPP_OK = {
    "whatsapp_endpoints_status": "ok",
    "registration_server_status": "ok",
    "whatsapp_web_status": "ok",
    "x_endpoints": [endpoint("endpoint"), endpoint("web")],
}


def test_line_format() -> None:
    assert AppVerdict("Tor", "reachable").line() == "Tor: reachable"
    assert AppVerdict("Tor", "blocked", "x").line() == "Tor: blocked (x)"


def test_step_failure_picks_the_commonest() -> None:
    records = [
        endpoint("a", "generic_timeout_error", "connect"),
        endpoint("a", "connection_reset", "tls_handshake"),
        endpoint("a", "connection_reset", "tls_handshake"),
        endpoint("a"),
    ]
    assert step_failure(records) == "TLS handshake connection_reset"
    assert step_failure([endpoint("a")]) == ""


@pytest.mark.parametrize(
    ("keys", "status", "how"),
    [
        (WHATSAPP_OK, "reachable", ""),
        (
            {
                **WHATSAPP_OK,
                "whatsapp_web_status": "blocked",
                "x_endpoints": [
                    endpoint("endpoint"),
                    endpoint("web", "connection_reset", "tls_handshake"),
                ],
            },
            "blocked",
            "WhatsApp Web: TLS handshake connection_reset",
        ),
        (
            {**WHATSAPP_OK, "registration_server_status": "blocked", "x_endpoints": []},
            "blocked",
            "registration",
        ),
        (None, "undetermined", "no test keys"),
        ({"x_failure": "unknown_failure: boom"}, "undetermined", "measurement failed"),
        ({**WHATSAPP_OK, "whatsapp_web_status": "maybe"}, "undetermined", "damaged"),
        ({"queries": []}, "undetermined", "missing"),
        (
            {
                **WHATSAPP_OK,
                "whatsapp_endpoints_status": "blocked",
                "x_endpoints": [
                    endpoint("endpoint", "network_unreachable", "connect"),
                    endpoint("web", "dns_temporary_failure", "resolve"),
                ],
            },
            "undetermined",
            "no network",
        ),
    ],
)
def test_whatsapp_branches(keys: Any, status: str, how: str) -> None:
    verdict = VERDICTS["whatsapp"](keys)
    assert verdict.label == "WhatsApp" and verdict.status == status
    assert how in verdict.how if how else verdict.how == ""


@pytest.mark.parametrize(
    ("tcp", "http", "web", "status"),
    [
        (False, False, "ok", "reachable"),
        (True, True, "ok", "blocked"),
        (False, True, "ok", "blocked"),
        (False, False, "blocked", "blocked"),
        (None, None, "ok", "reachable"),
        ("yes", False, "ok", "undetermined"),
        (True, "no", "ok", "blocked"),
    ],
)
def test_telegram_branches(tcp: Any, http: Any, web: str, status: str) -> None:
    keys = {
        "telegram_tcp_blocking": tcp,
        "telegram_http_blocking": http,
        "telegram_web_status": web,
    }
    assert VERDICTS["telegram"](keys).status == status


def test_telegram_sni_blocking_names_web_and_tls() -> None:
    keys = {
        "telegram_tcp_blocking": False,
        "telegram_http_blocking": False,
        "telegram_web_status": "blocked",
        "x_endpoints": [
            endpoint("dc"),
            endpoint("web", "connection_reset", "tls_handshake"),
        ],
    }
    verdict = VERDICTS["telegram"](keys)
    assert verdict.line() == "Telegram: blocked (Telegram Web: TLS handshake connection_reset)"


def test_signal_and_viber() -> None:
    assert VERDICTS["signal"]({"signal_backend_status": "ok"}).status == "reachable"
    blocked = VERDICTS["signal"](
        {
            "signal_backend_status": "blocked",
            "x_endpoints": [endpoint("backend", "dns_nxdomain_error", "resolve")],
        }
    )
    assert blocked.how == "servers: DNS dns_nxdomain_error"
    viber = VERDICTS["viber"]({"x_viber_web_status": "ok", "x_viber_api_status": "blocked"})
    assert (viber.status, viber.how) == ("blocked", "api")
    assert VERDICTS["viber"]({}).status == "undetermined"


def test_facebook_parts_name_the_failing_roles_steps() -> None:
    keys = {
        "facebook_dns_blocking": False,
        "facebook_tcp_blocking": True,
        "facebook_edge_dns_consistent": True,
        "facebook_edge_reachable": False,
        "facebook_star_reachable": True,
        "x_endpoints": [
            endpoint("edge", "generic_timeout_error", "connect"),
            endpoint("star", "connection_refused", "connect"),
        ],
    }
    verdict = VERDICTS["facebook_messenger"](keys)
    assert verdict.line() == "Facebook Messenger: blocked (TCP: TCP connect generic_timeout_error)"
    clean = {"facebook_dns_blocking": False, "facebook_tcp_blocking": False}
    assert VERDICTS["facebook_messenger"](clean).status == "reachable"


def target(protocol: str, failure: str | None = None, step: str = "connect") -> dict[str, Any]:
    summary = {step: {"failure": failure}} if failure else {"connect": {"failure": None}}
    return {"target_protocol": protocol, "failure": failure, "summary": summary}


def tor_keys(*targets: dict[str, Any]) -> dict[str, Any]:
    return {"targets": {str(i): t for i, t in enumerate(targets)}}


def test_tor_reachable_with_partial_failures_noted() -> None:
    keys = tor_keys(
        target("or_port_dirauth"),
        target("or_port_dirauth", "generic_timeout_error"),
        target("dir_port"),
    )
    verdict = tor_verdict(keys)
    assert verdict.status == "reachable"
    assert verdict.how == "1/2 directory authorities' OR ports failed"
    assert tor_verdict(tor_keys(target("dir_port"))).how == ""


def test_tor_whole_category_down_is_blocked_with_how() -> None:
    keys = tor_keys(
        target("or_port_dirauth", "generic_timeout_error"),
        target("or_port_dirauth", "generic_timeout_error"),
        target("dir_port"),
        target("obfs4", "connection_reset", "connect"),
    )
    verdict = tor_verdict(keys)
    assert verdict.status == "blocked"
    assert verdict.how == (
        "directory authorities' OR ports: TCP connect generic_timeout_error (2/2); "
        "obfs4 bridges: TCP connect connection_reset (1/1)"
    )


def test_tor_control_that_also_fails_makes_it_undetermined() -> None:
    keys = tor_keys(target("obfs4", "generic_timeout_error"), target("dir_port"))
    verdict = tor_verdict(keys, control={"obfs4": False})
    assert verdict.status == "undetermined" and "control" in verdict.how
    assert tor_verdict(keys, control={"obfs4": True}).status == "blocked"


def test_tor_website_dns_failure_and_undetermined_cases() -> None:
    keys = tor_keys(
        {"target_protocol": "https", "failure": "dns_nxdomain_error", "summary": {}},
        target("dir_port"),
    )
    assert tor_verdict(keys).how == "Tor Project websites: DNS dns_nxdomain_error (1/1)"
    assert tor_verdict(None).status == "undetermined"
    assert tor_verdict({"x_failure": "unknown_failure: x"}).status == "undetermined"
    assert tor_verdict({"targets": {}}).how == "no targets measured"
    offline = tor_keys(target("dir_port", "network_unreachable"))
    assert tor_verdict(offline).how == "no network: network_unreachable"
