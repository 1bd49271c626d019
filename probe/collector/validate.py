"""What the collector accepts: bk-003's open-report body and df-000's measurement envelope.

Every check names the field and the reason, because the answer is a 4xx that a probe's
maintainer reads. A real ``probe_ip`` is refused outright: storing it would keep the one thing
that identifies a volunteer, and a collector that accepted it would invite probes to send it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Final

from probe.report.envelope import PROBE_IP
from probe.report.lines import is_time

_ASN: Final = re.compile(r"AS[0-9]{1,10}")
_CC: Final = re.compile(r"[A-Z]{2}")
_SOFTWARE: Final = re.compile(r"[0-9A-Za-z_.+-]+")
_TEST_NAME: Final = re.compile(r"[a-zA-Z0-9_\- ]+")
SCRUBBED_IPS: Final = frozenset({PROBE_IP, "::1", "0.0.0.0", "::"})
"""What probes write in ``probe_ip`` instead of the volunteer's address."""


class SubmissionError(Exception):
    """A request the collector refuses; ``status`` is the 4xx to answer."""

    def __init__(self, message: str, status: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


def parse_object(body: bytes) -> dict[str, Any]:
    try:
        # JSON is UTF-8 (RFC 8259); json.loads would also guess UTF-16 and UTF-32 from bytes.
        value = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise SubmissionError("body is not UTF-8 JSON") from exc
    if not isinstance(value, dict):
        raise SubmissionError("body is not a JSON object")
    return value


def _matching(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and pattern.fullmatch(value) is not None


_OPEN_FIELDS: Final[dict[str, tuple[Callable[[Any], bool], str]]] = {
    "probe_asn": (_matching(_ASN), "an ASN such as AS9198"),
    "probe_cc": (_matching(_CC), "a two-letter country code such as KZ (ZZ: unknown)"),
    "software_name": (_matching(_SOFTWARE), "letters, digits and _.+-"),
    "software_version": (_matching(_SOFTWARE), "letters, digits and _.+-"),
    "test_name": (_matching(_TEST_NAME), "letters, digits, _, - and spaces"),
    "test_version": (_matching(_SOFTWARE), "letters, digits and _.+-"),
    "data_format_version": (lambda v: isinstance(v, str) and v != "", "a version string"),
}
_MEASUREMENT_FIELDS: Final[dict[str, tuple[Callable[[Any], bool], str]]] = {
    **_OPEN_FIELDS,
    "measurement_start_time": (is_time, "a UTC time as YYYY-MM-DD HH:MM:SS"),
    "test_start_time": (is_time, "a UTC time as YYYY-MM-DD HH:MM:SS"),
    "test_keys": (lambda v: isinstance(v, dict), "an object"),
    "input": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "report_id": (lambda v: isinstance(v, str), "a string"),
}


def _check_fields(
    value: dict[str, Any], fields: dict[str, tuple[Callable[[Any], bool], str]], where: str
) -> None:
    for name, (valid, expected) in fields.items():
        if name not in value:
            raise SubmissionError(f"{where}: required field {name} is missing")
        if not valid(value[name]):
            raise SubmissionError(f"{where}: {name} must be {expected}")


def check_probe_ip(value: dict[str, Any], where: str) -> None:
    """Refuse (403) a ``probe_ip`` that is an address other than a scrubbed placeholder."""
    ip = value.get("probe_ip")
    if ip is None or ip in SCRUBBED_IPS:
        return
    try:
        ipaddress.ip_address(ip)
    except (ValueError, TypeError) as exc:
        raise SubmissionError(f"{where}: probe_ip must be an address or null") from exc
    raise SubmissionError(
        f"{where}: probe_ip carries a real address; scrub it (write {PROBE_IP}) before "
        "submitting: this collector never stores a volunteer's address",
        HTTPStatus.FORBIDDEN,
    )


def open_request(body: bytes) -> dict[str, Any]:
    """The header of a report to open (POST /report); only the JSON format is served."""
    value = parse_object(body)
    _check_fields(value, _OPEN_FIELDS, "report")
    if value.get("format") != "json":
        raise SubmissionError('report: format must be "json" (YAML is not accepted)')
    if value.get("content") is not None:
        raise SubmissionError("report: content at open is not accepted; submit measurements")
    check_probe_ip(value, "report")
    return value


def submission(body: bytes, report_id: str) -> dict[str, Any]:
    """The measurement of a POST /report/{id} body, checked against df-000's envelope."""
    value = parse_object(body)
    if value.get("format") != "json":
        raise SubmissionError('format must be "json" (YAML is not accepted)')
    content = value.get("content")
    if not isinstance(content, dict):
        raise SubmissionError("content must be a JSON object (the measurement)")
    _check_fields(content, _MEASUREMENT_FIELDS, "measurement")
    if content["report_id"] != report_id:
        raise SubmissionError("measurement: report_id does not match the report in the URL")
    check_probe_ip(content, "measurement")
    return content
