"""Hostile results files, made by mutating real measurement lines one key at a time.

Each variant is a whole file: the good lines of a pinned loopback run with one line replaced by
a hostile one, so a reader that skips it still has real measurements to count.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PINNED = Path(__file__).parents[1] / "fixtures" / "pinned" / "loopback-web.jsonl"

DEEP = 100_000
"""Deeper than any JSON parser's recursion limit."""
HUGE_INT = "9" * 5000
"""More digits than Python converts from text by default."""

# Values put in place of a key's value; each stands for a wrong shape a file may hold.
WRONG_VALUES: list[Any] = [
    None,
    0,
    -1,
    10**300,
    1.5e308,
    True,
    "",
    "x" * 300,
    "\u202e\u0000",
    [],
    [1, "a", None],
    {},
    {"a": [1, 2]},
    ["a", "b"],
]

TOP_KEYS = [
    "input",
    "test_name",
    "report_id",
    "measurement_start_time",
    "test_start_time",
    "probe_asn",
    "probe_cc",
    "probe_network_name",
    "software_name",
    "software_version",
    "annotations",
    "test_keys",
]
TEST_KEYS = [
    "queries",
    "tcp_connect",
    "tls_handshakes",
    "requests",
    "control",
    "blocking",
    "accessible",
    "x_technique",
    "x_detail",
    "x_mitm",
    "x_network_unusable",
    "x_failure",
    "x_analysis_options",
    "x_doh_queries",
    "x_self_control",
    "x_controls",
]
BAD_TIMES = ["2026-13-45 99:99:99", "yesterday", "2026-01-01T10:00:00Z", "0000-00-00 00:00:00"]


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes
    line: int
    """The hostile line's number (1-based)."""


def good_lines() -> list[str]:
    return PINNED.read_text(encoding="utf-8").splitlines()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _raw_lines(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Whole lines that are not a well-formed measurement at all."""
    yield "deep-array", _nested(DEEP)
    yield "deep-in-test-keys", json.dumps(record)[:-2] + ', "x": ' + _nested(DEEP) + "}}"
    yield "deep-900", '{"test_keys": {"x": ' + _nested(900) + "}}"
    yield "huge-int", '{"test_keys": {"queries": ' + HUGE_INT + "}}"
    yield "huge-int-port", json.dumps(record).replace('"port": ', '"port": ' + HUGE_INT, 1)
    yield "top-array", "[1, 2, 3]"
    yield "top-string", '"a measurement"'
    yield "top-number", "42"
    yield "top-null", "null"
    yield "not-json", "{this is not json"
    yield "truncated", json.dumps(record)[:200]
    yield "nan", '{"test_keys": {"blocking": NaN, "accessible": Infinity}}'
    yield "lone-surrogate", json.dumps(record).replace('"input": "', '"input": "\\ud800', 1)
    yield "lone-surrogate-deep", json.dumps(record).replace("<title>", "<title>\\udfff", 1)
    yield "nul-in-input", json.dumps(record).replace('"input": "', '"input": "\\u0000', 1)
    yield "duplicate-keys", '{"test_keys": {}, "test_keys": 5}'
    yield "empty-object", "{}"
    yield "trailer-not-object", '{"x_run_trailer": [1, 2]}'
    yield "trailer-garbage", '{"x_run_trailer": {"network_unusable": "yes", "unusable_step": 5}}'


def _mutated(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key in TOP_KEYS:
        for index, value in enumerate(WRONG_VALUES):
            changed = copy.deepcopy(record)
            changed[key] = value
            yield f"{key}={index}", changed
        dropped = copy.deepcopy(record)
        dropped.pop(key, None)
        yield f"no-{key}", dropped
    for key in TEST_KEYS:
        for index, value in enumerate(WRONG_VALUES):
            changed = copy.deepcopy(record)
            changed["test_keys"][key] = value
            yield f"test_keys.{key}={index}", changed
    for time in BAD_TIMES:
        for key in ("measurement_start_time", "test_start_time"):
            changed = copy.deepcopy(record)
            changed[key] = time
            yield f"{key}={time}", changed
    items: list[tuple[str, Any]] = [("string", "x"), ("int", 7), ("list", [1]), ("null", None)]
    for key in ("queries", "tcp_connect", "tls_handshakes", "requests", "x_doh_queries"):
        for label, item in items:
            changed = copy.deepcopy(record)
            changed["test_keys"][key] = [item, *(changed["test_keys"].get(key) or [])]
            yield f"test_keys.{key}[0]={label}", changed
    nested = [
        ("queries", "answers"),
        ("queries", "hostname"),
        ("tcp_connect", "ip"),
        ("tcp_connect", "status"),
        ("tcp_connect", "port"),
        ("tls_handshakes", "address"),
        ("tls_handshakes", "peer_certificates"),
        ("requests", "response"),
        ("requests", "request"),
    ]
    for key, inner in nested:
        for index, value in enumerate([7, "x", [1], None, {"a": 1}, 10**300]):
            changed = copy.deepcopy(record)
            for item in changed["test_keys"].get(key) or []:
                if isinstance(item, dict):
                    item[inner] = value
            yield f"test_keys.{key}[].{inner}={index}", changed
    answers: list[Any] = [7, "x", [1], None, {"ipv4": 7}, {"answer_type": "A", "ipv4": 7}]
    for index, value in enumerate(answers):
        changed = copy.deepcopy(record)
        for query in changed["test_keys"].get("queries") or []:
            query["answers"] = [value]
        yield f"answers[]={index}", changed
    for index, value in enumerate([["a"], {"x_list": 5}, {"category_code": ["NEWS"]}, "x"]):
        changed = copy.deepcopy(record)
        changed["annotations"] = value
        yield f"annotations-{index}", changed


def hostile_files() -> Iterator[Hostile]:
    """Every variant: the pinned lines, with the second replaced by a hostile one."""
    lines = good_lines()
    record = json.loads(lines[1])
    variants = [*_raw_lines(record), *((n, json.dumps(r)) for n, r in _mutated(record))]
    for name, hostile in variants:
        body = [lines[0], hostile, *lines[2:]]
        yield Hostile(name, ("\n".join(body) + "\n").encode("utf-8"), 2)
    raw: list[tuple[str, bytes]] = [
        ("binary", b"\x00\xff\xfe" * 100),
        ("latin1", "caf\xe9".encode("latin-1")),
        ("crlf", ("\r\n".join(lines) + "\r\n").encode()),
        ("bom", b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n"),
        ("empty", b""),
        ("only-newlines", b"\n\n\n"),
    ]
    for name, content in raw:
        yield Hostile(name, content, 1)
