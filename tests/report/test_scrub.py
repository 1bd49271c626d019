from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from probe.report.scrub import SCRUBBED, forms, scrub

ADDRESS = "198.51.100.23"


def test_address_is_removed_from_bodies_headers_failures_and_keys() -> None:
    binary = b"\xff\xfe" + ADDRESS.encode() + b"\x00"
    record = {
        "failure": f"unknown_failure: OSError: bind {ADDRESS}:5353",
        "response": {
            "headers": {"X-Real-IP": ADDRESS, ADDRESS: "as a key"},
            "headers_list": [["X-Forwarded-For", f"{ADDRESS}, 203.0.113.1"]],
            "body": f"<p>Your IP is {ADDRESS}</p>",
        },
        "binary": {"format": "base64", "data": base64.b64encode(binary).decode()},
        "count": 3,
        "flag": None,
    }
    cleaned = scrub(record, forms(ADDRESS))
    assert ADDRESS not in json.dumps(cleaned)
    assert ADDRESS.encode() not in base64.b64decode(cleaned["binary"]["data"])
    assert cleaned["response"]["headers"]["X-Real-IP"] == SCRUBBED
    assert "203.0.113.1" in cleaned["response"]["headers_list"][0][1]
    assert cleaned["count"] == 3 and cleaned["flag"] is None
    assert ADDRESS in json.dumps(record)  # the input was not modified


def test_ipv6_spellings_are_all_covered() -> None:
    spellings = forms("2001:db8::17")
    assert "2001:0db8:0000:0000:0000:0000:0000:0017" in spellings
    text = "a 2001:db8::17 b 2001:0db8:0000:0000:0000:0000:0000:0017"
    assert scrub(text, spellings) == f"a {SCRUBBED} b {SCRUBBED}"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    )
)
def test_scrubbed_values_never_contain_the_address(value: object) -> None:
    planted = [value, {"k": f"x{ADDRESS}y"}, ADDRESS]
    assert ADDRESS not in json.dumps(scrub(planted, forms(ADDRESS)))
