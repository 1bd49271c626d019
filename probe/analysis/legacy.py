"""Files written before the probe's output matched OONI's spec, read as if written today.

Analysis reads only today's keys and strings; this turns what probe 0.1 wrote (see
``docs/data-format.md``, "Versions") into them, so ``probe analyze`` gives old files the verdicts
it gives new ones. The stored measurement is never rewritten: only the analysis's view of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from probe import SOFTWARE_NAME
from probe.net import errors

OLD_FAILURES: Final[Mapping[str, str]] = {
    "dns_server_failure": errors.DNS_SERVFAIL,
    "dns_reply_malformed": errors.DNS_REPLY_MALFORMED,
    "http_protocol_error": errors.HTTP_PROTOCOL_ERROR,
    "http_too_many_redirects": errors.HTTP_TOO_MANY_REDIRECTS,
    "http_invalid_redirect_location": errors.HTTP_INVALID_REDIRECT,
    "bogon_address_refused": errors.BOGON_ADDRESS_REFUSED,
}
"""Probe 0.1's failure strings that df-007 does not define -> the strings written since."""

HELPER_ANSWERS: Final = frozenset({"control", "x_control"})
"""Answers of the test helper, in its own vocabulary (its ``dns_server_failure`` is OONI's
helper's string, not an old probe's): never translated."""

OLD_KEYS: Final[Mapping[str, str]] = {"x_address": "address"}
"""Probe 0.1's names of OONI keys (df-001's ``address`` of a request) -> OONI's."""


CURRENT_SINCE: Final = (0, 2)
"""The probe version since which every file has today's keys and strings."""


def upgraded(measurement: Mapping[str, Any]) -> dict[str, Any]:
    """``measurement`` with today's failure strings and key names; unchanged if already so."""
    keys = measurement.get("test_keys")
    if not isinstance(keys, Mapping) or _current(measurement):
        return dict(measurement)
    return {**measurement, "test_keys": _walk(keys)}


def _current(measurement: Mapping[str, Any]) -> bool:
    """Written by a probe of today's format: nothing to walk (it is most of a run's analysis)."""
    if measurement.get("software_name") != SOFTWARE_NAME:
        return False
    try:
        major, minor = str(measurement.get("software_version")).split(".")[:2]
        return (int(major), int(minor)) >= CURRENT_SINCE
    except ValueError:
        return False


def _walk(value: Any) -> Any:
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in HELPER_ANSWERS:
            out[key] = item
        elif _is_failure_key(key) and isinstance(item, str):
            out[key] = OLD_FAILURES.get(item, item)
        else:
            out[key] = _walk(item)
    for old, new in OLD_KEYS.items():
        if old in out and new not in out and "request" in out:
            out[new] = out.pop(old)
    return out


def _is_failure_key(key: str) -> bool:
    return key == "failure" or key.endswith("_failure")
