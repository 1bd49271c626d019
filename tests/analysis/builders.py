"""Small builders for stored measurements, shaped as docs/data-format.md describes them.

Addresses are TEST-NET ones, exempted from the bogon check as the lab does (``LAB``), so the
bogon tests can use real bogons (10.10.34.35, 127.0.0.1) against them.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from probe.analysis import AnalysisOptions, analyze_measurement

LAB = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
OPTIONS = AnalysisOptions(bogon_exempt=LAB)
REAL = "203.0.113.10"
"""The site's genuine address."""
OTHER = "198.51.100.66"
"""Somewhere else: a spoofed answer or a transparent proxy."""

Json = dict[str, Any]


def query(
    host: str,
    addrs: Sequence[str] = (),
    failure: str | None = None,
    *,
    engine: str = "udp",
    qtype: str = "A",
    resolver: str = "192.0.2.53:53",
    late: Sequence[str] = (),
) -> Json:
    record: Json = {
        "hostname": host,
        "query_type": qtype,
        "engine": engine,
        "resolver_address": resolver,
        "failure": failure,
        "answers": [{"answer_type": "A", "ipv4": a, "ttl": 300} for a in addrs],
        "t0": 0.0,
        "t": 0.01,
    }
    if late:
        record["x_late_answers"] = [{"answer_type": "A", "ipv4": a, "ttl": 300} for a in late]
    return record


def connect(ip: str, port: int, failure: str | None = None) -> Json:
    return {"ip": ip, "port": port, "status": {"success": failure is None, "failure": failure}}


def handshake(
    address: str,
    sni: str,
    failure: str | None = None,
    chain: Sequence[bytes] = (),
    *,
    no_verify: bool = False,
) -> Json:
    return {
        "address": address,
        "server_name": sni,
        "failure": failure,
        "no_tls_verify": no_verify,
        "peer_certificates": [
            {"data": base64.b64encode(der).decode(), "format": "base64"} for der in chain
        ],
        "t0": 0.01,
        "t": 0.02,
    }


def request(
    url: str,
    address: str,
    code: int = 200,
    body: str = "",
    *,
    headers: dict[str, str] | None = None,
    failure: str | None = None,
    transfer: float = 0.001,
    length: int | None = None,
) -> Json:
    return {
        "failure": failure,
        "x_address": address,
        "request": {"method": "GET", "url": url, "headers": {}},
        "response": {
            "code": code,
            "headers": headers if headers is not None else {"Content-Type": "text/html"},
            "body": body,
            "body_is_truncated": False,
            "x_body_length": len(body.encode()) if length is None else length,
            "x_transfer_seconds": transfer,
        },
    }


def page_body(title: str, size: int = 2000) -> str:
    head = f"<html><head><title>{title}</title></head><body>"
    return head + "x" * max(0, size - len(head) - 14) + "</body></html>"


def helper(
    addrs: Sequence[str] = (REAL,),
    *,
    dns_failure: str | None = None,
    tcp: dict[str, bool] | None = None,
    tls: dict[str, bool] | None = None,
    title: str = "Example Site",
    body_length: int = 2000,
    status: int = 200,
    http_failure: str | None = None,
    headers: dict[str, str] | None = None,
) -> Json:
    return {
        "dns": {"failure": dns_failure, "addrs": list(addrs)},
        "tcp_connect": {
            e: {"status": s, "failure": None if s else "x"} for e, s in (tcp or {}).items()
        },
        "tls_handshake": {
            e: {"server_name": "", "status": s, "failure": None if s else "x"}
            for e, s in (tls or {}).items()
        },
        "http_request": {
            "body_length": -1 if http_failure else body_length,
            "failure": http_failure,
            "title": "" if http_failure else title,
            "headers": headers if headers is not None else {"Content-Type": "text/html"},
            "status_code": -1 if http_failure else status,
        },
        "ip_info": {},
    }


def measurement(
    url: str,
    *,
    queries: Sequence[Json] = (),
    tcp: Sequence[Json] = (),
    tls: Sequence[Json] = (),
    requests: Sequence[Json] = (),
    control: Json | None = None,
    control_failure: str | None = None,
    doh: Sequence[Json] = (),
    self_control: Json | None = None,
    x_failure: str | None = None,
) -> Json:
    return {
        "input": url,
        "measurement_start_time": "2026-01-01 00:00:00",
        "test_name": "web_connectivity",
        "test_keys": {
            "queries": list(queries),
            "tcp_connect": list(tcp),
            "tls_handshakes": list(tls),
            "requests": list(requests),
            "x_skipped_bogons": [],
            "x_redirects_exhausted": False,
            "x_failure": x_failure,
            "control": control or {},
            "control_failure": control_failure,
            "x_doh_queries": list(doh),
            "x_self_control": self_control or {},
        },
    }


def neutral(handshakes: Sequence[Json] = (), requests: Sequence[Json] = ()) -> Json:
    return {
        "server_name": "example.com",
        "host": "example.com",
        "tls_handshakes": list(handshakes),
        "requests": list(requests),
    }


def verdict(m: Json, options: AnalysisOptions = OPTIONS) -> Json:
    return analyze_measurement(m, options)
