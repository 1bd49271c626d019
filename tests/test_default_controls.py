"""No flags: the run tries the public controls, records each failure, and tests never reach them.

The guard of ``conftest.py`` stands in for a network where the controls cannot be reached: it
refuses their names in this process, so the run below sees them fail exactly as a blocked or
offline network would make them fail, and nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PKI, DefaultEndpointGuard
from loopback.background import background
from loopback.dns_server import Zone, serve
from loopback.web import serve_http
from typer.testing import CliRunner

from probe.cli.app import app
from probe.control.defaults import DEFAULT_DOH_URLS, DEFAULT_HELPER_URLS, OFF, default_hosts
from probe.options import ENV_DOH_URLS, ENV_GEOIP_MYADDR, ENV_HELPER_URL


@pytest.fixture
def site() -> Iterator[tuple[str, str]]:
    """A loopback resolver and an HTTP site it points to."""
    with background() as bg:
        transport, resolver = bg.run(serve(Zone({"example.test": ["127.0.0.1"]})))
        server, port = bg.run(serve_http())
        yield resolver, f"http://example.test:{port}/"
        bg.loop.call_soon_threadsafe(server.close)
        bg.loop.call_soon_threadsafe(transport.close)


def test_tests_run_with_every_default_control_turned_off() -> None:
    assert (os.environ[ENV_HELPER_URL], os.environ[ENV_DOH_URLS]) == (OFF, OFF)
    assert os.environ[ENV_GEOIP_MYADDR].endswith("@127.0.0.1:9")


def test_the_guard_refuses_and_reports_the_default_control_names(
    default_endpoint_guard: DefaultEndpointGuard,
) -> None:
    for name in ("0.th.ooni.org", "DNS.Google.", b"dns.quad9.net"):
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo(name, 443)
    assert socket.getaddrinfo("localhost", 80)  # any other name resolves as usual
    assert default_endpoint_guard.contacted == ["0.th.ooni.org", "DNS.Google.", "dns.quad9.net"]
    default_endpoint_guard.contacted.clear()  # seen and checked: not a failure of this test


def test_a_run_without_flags_tries_the_default_controls_and_records_their_failure(
    site: tuple[str, str],
    pki: PKI,
    tmp_path: Path,
    default_endpoint_guard: DefaultEndpointGuard,
) -> None:
    resolver, url = site
    out = tmp_path / "out.jsonl"
    env = {
        ENV_HELPER_URL: None,  # unset: the CLI's defaults apply
        ENV_DOH_URLS: None,
        "PROBE_RESOLVER": resolver,
        "PROBE_CA_BUNDLE": str(pki.bundle),
        "PROBE_BOGON_EXEMPT": "127.0.0.0/8",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    argv = ["run", "--yes", "--no-geoip", "--no-system-dns", "--no-progress", "--parallel", "1"]
    argv += ["--output", str(out), "--url", url, "--url", url + "second"]
    result = CliRunner().invoke(app, argv, env=env)
    assert result.exit_code == 0, result.output
    assert "no usable answer from https://0.th.ooni.org/ (dns_nxdomain_error)" in result.output
    assert "https://dns.quad9.net/dns-query (dns_nxdomain_error)" in result.output
    # Every default control was really asked for, and the guard stopped each one.
    assert set(default_endpoint_guard.contacted) == default_hosts()
    default_endpoint_guard.contacted.clear()
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    nx = "dns_nxdomain_error"
    tried = [("helper", h) for h in DEFAULT_HELPER_URLS] + [("doh", d) for d in DEFAULT_DOH_URLS]
    assert first["test_keys"]["x_controls"] == [
        {"kind": kind, "address": address, "failure": nx, "skipped": False}
        for kind, address in tried
    ]
    # The next target does not wait for them again; its file still says what failed.
    assert second["test_keys"]["x_controls"] == [
        {"kind": kind, "address": address, "failure": nx, "skipped": True}
        for kind, address in tried
    ]
    backend = [r["test_helpers"]["backend"]["address"] for r in (first, second)]
    assert backend == [DEFAULT_HELPER_URLS[-1], DEFAULT_HELPER_URLS[0]]
    for record in (first, second):
        keys: dict[str, Any] = record["test_keys"]
        assert keys["control"] == {} and keys["control_failure"] == nx
        assert keys["requests"][0]["response"]["code"] == 200
        # A DoH server whose own name failed is no NXDOMAIN answer about the target.
        assert keys["dns_consistency"] is None
        assert not isinstance(keys["blocking"], str)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--helper", "ftp://helper.test/", "not a http:// or https:// test helper URL"),
        ("--doh-url", "http://doh.test/dns-query", "not a https:// DoH URL"),
        ("--helper", "https://helper.test/,none", "cannot be listed with URLs"),
    ],
)
def test_a_wrong_control_flag_is_a_usage_error_before_anything_is_measured(
    tmp_path: Path, flag: str, value: str, message: str
) -> None:
    assert message in usage_error(tmp_path, [flag, value], {})


@pytest.mark.parametrize("variable", [ENV_HELPER_URL, ENV_DOH_URLS])
def test_an_empty_variable_is_refused_not_read_as_the_defaults(
    tmp_path: Path, variable: str
) -> None:
    assert "use 'none' to turn this control off" in usage_error(tmp_path, [], {variable: ""})


def usage_error(tmp_path: Path, args: list[str], env: dict[str, str]) -> str:
    """The output of a run that must stop with exit 2 before writing anything."""
    out = tmp_path / "out.jsonl"
    argv = ["run", "--yes", "--no-geoip", "--url", "http://example.test/", "-o", str(out), *args]
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "COLUMNS": "200", **env}
    result = CliRunner().invoke(app, argv, env=env)
    assert result.exit_code == 2, result.output
    assert not out.exists()
    return result.output
