"""Lab stand-ins for the targets the tor and app tests carry built in.

Tor's directory authorities and Telegram's data centres are fixed public addresses, and the apps'
hosts are real names; none exist in a lab. The lab serves one host per role of each app (the
first name the shipped data file gives), puts the fixed addresses on reserved lab addresses, and
writes replacement data files that the client's ``probe run`` reads through PROBE_TOR_AUTHORITIES
and PROBE_APP_ENDPOINTS. Scenarios block them like any other site.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from probe.net.names import is_ip_literal

TOR_AUTHORITIES = (("lab-auth-1", "203.0.113.251"), ("lab-auth-2", "203.0.113.252"))
"""Outside the web pool, so a scenario's ip-drop by ``addresses`` touches nothing else."""
TELEGRAM_DCS = ("203.0.113.253", "203.0.113.254")
TOR_WEBSITES = ("www.torproject.org", "bridges.torproject.org")
TOR_FILE = "tor_authorities.toml"
APPS_FILE = "app_endpoints.toml"
_PORTS = {"http": [80], "https": [443], "tls": [443], "tcp": [443], "dns": []}
"""What the lab's nginx serves: plain HTTP on 80, TLS on 443."""


def addresses() -> tuple[str, ...]:
    """Fixed addresses the lab's web server must also listen on."""
    return tuple(ip for _, ip in TOR_AUTHORITIES) + TELEGRAM_DCS


def _shipped_apps() -> dict[str, Any]:
    text = resources.files("probe.data").joinpath("app_endpoints.toml").read_text("utf-8")
    return {k: v for k, v in tomllib.loads(text).items() if isinstance(v, dict)}


def _app_checks() -> dict[str, list[dict[str, Any]]]:
    """Each app's checks reduced to what the lab can serve: one host per role."""
    dcs = iter(TELEGRAM_DCS * 8)
    apps: dict[str, list[dict[str, Any]]] = {}
    for app, table in _shipped_apps().items():
        checks = []
        for check in table.get("check", []):
            host = check["hosts"][0]
            hosts = (
                [next(dcs) for _ in check["hosts"][: len(TELEGRAM_DCS)]]
                if is_ip_literal(host)
                else [host]
            )
            # The lab's sites are signed by the lab's CA, never by an app's own (``ca``).
            kept = {k: v for k, v in check.items() if k != "ca"}
            stand_in = {**kept, "hosts": hosts, "ports": _PORTS[check["kind"]]}
            stand_in["source"] = "lab stand-in for: " + check.get("source", "")
            checks.append(stand_in)
        apps[app] = checks
    return apps


def domains() -> list[str]:
    """Names the lab must serve for the stand-ins."""
    names = [h for checks in _app_checks().values() for c in checks for h in c["hosts"]]
    return [*TOR_WEBSITES, *(n for n in names if not is_ip_literal(n))]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # JSON strings, ints and lists are TOML too


def write(workdir: Path) -> tuple[Path, Path]:
    """The two replacement data files; returns (tor authorities, app endpoints)."""
    tor = workdir / TOR_FILE
    lines = [f"source = {_toml_value('probe lab stand-ins')}"]
    for name, ip in TOR_AUTHORITIES:
        lines += ["", "[[authority]]", f'name = "{name}"', f'ipv4 = "{ip}"']
        lines += ["or_port = 443", "dir_port = 80"]
    for host in TOR_WEBSITES:
        lines += ["", "[[website]]", f'url = "https://{host}/"']
    tor.write_text("\n".join(lines) + "\n")
    apps = workdir / APPS_FILE
    lines = []
    for app, checks in _app_checks().items():
        lines += [f"[{app}]", f"source = {_toml_value('probe lab stand-ins')}"]
        for check in checks:
            lines += ["", f"[[{app}.check]]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in check.items()]
        lines.append("")
    apps.write_text("\n".join(lines))
    return tor, apps
