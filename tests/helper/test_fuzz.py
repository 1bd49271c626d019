"""Fuzzed request bodies against a public-mode helper: never a 500, never a connection.

The helper runs with the SSRF guard on, behind a loopback resolver that answers 127.0.0.1 for
``example.test``; every address the fuzzer can name is a bogon, so any connection the helper
opens is a guard failure. ``tcp.connect`` is wrapped to count such attempts and refuse them, so
nothing can leave the machine even then.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback.background import Background, background
from loopback.dns_server import Zone, serve

from probe.control.protocol import ControlResponse
from probe.helper.config import HelperConfig
from probe.helper.server import start
from probe.net import tcp
from probe.settings import Timeouts

BOGON_ENDPOINTS = [
    "127.0.0.1:80", "[::1]:443", "10.0.0.1:80", "169.254.169.254:80", "[64:ff9b::7f00:1]:80",
    "[64:ff9b::a9fe:a9fe]:80", "[2002:7f00:1::1]:443", "[::ffff:127.0.0.1]:80", "[fec0::1]:80",
    "[::7f00:1]:80", "[2001:0:7f00:1::f7f7:fbfb]:80", "0.0.0.0:80", "[fe80::1%25eth0]:80",
]  # fmt: skip
HOSTS = [
    "example.test", "nx.test", "127.0.0.1", "[::1]", "[64:ff9b::7f00:1]", "[::ffff:7f00:1]",
    "💩.la", "xn--a", "a" * 64, "пример.рф", "[::1", "0x7f.1", "2130706433", "localhost",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
path_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs")), max_size=12
)  # what a well-formed URL may hold, unescaped text included
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    st.sampled_from(HOSTS) | st.text(max_size=12),
    st.sampled_from(["", ":0", ":80", ":١٢", ":65536", ":-1", ": 80"]),
    st.text(max_size=12),
)
plausible_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(HOSTS),
    st.sampled_from(["", ":80", ":8443"]),
    path_text,
)
plausible = st.fixed_dictionaries(
    {"http_request": plausible_urls},
    optional={
        "http_request_headers": st.dictionaries(
            st.sampled_from(["User-Agent", "Accept", "Accept-Language", "X-Other"]),
            st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)),
            max_size=3,
        ),
        "tcp_connect": st.lists(st.sampled_from(BOGON_ENDPOINTS), max_size=4),
    },
)
hostile = st.fixed_dictionaries(
    {},
    optional={
        "http_request": urls | json_values,
        "http_request_headers": st.dictionaries(
            st.sampled_from(["User-Agent", "Accept", "X"]) | st.text(max_size=6),
            st.lists(st.text(max_size=12), max_size=2) | json_values,
            max_size=3,
        )
        | json_values,
        "tcp_connect": st.lists(st.sampled_from(BOGON_ENDPOINTS) | st.text(max_size=12))
        | json_values,
    },
)
bodies = (
    plausible.map(lambda r: json.dumps(r).encode())
    | hostile.map(lambda r: json.dumps(r).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | plausible.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-16"))
    | st.binary(max_size=64)
)


class Fuzzed:
    def __init__(self, bg: Background, url: str, client: httpx.Client) -> None:
        self.bg = bg
        self.url = url
        self.client = client
        self.connects: list[tuple[str, int]] = []
        self.statuses: dict[int, int] = {}
        self.errors: list[logging.LogRecord] = []


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    with background() as bg, pytest.MonkeyPatch.context() as patch, httpx.Client() as client:
        transport, address = bg.run(serve(Zone({"example.test": ["127.0.0.1"]})))
        config = HelperConfig(resolver=address, timeouts=Timeouts(dns=1.0, tcp=1.0, tls=1.0))
        server, _ = bg.run(start(config, "127.0.0.1", 0))
        state = Fuzzed(bg, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", client)
        real_connect = tcp.connect

        async def counted(ip: str, port: int, timeout: float, t_zero: float) -> Any:
            state.connects.append((ip, port))
            return await real_connect("127.0.0.1", 9, 0.001, t_zero)  # discard port: refused

        patch.setattr(tcp, "connect", counted)
        errors = _Collect(state.errors)
        logging.getLogger("probe").addHandler(errors)
        try:
            yield state
        finally:
            logging.getLogger("probe").removeHandler(errors)
            bg.loop.call_soon_threadsafe(server.close)
            bg.loop.call_soon_threadsafe(transport.close)


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_fuzzed_bodies_get_a_well_formed_answer_or_a_4xx(fuzzed: Fuzzed, body: bytes) -> None:
    reply = fuzzed.client.post(fuzzed.url, content=body, timeout=20)
    fuzzed.statuses[reply.status_code] = fuzzed.statuses.get(reply.status_code, 0) + 1
    assert reply.status_code in (200, 400, 403), reply.text
    answer = reply.json()
    if reply.status_code == 200:
        ControlResponse.from_json(answer)  # the client side's strict parser accepts it
    else:
        assert isinstance(answer["error"], str)
    assert fuzzed.connects == []  # canary: nothing the fuzzer names may be contacted
    assert fuzzed.errors == []  # no ERROR line, so no traceback


def test_the_fuzzer_reached_every_outcome(fuzzed: Fuzzed) -> None:
    """Runs after the fuzz test (file order): it measured some requests and refused others."""
    if not fuzzed.statuses:
        pytest.skip("run together with the fuzz test")
    assert {200, 400, 403} <= set(fuzzed.statuses), fuzzed.statuses
