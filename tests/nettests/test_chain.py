"""The one chain the app tests and Tor run, over the scripted backend."""

from __future__ import annotations

import pytest

from nettests.scripted import scripted_session
from probe.net import errors
from probe.net.scripted import Answers, Reply, Server, TLSPlay, response
from probe.nettests import chain
from probe.nettests.messaging.checks import Check, Kind, new_observations, run_check

A, B = "192.0.2.10", "198.51.100.20"


async def check(kind: Kind, servers: dict[str, Server], port: int = 443) -> dict[str, object]:
    session, backend = scripted_session(servers, {"app.test": Answers((A, B))})
    obs = new_observations()
    result = await run_check(Check("edge", "app.test", port, kind), session, obs)
    assert backend.open == set()
    return result


async def test_one_working_address_is_enough() -> None:
    servers = {f"{A}:443": Server(connect=errors.CONNECTION_RESET), f"{B}:443": Server()}
    result = await check("tls", servers)
    assert (result["failure"], result["failed_operation"], result["address"]) == (
        None,
        None,
        f"{B}:443",
    )


async def test_the_failure_that_got_furthest_is_reported() -> None:
    servers = {
        f"{A}:443": Server(connect=errors.CONNECTION_REFUSED),
        f"{B}:443": Server(tls=TLSPlay(errors.SSL_INVALID_HOSTNAME)),
    }
    result = await check("https", servers)
    assert (result["failure"], result["failed_operation"]) == (
        errors.SSL_INVALID_HOSTNAME,
        chain.TLS_HANDSHAKE,
    )


@pytest.mark.parametrize(
    ("kind", "port", "reply", "expected"),
    [
        ("tcp", 5222, Reply(), (None, None)),
        ("http", 80, response(200), (None, None)),
        (
            "http",
            80,
            Reply(failure=errors.CONNECTION_RESET),
            (errors.CONNECTION_RESET, "http_round_trip"),
        ),
        (
            "https",
            443,
            Reply(failure=errors.GENERIC_TIMEOUT),
            (errors.GENERIC_TIMEOUT, "http_round_trip"),
        ),
    ],
)
async def test_each_kind_stops_at_its_own_step(
    kind: Kind, port: int, reply: Reply, expected: tuple[str | None, str | None]
) -> None:
    servers = {f"{ip}:{port}": Server(reply=reply) for ip in (A, B)}
    result = await check(kind, servers, port)
    assert (result["failure"], result["failed_operation"]) == expected


async def test_an_unresolvable_name_fails_at_resolve() -> None:
    session, _ = scripted_session({}, {"app.test": Answers(rcode="NXDOMAIN")})
    obs = new_observations()
    result = await run_check(Check("edge", "app.test", 443, "tcp"), session, obs)
    assert (result["failure"], result["failed_operation"]) == (errors.DNS_NXDOMAIN, chain.RESOLVE)
    assert obs.tcp_connect == []


async def test_attempt_records_every_step_in_the_steps_it_is_given() -> None:
    session, backend = scripted_session({f"{A}:443": Server(reply=response(204))}, {})
    steps = chain.Steps(0.0)
    secure = chain.TLS("app.test", session.tls_context)
    request = chain.Fetch("https://app.test/", (("Host", "app.test"),), 1024)
    outcome = await chain.attempt(A, chain.Plan(443, secure, request), session, steps)
    assert outcome == chain.Outcome(None, None, f"{A}:443")
    assert [len(steps.tcp_connect), len(steps.tls_handshakes)] == [1, 1]
    assert steps.requests[0]["response"]["code"] == 204
    assert backend.connects == [f"{A}:443"] and backend.open == set()
