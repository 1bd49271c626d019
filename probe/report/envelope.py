"""The df-000 base keys that wrap every nettest's ``test_keys``."""

from __future__ import annotations

import platform
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from probe import SOFTWARE_NAME, __version__
from probe.control.attempts import envelope_test_helpers
from probe.net.dns import resolver_ip

DATA_FORMAT_VERSION = "0.2.0"
# The volunteer's address is never stored: OONI's convention for "scrubbed".
PROBE_IP = "127.0.0.1"
OONI_ENGINE_LEVEL = "3.21.0"
"""``annotations.engine_version``: the ooniprobe engine release whose measurement behaviour the
probe's output follows (keys, failure strings, the bug fixes OONI's pipeline checks for), so the
pipeline treats the probe's measurements as that engine's. The probe's own version is in
``software_version`` and ``annotations.x_engine_version`` (docs/data-format.md, "Versions")."""

_ARCHITECTURES = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "x86": "386",
}
"""``platform.machine()`` -> df-000's names (``arm``, ``arm64``, ``386``, ``amd64``)."""


def architecture(machine: str) -> str:
    """df-000's name of this machine's architecture; 32-bit ARM of any revision is ``arm``."""
    lowered = machine.lower()
    if lowered in _ARCHITECTURES:
        return _ARCHITECTURES[lowered]
    return "arm" if lowered.startswith("arm") else lowered


def ooni_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class RunInfo:
    """What all measurements of one run share."""

    test_name: str
    test_version: str
    list_name: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    probe_asn: str = "AS0"
    probe_cc: str = "ZZ"
    probe_network_name: str = ""
    report_id: str = ""

    def __post_init__(self) -> None:
        if not self.report_id:
            stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
            name = self.test_name.replace("_", "")
            rid = f"{stamp}_{name}_{self.probe_cc}_{self.probe_asn[2:]}_n1_{secrets.token_hex(8)}"
            object.__setattr__(self, "report_id", rid)


def measurement(
    run: RunInfo,
    url: str | None,
    started: datetime,
    runtime: float,
    test_keys: dict[str, Any],
    category_code: str = "",
    resolver: str | None = None,
) -> dict[str, Any]:
    """One line of the results file; ``url`` is None for a test whose targets are built in."""
    annotations = {
        "engine_name": SOFTWARE_NAME,
        "engine_version": OONI_ENGINE_LEVEL,
        "platform": platform.system().lower(),
        "architecture": architecture(platform.machine()),
        "x_engine_version": __version__,
        "x_list": run.list_name,
    }
    if category_code:
        annotations["category_code"] = category_code
    return {
        "annotations": annotations,
        "data_format_version": DATA_FORMAT_VERSION,
        "input": url,
        "measurement_start_time": ooni_time(started),
        "probe_asn": run.probe_asn,
        "probe_cc": run.probe_cc,
        "probe_ip": PROBE_IP,
        "probe_network_name": run.probe_network_name,
        "report_id": run.report_id,
        "resolver_asn": "AS0",
        "resolver_ip": resolver_ip(resolver),
        "software_name": SOFTWARE_NAME,
        "software_version": __version__,
        "test_keys": test_keys,
        "test_name": run.test_name,
        "test_runtime": round(runtime, 6),
        "test_helpers": envelope_test_helpers(test_keys.get("x_controls") or []),
        "test_start_time": ooni_time(run.started),
        "test_version": run.test_version,
    }
