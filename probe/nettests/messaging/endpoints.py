"""The apps' endpoints, from the shipped data file or a replacement the lab points at.

The file is data, not code, so a new DC address or host is a one-line change with its source, and
the lab can put TEST-NET stand-ins in place of every real endpoint without touching the tests.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

from probe.net.names import is_ip_literal
from probe.nettests.messaging.checks import KINDS, Check, Kind
from probe.settings import Settings

SHIPPED = "app_endpoints.toml"
METHODS = ("GET", "POST")


class DataFileError(ValueError):
    """A data file that cannot be used; the message names the file and the entry."""


def override(settings: Settings, field: str) -> Path | None:
    """A data file the run configured in place of the shipped one (``Settings.<field>``)."""
    value = getattr(settings, field)
    return Path(value) if value else None


def read_toml(path: Path | None, shipped: str) -> dict[str, Any]:
    """Parse ``path``, or the shipped file of that name when ``path`` is None."""
    try:
        if path is None:
            text = resources.files("probe.data").joinpath(shipped).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{path or shipped}: {exc}") from exc


def app_checks(app: str, path: Path | None = None) -> list[Check]:
    """Every check of ``app``, one per host and port, in file order."""
    data = read_toml(path, SHIPPED)
    table = data.get(app)
    if not isinstance(table, dict):
        raise DataFileError(f"{path or SHIPPED}: no [{app}] table")
    checks: list[Check] = []
    for number, entry in enumerate(table.get("check") or [], start=1):
        checks.extend(_expand(entry, f"{path or SHIPPED}: [[{app}.check]] #{number}"))
    if not checks:
        raise DataFileError(f"{path or SHIPPED}: [{app}] has no checks")
    return checks


def _shipped_ca(name: object, where: str) -> Path | None:
    """``ca = "FILE"``: a PEM file shipped in probe/data, the roots that check validates with."""
    if name is None:
        return None
    shipped = resources.files("probe.data").joinpath(str(name))
    if not isinstance(name, str) or "/" in name or not shipped.is_file():
        raise DataFileError(f"{where}: ca must name a PEM file shipped in probe/data")
    return Path(str(shipped))


def _expand(entry: Mapping[str, Any], where: str) -> list[Check]:
    kind = entry.get("kind")
    hosts = entry.get("hosts")
    ports = entry.get("ports", [])
    role = entry.get("role")
    if kind not in KINDS:
        raise DataFileError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not isinstance(role, str) or not role:
        raise DataFileError(f"{where}: role missing")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise DataFileError(f"{where}: hosts must be a non-empty list of names")
    if not isinstance(ports, list) or not all(isinstance(p, int) and 0 < p < 65536 for p in ports):
        raise DataFileError(f"{where}: ports must be a list of TCP ports")
    address = entry.get("address")
    if address is not None and not (isinstance(address, str) and is_ip_literal(address)):
        raise DataFileError(f"{where}: address must be an IP address")
    ca = _shipped_ca(entry.get("ca"), where)
    method = entry.get("method", "GET")
    if method not in METHODS or (method != "GET" and kind not in ("http", "https")):
        raise DataFileError(f"{where}: method must be one of {', '.join(METHODS)}, for http(s)")
    if kind == "dns":
        ports = [0]
    elif not ports:
        raise DataFileError(f"{where}: kind {kind} needs ports")
    return [
        Check(
            role=role,
            host=host,
            port=port,
            kind=cast(Kind, kind),
            path=str(entry.get("path", "/")),
            verify=bool(entry.get("verify", True)),
            address=address,
            ca=ca,
            method=method,
        )
        for host in hosts
        for port in ports
    ]
