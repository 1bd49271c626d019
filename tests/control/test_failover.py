"""Several helpers and DoH resolvers: tried in order, unreachable ones remembered for the run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest
from conftest import PKI
from control.test_helper_client import VALID, helper_answering
from loopback.dns_server import Zone

from probe.control.attempts import (
    DOH,
    HELPER,
    Attempt,
    Health,
    envelope_test_helpers,
    merged,
    never_answered,
)
from probe.control.doh import doh_queries
from probe.control.helper_client import HTTP_REQUEST_FAILED, HelperAnswer, query_helpers
from probe.control.transport import control_client
from probe.helper.http11 import Incoming, Reply, start
from probe.net import errors
from probe.settings import Settings


def closed_url(port: int, scheme: str = "http", path: str = "/") -> str:
    """A loopback URL on a port that refuses connections (the ``refusing_ports`` fixture)."""
    return f"{scheme}://127.0.0.1:{port}{path}"


async def ask(
    urls: list[str], health: Health, client: httpx.AsyncClient | None = None
) -> HelperAnswer:
    """``timeout`` 60 s: far more than any test here may take, so none passes by running out."""
    return await query_helpers(
        urls, "https://example.test/", ["203.0.113.10:443"], Settings(), 60.0, health, client=client
    )


def summary(answer: HelperAnswer) -> list[tuple[str, str | None, bool]]:
    return [(a.address, a.failure, a.skipped) for a in answer.attempts]


async def test_unreachable_helpers_are_passed_over_and_then_skipped(
    servers: list[object], closed_port: int
) -> None:
    dead = closed_url(closed_port)
    good = f"http://127.0.0.1:{await helper_answering(servers, 200, json.dumps(VALID).encode())}/"
    health = Health()
    first = await ask([dead, good], health)
    assert first.failure is None and first.response is not None
    assert first.response["dns"] == VALID["dns"]
    assert summary(first) == [(dead, errors.CONNECTION_REFUSED, False), (good, None, False)]
    # The next target does not wait for the dead helper again, and its file says why.
    second = await ask([dead, good], health)
    assert summary(second) == [(dead, errors.CONNECTION_REFUSED, True), (good, None, False)]
    assert health.down(dead) == errors.CONNECTION_REFUSED and health.down(good) is None


async def test_a_helper_that_answers_badly_is_not_failed_over_nor_forgotten(
    servers: list[object],
) -> None:
    """OONI Probe moves on only when the exchange itself failed, not on an HTTP error status."""
    busy = f"http://127.0.0.1:{await helper_answering(servers, 503, b'busy')}/"
    good = f"http://127.0.0.1:{await helper_answering(servers, 200, json.dumps(VALID).encode())}/"
    health = Health()
    answer = await ask([busy, good], health)
    assert (answer.response, answer.failure) == (None, HTTP_REQUEST_FAILED)
    assert summary(answer) == [(busy, HTTP_REQUEST_FAILED, False)]
    assert health.down(busy) is None
    assert summary(await ask([busy, good], health))[0] == (busy, HTTP_REQUEST_FAILED, False)


async def test_every_helper_unreachable_is_the_last_failure_with_every_attempt(
    refusing_ports: Callable[[], int],
) -> None:
    dead = [closed_url(refusing_ports()), closed_url(refusing_ports(), "https")]
    answer = await ask(dead, Health())
    assert (answer.response, answer.failure) == (None, errors.CONNECTION_REFUSED)
    assert [a.address for a in answer.attempts] == dead
    assert all(a.failure == errors.CONNECTION_REFUSED for a in answer.attempts)


async def test_a_silent_helper_costs_the_connect_timeout_not_the_exchange_budget(
    blackhole_port: int, servers: list[object]
) -> None:
    silent = f"http://127.0.0.1:{blackhole_port}/"
    good = f"http://127.0.0.1:{await helper_answering(servers, 200, json.dumps(VALID).encode())}/"
    async with control_client(None, 60.0, connect_timeout=0.3) as client:
        async with asyncio.timeout(10):  # far below the 60 s exchange budget of each helper
            answer = await query_helpers(
                [silent, good],
                "https://example.test/",
                [],
                Settings(),
                60.0,
                Health(),
                client=client,
            )
    assert summary(answer) == [(silent, errors.GENERIC_TIMEOUT, False), (good, None, False)]


async def test_doh_resolvers_are_asked_together_and_unreachable_ones_skipped_later(
    pki: PKI, servers: list[object], closed_port: int
) -> None:
    async def handler(incoming: Incoming) -> Reply:
        if incoming.target == "/broken":
            return Reply(500)
        zone = Zone({"example.test": ["203.0.113.10"]})  # anything else is NXDOMAIN
        return Reply(200, zone.reply(incoming.body) or b"", "application/dns-message")

    server = await start(handler, "127.0.0.1", 0, max_body=4096, read_timeout=5, tls=pki.good)
    servers.append(server)
    port = server.sockets[0].getsockname()[1]
    good, broken = f"https://localhost:{port}/dns-query", f"https://localhost:{port}/broken"
    dead = closed_url(closed_port, "https", "/dns-query")
    health = Health()
    async with control_client(pki.bundle, 5.0) as client:
        loop = asyncio.get_running_loop()
        queries, attempts = await doh_queries(
            [dead, good, broken], "gone.test", ["A"], 5.0, loop.time(), health, client=client
        )
        assert [(q.resolver_address, q.failure, q.rcode) for q in queries] == [
            (dead, errors.CONNECTION_REFUSED, None),
            (good, errors.DNS_NXDOMAIN, "NXDOMAIN"),  # an answer about the name: the control works
            (broken, HTTP_REQUEST_FAILED, None),
        ]
        assert attempts == [
            Attempt(DOH, dead, errors.CONNECTION_REFUSED),
            Attempt(DOH, good, None),
            Attempt(DOH, broken, HTTP_REQUEST_FAILED),
        ]
        queries, attempts = await doh_queries(
            [dead, good, broken], "example.test", ["A"], 5.0, loop.time(), health, client=client
        )
    assert [q.resolver_address for q in queries] == [good, broken]
    assert attempts[0] == Attempt(DOH, dead, errors.CONNECTION_REFUSED, skipped=True)
    assert queries[0].addresses() == ["203.0.113.10"]


def helper(url: str, failure: str | None = None, skipped: bool = False) -> Attempt:
    return Attempt(HELPER, url, failure, skipped)


A, B = "https://a.test/", "http://b.test/"


@pytest.mark.parametrize(
    ("attempts", "backend"),
    [
        ([], None),
        ([Attempt(DOH, "https://doh.test/", None)], None),
        ([helper(A, "connection_refused"), helper(B)], (B, "http")),
        ([helper(A, "x", skipped=True), helper(B, "y")], (B, "http")),
        ([helper(A, "x", skipped=True), helper(B, "x", skipped=True)], (A, "https")),
    ],
)
def test_envelope_names_the_helper_contacted_last(
    attempts: list[Attempt], backend: tuple[str, str] | None
) -> None:
    expected = {"backend": {"address": backend[0], "type": backend[1]}} if backend else {}
    assert envelope_test_helpers([a.as_json() for a in attempts]) == expected
    assert envelope_test_helpers(["junk", {"kind": HELPER, "address": 3}]) == {}


def test_merged_keeps_one_attempt_per_control_and_prefers_an_answer() -> None:
    a_failed, a_ok = Attempt(HELPER, "a", "generic_timeout_error"), Attempt(HELPER, "a", None)
    b_failed = Attempt(HELPER, "b", "connection_refused")
    assert merged([a_failed, b_failed, a_ok, Attempt(HELPER, "b", "eof_error")]) == [a_ok, b_failed]


def test_never_answered_names_the_controls_that_failed_for_every_target() -> None:
    def m(*attempts: Attempt) -> dict[str, object]:
        return {"test_keys": {"x_controls": [a.as_json() for a in attempts]}}

    measurements = [
        m(helper(A, "generic_timeout_error"), helper(B, "connection_reset")),
        m(helper(A, "generic_timeout_error", skipped=True), helper(B)),
        {"test_keys": {}},
        {"test_keys": {"x_controls": ["junk"]}},
    ]
    assert never_answered(measurements) == {A: "generic_timeout_error"}


def test_a_control_that_answered_before_is_down_only_after_two_failures_in_a_row() -> None:
    health = Health()
    health.unreachable("never", "connection_refused")
    assert health.down("never") == "connection_refused"
    health.reached("flaky")
    health.unreachable("flaky", "eof_error")  # one broken kept-alive connection
    assert health.down("flaky") is None
    health.reached("flaky")
    health.unreachable("flaky", "eof_error")
    assert health.down("flaky") is None  # the strikes start again after every answer
    health.unreachable("flaky", "generic_timeout_error")
    assert health.down("flaky") == "generic_timeout_error"  # the failure that settled it
