from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probe.control.protocol import (
    MAX_ENDPOINTS,
    ControlRequest,
    ControlResponse,
    ProtocolError,
    parse_endpoint,
)

OONI_RESPONSE: dict[str, Any] = {
    "tcp_connect": {
        "203.0.113.10:443": {"status": True, "failure": None},
        "[2001:db8::1]:443": {"status": False, "failure": "connection_refused_error"},
    },
    "tls_handshake": {
        "203.0.113.10:443": {"server_name": "www.tumblr.com", "status": True, "failure": None}
    },
    "quic_handshake": {},  # newer OONI helpers send keys we do not use
    "http_request": {
        "body_length": 5120,
        "discovered_h3_endpoint": "",
        "failure": None,
        "title": "Tumblr",
        "headers": {"Content-Type": "text/html"},
        "status_code": 200,
    },
    "http3_request": None,
    "dns": {"failure": None, "addrs": ["203.0.113.10", "2001:db8::1"]},
    "ip_info": {"203.0.113.10": {"asn": 64500, "flags": 11}},
}


def test_request_round_trip() -> None:
    request = ControlRequest(
        "https://сайт.қаз/path?q=1",
        {"User-Agent": ("UA",), "Accept": ("a", "b")},
        ("203.0.113.10:443", "[2001:db8::1]:443"),
    )
    wire = json.loads(json.dumps(request.to_json()))
    assert ControlRequest.from_json(wire) == request


def test_request_optional_fields_default_empty() -> None:
    parsed = ControlRequest.from_json({"http_request": "http://example.test/"})
    assert parsed.tcp_connect == ()
    assert parsed.http_request_headers == {}


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ({"http_request": None}, "expected str"),
        ({"http_request": "ftp://example.test/"}, "http://"),
        ({"http_request": "http:///nohost"}, "with a host"),
        ({"http_request": "http://example.test:99999/"}, "http_request"),
        ({"http_request": "http://example.test/" + "a" * 3000}, "too long"),
        ({"http_request_headers": {"Accept": "text/html"}}, "expected list"),
        ({"http_request_headers": {"Accept": [1]}}, "expected str"),
        ({"http_request_headers": {"A": ["x" * 2000]}}, "too long"),
        ({"tcp_connect": "203.0.113.10:443"}, "expected list"),
        ({"tcp_connect": ["example.test:443"]}, "not an IP"),
        ({"tcp_connect": ["203.0.113.10"]}, "expected ip:port"),
        ({"tcp_connect": ["203.0.113.10:0"]}, "bad port"),
        ({"tcp_connect": ["[203.0.113.10]:443"]}, "brackets"),
        ({"tcp_connect": ["2001:db8::1:443"]}, "expected ip:port"),
        (
            {"tcp_connect": [f"203.0.113.{i % 250}:80" for i in range(MAX_ENDPOINTS + 1)]},
            "too many",
        ),
        # falsy is not empty: only a missing key or null is
        ({"tcp_connect": 0}, "expected list"),
        ({"tcp_connect": ""}, "expected list"),
        ({"http_request_headers": False}, "expected dict"),
        ({"http_request_headers": []}, "expected dict"),
        # int() and str.isdigit() take any Unicode digit; ports are ASCII
        ({"tcp_connect": ["203.0.113.10:٤٤٣"]}, "bad port"),
        ({"tcp_connect": ["203.0.113.10:४४३"]}, "bad port"),
        ({"tcp_connect": ["203.0.113.10:000443"]}, "bad port"),
        ({"http_request": "http://example.test:٤٤٣/"}, "http_request"),
        ({"http_request": "http://example.test:0/"}, "port 0"),
        ({"http_request": "http://example.test/" + "ж" * 1100}, "too long"),  # bytes, not chars
        ({"http_request_headers": {"A": ["ж" * 10]}}, "not ASCII"),
        ({"http_request_headers": {"A:B": ["x"]}}, "not a header name"),
    ],
)
def test_request_rejects(mutation: dict[str, Any], message: str) -> None:
    obj = {"http_request": "http://example.test/", **mutation}
    with pytest.raises(ProtocolError, match=message):
        ControlRequest.from_json(obj)


def test_request_must_be_an_object() -> None:
    with pytest.raises(ProtocolError, match="expected dict"):
        ControlRequest.from_json(["http://example.test/"])


def test_ooni_response_parses_and_drops_unknown_keys() -> None:
    parsed = ControlResponse.from_json(OONI_RESPONSE)
    assert parsed.tcp_connect["[2001:db8::1]:443"].failure == "connection_refused_error"
    assert parsed.tls_handshake["203.0.113.10:443"].server_name == "www.tumblr.com"
    assert parsed.http_request.title == "Tumblr"
    assert parsed.ip_info["203.0.113.10"].flags == 11
    normalised = parsed.to_json()
    assert "quic_handshake" not in normalised
    assert "discovered_h3_endpoint" not in normalised["http_request"]
    assert ControlResponse.from_json(normalised) == parsed


def test_legacy_response_without_tls_and_ip_info_and_with_go_nulls() -> None:
    legacy = copy.deepcopy(OONI_RESPONSE)
    del legacy["tls_handshake"], legacy["ip_info"]
    legacy["dns"]["addrs"] = None
    legacy["http_request"]["headers"] = None
    parsed = ControlResponse.from_json(legacy)
    assert parsed.tls_handshake == {}
    assert parsed.ip_info == {}
    assert parsed.dns.addrs == ()
    assert parsed.http_request.headers == {}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("dns",), None, "expected dict"),
        (("tcp_connect", "203.0.113.10:443", "status"), "true", "expected bool"),
        (("tcp_connect", "203.0.113.10:443", "failure"), 3, "expected str or null"),
        (("http_request", "body_length"), True, "expected int"),
        (("http_request", "status_code"), 200.0, "expected int"),
        (("http_request", "headers"), {"X": ["a"]}, "expected str"),
        (("dns", "addrs"), "203.0.113.10", "expected list"),
        (("dns", "addrs"), "", "expected list"),  # falsy is not null
        (("http_request", "headers"), [], "expected dict"),
        (("ip_info", "203.0.113.10", "asn"), None, "expected int"),
    ],
)
def test_response_rejects_wrong_types(path: tuple[str, ...], value: Any, message: str) -> None:
    obj = copy.deepcopy(OONI_RESPONSE)
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ProtocolError, match=message):
        ControlResponse.from_json(obj)


@pytest.mark.parametrize("missing", ["dns", "tcp_connect", "http_request"])
def test_response_requires_core_keys(missing: str) -> None:
    obj = copy.deepcopy(OONI_RESPONSE)
    del obj[missing]
    with pytest.raises(ProtocolError, match=f"missing '{missing}'"):
        ControlResponse.from_json(obj)


def test_response_rejects_bad_keys() -> None:
    obj = copy.deepcopy(OONI_RESPONSE)
    obj["tcp_connect"]["www.tumblr.com:443"] = {"status": True, "failure": None}
    with pytest.raises(ProtocolError, match="not an IP"):
        ControlResponse.from_json(obj)
    obj = copy.deepcopy(OONI_RESPONSE)
    obj["ip_info"]["tumblr"] = {"asn": 1, "flags": 1}
    with pytest.raises(ProtocolError, match="not an IP"):
        ControlResponse.from_json(obj)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("203.0.113.10:443", ("203.0.113.10", 443)),
        ("[2001:db8::1]:80", ("2001:db8::1", 80)),
        ("[2001:DB8:0::1]:80", ("2001:db8::1", 80)),
    ],
)
def test_parse_endpoint(text: str, parsed: tuple[str, int]) -> None:
    assert parse_endpoint(text) == parsed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["dns", "tcp_connect", "http_request", "status", "failure", "addrs", "x"]
            )
            | st.text(max_size=4),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json_is_parsed_or_refused_never_crashes(value: Any) -> None:
    for parse in (ControlResponse.from_json, ControlRequest.from_json):
        with contextlib.suppress(ProtocolError):
            parse(value)
