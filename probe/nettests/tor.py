"""tor: can this network reach Tor's directory authorities, the Tor Project's sites and bridges?

Keys follow OONI's tor experiment (ts-023): per-protocol totals and a ``targets`` map with a
``summary`` of connect and handshake failures. User-supplied bridges are private: they are
measured like any target, then every trace of their address is replaced by an opaque id.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

from probe.control.attempts import AttemptRecord
from probe.inputs.errors import ListError
from probe.inputs.text import decode_lines
from probe.net import events
from probe.net.records import DNSQuery, TraceKeys
from probe.nettests.app_control import ControlView, Unreached, ask
from probe.nettests.chain import CONNECT, HTTP_ROUND_TRIP, RESOLVE, TLS_HANDSHAKE, StepLists
from probe.nettests.messaging.checks import (
    Check,
    EndpointResult,
    Kind,
    new_observations,
    run_check,
)
from probe.nettests.messaging.endpoints import DataFileError, override, read_toml, tables
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session
from probe.report.scrub import SCRUBBED, forms, scrub

TEST_NAME = "tor"
TEST_VERSION = "0.4.0"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Tor: directory authorities (OR and dir ports), torproject.org, and your --bridges"

SHIPPED = "tor_authorities.toml"
AUTHORITIES_FIELD = "tor_authorities"
"""The Settings field naming a replacement for the shipped authorities file."""
BRIDGES_FIELD = "bridges"
"""The Settings field naming the volunteer's bridge file (``--bridges FILE``)."""

CONSENSUS_PATH = "/tor/status-vote/current/consensus.z"
CONSENSUS_CAP = 4096
"""The consensus is megabytes; its first few KB prove the dir port serves it."""

OONI_PROTOCOLS = ("dir_port", "or_port_dirauth", "or_port", "obfs4")
WEBSITE = "x_https"
"""The Tor Project's web sites: a protocol ts-023 does not define."""
_SUMMARY_NAMES = {CONNECT: "connect", TLS_HANDSHAKE: "handshake", HTTP_ROUND_TRIP: "x_http"}
_SECRET_PARAM_LENGTH = 16
_FINGERPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


class StepFailure(TypedDict):
    failure: str | None


class TorTarget(TraceKeys, StepLists):
    """One entry of ``targets`` (ts-023): how far the target got, with its raw steps."""

    agent: str
    failure: str | None
    summary: dict[str, StepFailure]
    """Per operation attempted (``connect``, ``handshake``, ``x_http``) its failure."""
    target_address: str
    target_name: str | None
    target_protocol: str
    queries: list[DNSQuery]


Counts = dict[str, int]
"""ts-023's ``<protocol>_total`` and ``<protocol>_accessible``; a transport the spec does not name
counts under ``x_<transport>_…``, so the names are not fixed."""


class TorTargets(TypedDict):
    """tor's ``test_keys`` besides the counts."""

    targets: dict[str, TorTarget]
    x_control: ControlView
    x_controls: list[AttemptRecord]


@dataclass(frozen=True)
class Authority:
    name: str
    ipv4: str
    or_port: int
    dir_port: int


@dataclass(frozen=True)
class Bridge:
    transport: str
    """``vanilla`` for a plain bridge line, else the pluggable transport (``obfs4``…)."""
    ip: str
    port: int
    fingerprint: str
    params: tuple[str, ...]

    @property
    def protocol(self) -> str:
        """ts-023's ``target_protocol``; a transport the spec does not name gets ``x_``."""
        if self.transport == "vanilla":
            return "or_port"
        return self.transport if self.transport in OONI_PROTOCOLS else f"x_{self.transport}"

    def secrets(self) -> list[str]:
        """Every string that would identify this bridge in stored text."""
        needles = [*forms(self.ip), f"{self.ip}:{self.port}", f"[{self.ip}]:{self.port}"]
        if self.fingerprint:
            needles += [self.fingerprint.upper(), self.fingerprint.lower()]
        # Long parameter values (obfs4's cert=) identify a bridge; short ones (iat-mode=0) do
        # not, and scrubbing them would mangle every number in the report.
        values = (p.partition("=")[2] or p for p in self.params)
        needles += [v for v in values if len(v) >= _SECRET_PARAM_LENGTH]
        return sorted(set(needles), key=len, reverse=True)


@dataclass(frozen=True)
class _Target:
    id: str
    protocol: str
    name: str | None
    address: str
    check: Check
    bridge: Bridge | None = None


def load_targets(path: Path | None = None) -> tuple[list[Authority], list[str]]:
    """The authorities and website URLs, from ``path`` or the shipped file."""
    data = read_toml(path, SHIPPED)
    where = path or SHIPPED
    authorities: list[Authority] = []
    for number, entry in enumerate(tables(data.get("authority"), "authority", where), start=1):
        try:
            authority = Authority(
                str(entry["name"]),
                str(entry["ipv4"]),
                int(entry["or_port"]),
                int(entry["dir_port"]),
            )
            ipaddress.IPv4Address(authority.ipv4)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{where}: [[authority]] #{number}: {exc}") from exc
        authorities.append(authority)
    addresses = [f"{a.ipv4}:{p}" for a in authorities for p in (a.or_port, a.dir_port)]
    repeated = sorted({a for a in addresses if addresses.count(a) > 1})
    if repeated:
        # Targets are keyed by address (as OONI does), so each must be measured once.
        raise DataFileError(f"{where}: address used twice: {', '.join(repeated)}")
    websites = [str(e["url"]) for e in tables(data.get("website"), "website", where) if "url" in e]
    if not authorities:
        raise DataFileError(f"{where}: no [[authority]] entries")
    return authorities, websites


def parse_bridges(text: str, where: str = "bridges") -> list[Bridge]:
    """Bridge lines as Tor Browser takes them: ``[Bridge] [transport] IP:PORT [FINGERPRINT] …``.

    Errors name the line number only: the line itself is private.
    """
    bridges: list[Bridge] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split()
        if tokens and tokens[0].lower() == "bridge":
            tokens = tokens[1:]
        if not tokens or tokens[0].startswith("#"):
            continue
        transport = "vanilla"
        if _address(tokens[0]) is None:
            transport, tokens = tokens[0].lower(), tokens[1:]
        address = _address(tokens[0]) if tokens else None
        if address is None:
            raise DataFileError(f"{where}:{number}: not a bridge line (IP:PORT expected)")
        rest = tokens[1:]
        fingerprint = rest.pop(0) if rest and _FINGERPRINT.match(rest[0]) else ""
        bridges.append(Bridge(transport, address[0], address[1], fingerprint, tuple(rest)))
    return bridges


def load_bridges(path: Path) -> list[Bridge]:
    """The bridges of a ``--bridges`` file; a file with none is an error, not a quiet no-op."""
    try:
        text = "\n".join(decode_lines(path.read_bytes(), str(path)))
    except OSError as exc:
        raise DataFileError(f"{path}: {exc.strerror or exc}") from exc
    except ListError as exc:
        raise DataFileError(str(exc)) from exc
    bridges = parse_bridges(text, str(path))
    if not bridges:
        raise DataFileError(f"{path}: no bridge line in it (IP:PORT, one per line)")
    return bridges


def bridge_secrets(bridges: Sequence[Bridge]) -> list[str]:
    """What the runner must scrub from every stored field and log line."""
    return sorted({n for b in bridges for n in b.secrets()}, key=len, reverse=True)


def _address(token: str) -> tuple[str, int] | None:
    host, sep, port = token.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    try:
        ip = ipaddress.ip_address(host[1:-1] if host.startswith("[") else host)
    except ValueError:
        return None
    return str(ip), int(port)


async def measure(input: str, session: Session) -> Mapping[str, object]:
    """Measure every Tor target; ``input`` is unused (the targets are built in)."""
    settings = session.settings
    authorities, websites = load_targets(override(settings, AUTHORITIES_FIELD))
    bridges_file = override(settings, BRIDGES_FIELD)
    bridges = load_bridges(bridges_file) if bridges_file else []
    targets = _targets(authorities, websites, bridges, salt=os.urandom(16))
    records = await asyncio.gather(*(_measure_target(t, session) for t in targets))
    by_id = dict(zip((t.id for t in targets), records, strict=True))
    unreached = [
        _unreached(t)
        for t, r in zip(targets, records, strict=True)
        if r["failure"] is not None and t.bridge is None  # bridges are private: never asked about
    ]
    control, tried = await ask(unreached, session)
    keys = TorTargets(targets=by_id, x_control=control, x_controls=tried)
    scrubbed: Mapping[str, object] = scrub({**tally(by_id), **keys}, bridge_secrets(bridges))
    return scrubbed


def _unreached(target: _Target) -> Unreached:
    check = target.check
    if target.protocol == WEBSITE:
        return Unreached(check.host, check.port, None)
    return Unreached(None, check.port, target.address)


def _targets(
    authorities: Sequence[Authority],
    websites: Sequence[str],
    bridges: Sequence[Bridge],
    salt: bytes,
) -> list[_Target]:
    targets: list[_Target] = []
    for a in authorities:
        or_address, dir_address = f"{a.ipv4}:{a.or_port}", f"{a.ipv4}:{a.dir_port}"
        # Tor's link certificates are self-signed: the handshake is measured, not validated.
        or_check = Check("or_port_dirauth", a.ipv4, a.or_port, "tls", verify=False)
        dir_check = Check(
            "dir_port", a.ipv4, a.dir_port, "http", CONSENSUS_PATH, body_cap=CONSENSUS_CAP
        )
        targets.append(_Target(or_address, "or_port_dirauth", a.name, or_address, or_check))
        targets.append(_Target(dir_address, "dir_port", a.name, dir_address, dir_check))
    for url in websites:
        parts = urlsplit(url)
        host = parts.hostname or ""
        check = Check("https", host, parts.port or 443, "https", parts.path or "/")
        targets.append(_Target(url, WEBSITE, host, url, check))
    for bridge in bridges:
        kind: Kind = "tls" if bridge.transport == "vanilla" else "tcp"
        check = Check(bridge.protocol, bridge.ip, bridge.port, kind, verify=False)
        opaque = _bridge_id(bridge, salt)
        targets.append(_Target(opaque, bridge.protocol, None, opaque, check, bridge))
    return targets


def _bridge_id(bridge: Bridge, salt: bytes) -> str:
    """Salted per run, so the same bridge cannot be recognised across reports."""
    digest = hashlib.sha256(salt + f"{bridge.ip}:{bridge.port}{bridge.fingerprint}".encode())
    return f"bridge-{digest.hexdigest()[:16]}"


async def _measure_target(target: _Target, session: Session) -> TorTarget:
    obs = new_observations()
    with events.recording(obs.t_zero) as trace:
        result = await run_check(target.check, session, obs)
    record: TorTarget = {
        "agent": "agent",  # df-001: the checks do not follow redirects
        "failure": result["failure"],
        **trace.keys(),
        "summary": _summary(target.check, result),
        "target_address": target.address,
        "target_name": target.name,
        "target_protocol": target.protocol,
        "queries": obs.queries,
        "tcp_connect": obs.tcp_connect,
        "tls_handshakes": obs.tls_handshakes,
        "requests": obs.requests,
    }
    if target.bridge is not None:
        _hide_bridge(record)
    return record


def _summary(check: Check, result: EndpointResult) -> dict[str, StepFailure]:
    """OONI's per-operation failures, for the operations this target attempted."""
    operations = [CONNECT]
    if check.kind in ("tls", "https"):
        operations.append(TLS_HANDSHAKE)
    if check.kind in ("http", "https"):
        operations.append(HTTP_ROUND_TRIP)
    failed = result["failed_operation"]
    if failed == RESOLVE:
        return {}
    summary: dict[str, StepFailure] = {}
    for operation in operations:
        if failed == operation:
            summary[_SUMMARY_NAMES[operation]] = {"failure": result["failure"]}
            break
        summary[_SUMMARY_NAMES[operation]] = {"failure": None}
    return summary


def _hide_bridge(record: TorTarget) -> None:
    """Drop what identifies a bridge even without its address: its port (0, as df-005's
    ``port`` is an integer) and link certificate."""
    for connect in record["tcp_connect"]:
        connect["ip"], connect["port"] = SCRUBBED, 0
    for handshake in record["tls_handshakes"]:
        handshake["address"], handshake["peer_certificates"] = SCRUBBED, []


def tally(targets: Mapping[str, TorTarget]) -> Counts:
    """Per-protocol totals (the protocols not in ts-023 already carry ``x_``)."""
    keys: Counts = {f"{p}_{n}": 0 for p in OONI_PROTOCOLS for n in ("total", "accessible")}
    for target in targets.values():
        protocol = target["target_protocol"]
        keys[f"{protocol}_total"] = keys.get(f"{protocol}_total", 0) + 1
        accessible = keys.get(f"{protocol}_accessible", 0)
        keys[f"{protocol}_accessible"] = accessible + (target["failure"] is None)
    return keys


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
