"""Residual blocking: after a banned name, a censor drops every new flow to the address for a
while, so the neutral-name retry fails too; that is no evidence against the address."""

from __future__ import annotations

from typing import Any

from tests.analysis.builders import REAL, connect, handshake, helper, measurement, query, verdict

URL = "https://www.tumblr.com/"
ADDRESS = f"{REAL}:443"


def dropped(retry_failure: str | None, **control: Any) -> dict[str, Any]:
    """The ClientHello naming the site went unanswered; then the neutral retry's connect."""
    hello = handshake(ADDRESS, "www.tumblr.com", "generic_timeout_error") | {"t0": 0.1, "t": 10.1}
    retry = connect(REAL, 443, retry_failure) | {"t0": 10.2, "t": 20.2}
    return measurement(
        URL,
        queries=[query("www.tumblr.com", [REAL])],
        tcp=[connect(REAL, 443) | {"t0": 0.0, "t": 0.1}],
        tls=[hello],
        control=helper(**control),
        self_control={
            "server_name": "example.com",
            "host": "example.com",
            "tcp_connect": [retry],
            "tls_handshakes": [],
            "requests": [],
        },
    )


def test_a_retry_that_cannot_connect_is_residual_blocking_not_the_address() -> None:
    keys = verdict(dropped("generic_timeout_error", tls={ADDRESS: True}))
    assert keys["x_technique"] == "tls.timeout"
    assert keys["blocking"] == "http-failure"
    assert "residual blocking suspected" in keys["x_detail"]
    assert "0.1 s after the failure" in keys["x_detail"]
    assert "the address" not in keys["x_detail"]


def test_without_the_helper_reaching_the_address_it_is_not_called_blocked_by_address() -> None:
    keys = verdict(dropped("generic_timeout_error", tls={ADDRESS: False}))
    assert keys["blocking"] is False
    assert keys["x_technique"] is None


def test_a_retry_that_connects_is_not_residual() -> None:
    m = dropped(None, tls={ADDRESS: True})
    m["test_keys"]["x_self_control"]["tls_handshakes"] = [
        handshake(ADDRESS, "example.com", no_verify=True)
    ]
    keys = verdict(m)
    assert "residual" not in keys["x_detail"]
    assert "the name triggered it" in keys["x_detail"]
