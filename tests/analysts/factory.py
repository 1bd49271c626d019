"""Synthetic measurements with verdict keys, shaped like `probe run` + `probe analyze` output.

Shared by the analyst tests and benchmarks so both exercise the same record shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# (blocking, accessible, technique, failing step) per shorthand status used by the tests.
STATUSES: dict[str, tuple[object, object, str | None, tuple[str, str] | None]] = {
    "ok": (False, True, None, None),
    "down": (False, False, None, ("tcp", "connection_refused")),
    "undetermined": (None, None, None, None),
    "dns.nxdomain": ("dns", False, "dns.nxdomain", ("dns", "dns_nxdomain_error")),
    "dns.spoof": ("dns", False, "dns.spoof", None),
    "tcp.timeout": ("tcp_ip", False, "tcp.timeout", ("tcp", "generic_timeout_error")),
    "tls.reset": ("http-failure", False, "tls.reset", ("tls", "connection_reset")),
    "tls.mitm": ("http-failure", False, "tls.mitm", ("tls", "ssl_unknown_authority")),
    "http.blockpage": ("http-diff", False, "http.blockpage", None),
}


def measurement(
    target: str,
    status: str = "ok",
    *,
    asn: str = "AS9198",
    list_name: str = "kz",
    category: str | None = "NEWS",
    report_id: str = "20260101T100000Z_webconnectivity_KZ_9198_n1_aaaa",
    start: str = "2026-01-01 10:00:00",
    ips: tuple[str, ...] = ("203.0.113.10",),
    body: str = "<html><body>hello</body></html>",
    verdicts: bool = True,
) -> dict[str, Any]:
    blocking, accessible, technique, failing = STATUSES[status]
    step, failure = failing or ("", None)
    dns_failed = step == "dns"
    queries = [
        {
            "hostname": target.split("/")[2],
            "query_type": "A",
            "engine": "udp",
            "resolver_address": "192.0.2.53:53",
            "failure": failure if dns_failed else None,
            "answers": []
            if dns_failed
            else [{"answer_type": "A", "ipv4": ip, "ttl": 300} for ip in ips],
        }
    ]
    connects = (
        []
        if dns_failed
        else [
            {
                "ip": ips[0],
                "port": 443,
                "status": {"success": step != "tcp", "failure": failure if step == "tcp" else None},
            }
        ]
    )
    handshakes = (
        [{"address": f"{ips[0]}:443", "failure": failure if step == "tls" else None}]
        if connects and step != "tcp"
        else []
    )
    requests = (
        [{"failure": None, "response": {"code": 200, "body": body}}]
        if handshakes and step != "tls"
        else []
    )
    keys: dict[str, Any] = {
        "queries": queries,
        "tcp_connect": connects,
        "tls_handshakes": handshakes,
        "requests": requests,
        "x_failure": None,
    }
    if verdicts:
        keys |= {
            "blocking": blocking,
            "accessible": accessible,
            "x_technique": technique,
            "x_detail": f"{target} is {status}",
            "x_blockpage": "kz_blockpage" if status == "http.blockpage" else None,
            "x_mitm": {"root_name": "Security Certificate"} if status == "tls.mitm" else None,
        }
    annotations = {"x_list": list_name} | ({"category_code": category} if category else {})
    return {
        "data_format_version": "0.2.0",
        "measurement_start_time": start,
        "test_start_time": start,
        "test_runtime": 0.5,
        "input": target,
        "probe_asn": asn,
        "probe_cc": "KZ",
        "probe_network_name": f"Network {asn}",
        "probe_ip": "127.0.0.1",
        "report_id": report_id,
        "software_name": "probe",
        "software_version": "0.1.0",
        "test_name": "web_connectivity",
        "test_version": "0.1.0",
        "annotations": annotations,
        "test_keys": keys,
    }


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
