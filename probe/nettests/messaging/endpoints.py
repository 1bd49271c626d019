"""The apps' endpoints, from the shipped data file or a replacement the lab points at.

The file is data, not code, so a new DC address or host is a one-line change with its source, and
the lab can put TEST-NET stand-ins in place of every real endpoint without touching the tests.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

from probe.inputs.errors import ListError
from probe.inputs.text import decode_lines
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


_TOML_AT = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column \d+\)$")


def read_toml(path: Path | None, shipped: str) -> dict[str, Any]:
    """Parse ``path``, or the shipped file of that name when ``path`` is None; the error names
    ``FILE:LINE`` when the file is no UTF-8 TOML."""
    try:
        if path is None:
            data = resources.files("probe.data").joinpath(shipped).read_bytes()
        else:
            data = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path or shipped}: {exc.strerror or exc}") from exc
    try:
        return tomllib.loads("\n".join(decode_lines(data, str(path or shipped))))
    except ListError as exc:
        raise DataFileError(str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.match(str(exc))
        where = f"{path or shipped}:{found['line']}" if found else str(path or shipped)
        raise DataFileError(f"{where}: not TOML ({found['reason'] if found else exc})") from exc


def tables(value: object, name: str, where: Path | str) -> list[dict[str, Any]]:
    """``[[name]]`` entries of the file ``where``: a list of tables, or absent."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise DataFileError(f"{where}: {name} must be [[{name}]] tables")
    return value


def check_file(path: Path) -> None:
    """Refuse at start a ``--app-endpoints`` file that a test would stumble on: every app
    table it has must parse (the tests of apps it lacks say so when they run)."""
    data = read_toml(path, SHIPPED)
    if not any(isinstance(table, dict) for table in data.values()):
        raise DataFileError(f"{path}: no app table ([telegram], [signal], ...)")
    for app, table in data.items():
        if isinstance(table, dict):
            app_checks(app, path)


def app_checks(app: str, path: Path | None = None) -> list[Check]:
    """Every check of ``app``, one per host and port, in file order."""
    data = read_toml(path, SHIPPED)
    table = data.get(app)
    if not isinstance(table, dict):
        raise DataFileError(f"{path or SHIPPED}: no [{app}] table")
    checks: list[Check] = []
    for number, entry in enumerate(
        tables(table.get("check"), f"{app}.check", path or SHIPPED), start=1
    ):
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
