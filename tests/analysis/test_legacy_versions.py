"""Only files of probe 0.1 (and other software's) are walked for old strings and keys."""

from __future__ import annotations

from typing import Any

from probe.analysis.legacy import upgraded
from probe.net import errors


def measurement(software: str, version: str) -> dict[str, Any]:
    keys = {
        "queries": [{"failure": "dns_server_failure"}],
        "requests": [{"x_address": "a:80", "request": {}}],
    }
    return {"software_name": software, "software_version": version, "test_keys": keys}


def test_a_probe_0_1_file_is_read_with_todays_strings_and_keys() -> None:
    keys = upgraded(measurement("probe", "0.1.3"))["test_keys"]
    assert keys["queries"][0]["failure"] == errors.DNS_SERVFAIL
    assert keys["requests"][0]["address"] == "a:80"


def test_other_software_is_walked_too() -> None:
    keys = upgraded(measurement("ooniprobe-cli", "3.21.0"))["test_keys"]
    assert keys["requests"][0]["address"] == "a:80"


def test_todays_files_are_not_walked() -> None:
    for version in ("0.2.0", "0.10.1", "1.0.0"):
        stored = measurement("probe", version)
        assert upgraded(stored)["test_keys"] is stored["test_keys"]
    assert upgraded(measurement("probe", "dev"))["test_keys"]["requests"][0]["address"] == "a:80"
