"""doh_reachability end to end (``probe run --test doh_reachability``) and its verdicts.

The resolvers are a loopback DoH server over trustme TLS and a closed loopback port; no other
endpoint is contacted (``--helper none``, ``--no-geoip``, a closed loopback DNS resolver).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli.test_run import NOWHERE, run_probe
from conftest import PKI
from loopback.background import background
from loopback.dns_server import Zone

from probe.analysis.doh_reachability import doh_verdict
from probe.helper.http11 import Incoming, Reply, start
from probe.nettests.registry import get


@pytest.fixture
def doh_server(pki: PKI) -> Iterator[str]:
    zone = Zone({"example.com": ["203.0.113.10"]})

    async def answer(incoming: Incoming) -> Reply:
        if incoming.target != "/dns-query":
            return Reply(404)
        return Reply(200, zone.reply(incoming.body) or b"", "application/dns-message")

    with background() as bg:
        server = bg.run(start(answer, "127.0.0.1", 0, max_body=4096, read_timeout=5, tls=pki.good))
        yield f"https://localhost:{server.sockets[0].getsockname()[1]}/dns-query"
        bg.loop.call_soon_threadsafe(server.close)


def _run(pki: PKI, tmp_path: Path, urls: list[str]) -> tuple[dict[str, Any], str]:
    out = tmp_path / "out.jsonl"
    env = {**NOWHERE, "PROBE_CA_BUNDLE": str(pki.bundle), "COLUMNS": "200"}
    args = ["run", "--test", "doh_reachability", "--doh-url", ",".join(urls), "--helper", "none"]
    result = run_probe([*args, "--output", str(out), "--timeout-http", "2"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert (record["test_name"], record["input"]) == ("doh_reachability", None)
    return record["test_keys"], result.stdout


def test_a_resolver_that_answers_is_reachable(pki: PKI, tmp_path: Path, doh_server: str) -> None:
    keys, shown = _run(pki, tmp_path, [doh_server])
    [query] = keys["queries"]
    assert (query["engine"], query["resolver_address"], query["hostname"]) == (
        "doh",
        doh_server,
        "example.com",
    )
    assert query["answers"][0]["ipv4"] == "203.0.113.10"
    assert (keys["x_blocking"], keys["x_accessible"]) == (False, True)
    assert keys["x_detail"] == "every DoH resolver answered (1)"
    assert "DoH resolvers: ok" in shown


def test_a_silent_resolver_without_a_control_is_undetermined(
    pki: PKI, tmp_path: Path, doh_server: str, closed_port: int
) -> None:
    closed = f"https://localhost:{closed_port}/dns-query"
    keys, _ = _run(pki, tmp_path, [doh_server, closed])
    answered, silent = keys["queries"]
    assert answered["failure"] is None and silent["failure"] == "connection_refused"
    assert (keys["x_blocking"], keys["x_accessible"]) == (None, None)
    assert keys["x_detail"] == (
        f"{closed} did not answer (connection_refused); no control confirmed they were up"
    )


def _keys(**control: Any) -> dict[str, Any]:
    query = {"resolver_address": "https://dns.example:8443/q", "failure": "connection_reset"}
    return {"queries": [{**query, "x_rcode": None}], "x_control": control}


@pytest.mark.parametrize(
    ("control", "blocking"),
    [
        ({"names": {"dns.example": {"addrs": ["192.0.2.5"]}}, "endpoints": {}}, None),
        (
            {
                "names": {"dns.example": {"addrs": ["192.0.2.5"]}},
                "endpoints": {"192.0.2.5:8443": {"status": True}},
            },
            "http-failure",
        ),
        ({"names": {}, "endpoints": {"192.0.2.5:8443": {"status": True}}}, None),
    ],
    ids=["control-failed-too", "control-reached", "address-of-another-name"],
)
def test_a_silent_resolver_is_blocked_only_when_the_control_reached_it(
    control: dict[str, Any], blocking: str | None
) -> None:
    verdict = doh_verdict(_keys(**control))
    assert verdict.blocking == blocking
    assert verdict.accessible is (False if blocking else None)


def test_nothing_to_ask_is_undetermined_not_blocked() -> None:
    assert doh_verdict({"x_failure": "no_doh_resolver"}).detail == "not measured: no_doh_resolver"
    assert doh_verdict({"queries": []}).blocking is None


def test_it_is_registered_by_its_module_alone() -> None:
    assert get("doh_reachability").builtin_inputs
