"""One running lab: build it from a scenario, run commands in its client, always tear it down.

``running(scenario)`` is the only way in: it checks root and software first, and its ``finally``
(plus handlers that turn SIGTERM and SIGHUP into exceptions) removes every namespace, daemon,
file and /etc/netns entry whatever happens. ``down_all`` finds leftovers by name prefix.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from probe import options
from probe.lab import (
    censor,
    mitm,
    netns,
    pki,
    plan,
    requirements,
    resolvers,
    sites,
    standins,
    topology,
    web,
)
from probe.lab.errors import LabError
from probe.lab.scenario import DEFAULT_INJECT_ADDRESS, Scenario, Site
from probe.net.tcp import endpoint

RUN_DIR = Path("/run/probe-lab")
ETC_NETNS = Path("/etc/netns")
ENV_NATIONAL_ROOT = "PROBE_LAB_NATIONAL_ROOT"
"""Informational: the probe does not read it; tests register it as an interception root."""
ENV_LAB = "PROBE_LAB"
READY_TIMEOUT = 20.0
_POLL = 0.05


@dataclass
class _Daemon:
    name: str
    ns: str
    proc: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            return ""


class Lab:
    """The namespaces, servers and rules for one scenario. Build with ``running``."""

    def __init__(
        self, scenario: Scenario, lists_dir: Path | None = None, store: str | None = None
    ) -> None:
        self.scenario = scenario
        self.store = store
        """The lab collector's ``--store``; None: a DuckDB file in the lab's work folder."""
        self.names = topology.Names.fresh()
        self.workdir = RUN_DIR / self.names.prefix
        listed = [*sites.list_domains(scenario, lists_dir), *standins.domains()]
        self.sites: dict[str, Site] = sites.served(scenario, listed)
        self.addresses = sites.addresses(scenario, self.sites)
        self.addresses6 = sites.addresses6(self.sites.values(), self.addresses)
        self._daemons: list[_Daemon] = []
        self._blockpage_ports: dict[str, int] = {}

    def ns(self, role: str) -> str:
        return self.names.ns(role)

    @property
    def web_root_pem(self) -> Path:
        return self.workdir / "webpki-root.pem"

    @property
    def national_root_pem(self) -> Path | None:
        path = self.workdir / mitm.NATIONAL_ROOT_NAME
        return path if self.scenario.rules_for("tls-mitm") else None

    def daemon_pids(self) -> dict[str, int]:
        """Each running daemon's process id, by name (benchmarks read their CPU time)."""
        return {d.name: d.proc.pid for d in self._daemons}

    def helper_env(self) -> dict[str, str]:
        """The control helper and the collector run in the internet namespace, as ones
        deployed abroad would."""
        return options.environment({"helper": plan.HELPER_URL, "collector": plan.COLLECTOR_URL})

    def environment(self) -> dict[str, str]:
        """What the client's commands get, so a plain ``probe run`` measures the lab."""
        env = options.environment(
            {
                "resolver": plan.ISP_RESOLVER,
                "ca_bundle": str(self.web_root_pem),
                "bogon_exempt": ",".join(plan.LAB_RANGES),
                "doh_url": plan.DOH_URL,
                "geoip_myaddr": resolvers.GEOIP_MYADDR,
                "geoip_asn_zone": resolvers.GEOIP_ASN_ZONE,
                "geoip_name_zone": resolvers.GEOIP_NAME_ZONE,
                "no_dns_address": plan.NO_DNS_ADDRESS,
                "tor_authorities": str(self.workdir / standins.TOR_FILE),
                "app_endpoints": str(self.workdir / standins.APPS_FILE),
                # Consent is about real networks; nothing a lab run does reaches one.
                "yes": "1",
            }
        )
        env[ENV_LAB] = self.names.prefix
        if self.national_root_pem:
            env[ENV_NATIONAL_ROOT] = str(self.national_root_pem)
        return env | self.helper_env()

    def run(self, argv: Sequence[str]) -> int:
        """Run a command in the client namespace with the lab's environment; returns its status."""
        env = os.environ | self.environment()
        cmd = ["ip", "netns", "exec", self.ns("client"), *argv]
        try:
            return subprocess.run(cmd, env=env, check=False).returncode
        except FileNotFoundError as exc:
            raise LabError(f"cannot run {argv[0]}: {exc.strerror}") from None

    # -- building ---------------------------------------------------------------------------

    def start(self) -> None:
        self.workdir.mkdir(parents=True)
        standins.write(self.workdir)
        topology.build(self.names, self.scenario.client_ipv6)
        etc = ETC_NETNS / self.ns("client")
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "resolv.conf").write_text(f"nameserver {plan.ISP_RESOLVER}\n")
        web_root = pki.root("Lab Web PKI Root", "probe lab")
        self.web_root_pem.write_bytes(web_root.pem)
        self._start_internet(web_root)
        self._start_censor()
        self._wait_ready()

    def _dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir()
        return path

    def _spawn(self, name: str, role: str, argv: Sequence[str]) -> None:
        log = self.workdir / f"{name}.log"
        proc = netns.spawn(self.ns(role), argv, log)
        self._daemons.append(_Daemon(name, self.ns(role), proc, log))

    def _start_internet(self, web_root: pki.Authority) -> None:
        wd = self._dir("internet")
        doh_pem, doh_key = pki.write_server(wd / "doh", web_root, plan.HONEST_RESOLVER)
        conf = wd / "unbound.conf"
        conf.write_text(
            resolvers.honest_conf(
                wd, self.addresses, self.addresses6, doh_pem, doh_key, self.scenario.network
            )
        )
        self._spawn("honest-resolver", "internet", ["unbound", "-d", "-c", str(conf)])
        nginx_conf = web.write_sites(
            wd, self.sites.values(), self.addresses, self.addresses6, web_root, standins.addresses()
        )
        self._spawn("web", "internet", ["nginx", "-e", "stderr", "-c", str(nginx_conf)])
        helper_pem, helper_key = pki.write_server(wd / "helper", web_root, plan.HELPER)
        self._spawn("helper", "internet", [
            sys.executable, "-m", "probe", "helper", "serve",
            "--listen", f"{plan.HELPER}:{plan.HELPER_PORT}", "--allow-private",
            "--tls-cert", str(helper_pem), "--tls-key", str(helper_key),
            "--resolver", plan.HONEST_RESOLVER, "--ca-bundle", str(self.web_root_pem),
            "--bogon-exempt", ",".join(plan.LAB_RANGES), "--max-inflight", "1024",
        ])  # fmt: skip
        if importlib.util.find_spec("duckdb") is not None:  # the collector extra is installed
            self._start_collector(wd, web_root)
        if shutil.which("microsocks"):
            self._spawn("socks", "internet", ["microsocks", "-i", plan.SOCKS, "-p",
                                              str(plan.SOCKS_PORT)])  # fmt: skip

    def _start_collector(self, wd: Path, web_root: pki.Authority) -> None:
        collector_pem, collector_key = pki.write_server(wd / "collector", web_root, plan.COLLECTOR)
        store = self.store or f"duckdb:{wd / 'collector.duckdb'}"
        self._spawn("collector", "internet", [
            sys.executable, "-m", "probe", "collector", "serve", "--store", store,
            "--listen", f"{plan.COLLECTOR}:443", "-v",
            "--tls-cert", str(collector_pem), "--tls-key", str(collector_key),
        ])  # fmt: skip

    def _start_censor(self) -> None:
        wd = self._dir("censor")
        scenario = self.scenario
        rpz = wd / "rpz.zone"
        rpz.write_text(resolvers.rpz_zone(scenario))
        conf = wd / "unbound.conf"
        conf.write_text(resolvers.isp_conf(wd, rpz))
        self._spawn("isp-resolver", "censor", ["unbound", "-d", "-c", str(conf)])
        self._blockpage_ports = self._start_blockpage(wd)
        rules = censor.iptables(scenario, self.addresses, self._blockpage_ports)
        netns.sh(["iptables-restore"], ns=self.ns("censor"), input_text=rules)
        rules6 = censor.ip6tables(scenario, self.addresses6)
        netns.sh(["ip6tables-restore"], ns=self.ns("censor"), input_text=rules6)
        for command in censor.tc_commands(scenario, self.addresses):
            netns.sh(command, ns=self.ns("censor"))
        mitm_domains = [d for r in scenario.rules_for("tls-mitm") for d in r.domains]
        if mitm_domains:
            confdir = mitm.write_confdir(self.workdir)
            self._spawn("mitm", "censor", mitm.command(confdir, mitm_domains, self.web_root_pem))
        answers = [
            f"{d}={r.address or DEFAULT_INJECT_ADDRESS}"
            for r in scenario.rules_for("dns-inject")
            for d in r.domains
        ]
        python = [sys.executable, "-m"]
        if answers:
            queue = str(censor.INJECT_QUEUE)
            self._spawn("injector", "censor", [*python, "probe.lab.injector", "--queue", queue,
                                               *answers])  # fmt: skip
        if scenario.latency_ms > 0:
            half = str(scenario.latency_ms / 2)
            self._spawn("delay", "censor", [*python, "probe.lab.delay", "--queue",
                                            str(censor.DELAY_QUEUE), "--ms", half])  # fmt: skip

    def _start_blockpage(self, wd: Path) -> dict[str, int]:
        """Start the censor's nginx if any rule needs it; returns address -> its proxy port."""
        targets: dict[str, list[str]] = {}
        bodies: dict[str, str] = {}
        for rule in self.scenario.rules_for("http-blockpage"):
            for domain in rule.domains:
                if domain in self.addresses:
                    targets.setdefault(self.addresses[domain], []).append(domain)
                    if rule.body is not None:
                        bodies[domain] = rule.body
        if not targets:
            return {}
        conf = web.write_blockpage(wd, targets, bodies)
        self._spawn("blockpage", "censor", ["nginx", "-e", "stderr", "-c", str(conf)])
        return {a: plan.BLOCKPAGE_PORT_BASE + i for i, a in enumerate(sorted(targets))}

    def _expected_listeners(self) -> dict[str, set[str]]:
        want: dict[str, set[str]] = {
            "honest-resolver": {f"{plan.HONEST_RESOLVER}:53", f"{plan.HONEST_RESOLVER}:443"},
            "isp-resolver": {f"{plan.ISP_RESOLVER}:53"},
            "web": {
                endpoint(a, 443)
                for a in {
                    *self.addresses.values(),
                    *self.addresses6.values(),
                    *standins.addresses(),
                }
            },
            "helper": {f"{plan.HELPER}:{plan.HELPER_PORT}"},
            "collector": {f"{plan.COLLECTOR}:443"},
            "socks": {f"{plan.SOCKS}:{plan.SOCKS_PORT}"},
            "mitm": {f"0.0.0.0:{plan.MITM_PORT}"},
        }
        want["blockpage"] = {f"0.0.0.0:{port}" for port in self._blockpage_ports.values()}
        return want

    def _wait_ready(self) -> None:
        want = self._expected_listeners()
        ready_lines = {"injector": censor.INJECTOR_READY, "delay": censor.DELAY_READY}
        pending = {d.name for d in self._daemons}
        deadline = time.monotonic() + READY_TIMEOUT
        while pending:
            listening: dict[str, set[str]] = {}
            for daemon in self._daemons:
                if daemon.name not in pending:
                    continue
                if daemon.proc.poll() is not None:
                    raise LabError(f"{daemon.name} exited at start:\n{daemon.tail()}")
                if daemon.name in ready_lines:
                    ok = ready_lines[daemon.name] in daemon.tail()
                else:
                    if daemon.ns not in listening:
                        listening[daemon.ns] = _listening(daemon.ns)
                    ok = want[daemon.name] <= listening[daemon.ns]
                if ok:
                    pending.discard(daemon.name)
            if pending and time.monotonic() > deadline:
                raise LabError(
                    f"not ready after {READY_TIMEOUT:.0f}s: {', '.join(sorted(pending))}"
                )
            time.sleep(_POLL if pending else 0)

    # -- teardown ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Idempotent: it runs from ``finally`` on every path, after a partial start too."""
        for daemon in reversed(self._daemons):
            if daemon.proc.poll() is None:
                daemon.proc.terminate()
        for daemon in self._daemons:
            try:
                daemon.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                daemon.proc.kill()
                daemon.proc.wait()
        self._daemons.clear()
        remove(self.names.prefix)


def _listening(ns: str) -> set[str]:
    """``address:port`` of every listening TCP and bound UDP socket in ``ns``."""
    out = netns.sh(["ss", "-Hlntu"], ns=ns)
    return {line.split()[4] for line in out.splitlines() if len(line.split()) > 4}


def remove(prefix: str) -> None:
    """Delete a lab's namespaces (killing what runs in them), /etc/netns entries and files."""
    for ns in netns.names():
        if ns.startswith(prefix):
            netns.delete(ns)
            shutil.rmtree(ETC_NETNS / ns, ignore_errors=True)
    shutil.rmtree(RUN_DIR / prefix, ignore_errors=True)


def leftovers() -> list[str]:
    """Lab prefixes (``plab-<id>``) that still have namespaces or files."""
    found = {"-".join(ns.split("-")[:2]) for ns in netns.names() if ns.startswith(plan.NS_PREFIX)}
    if RUN_DIR.is_dir():
        found |= {p.name for p in RUN_DIR.iterdir() if p.name.startswith(plan.NS_PREFIX)}
    if ETC_NETNS.is_dir():
        found |= {
            "-".join(p.name.split("-")[:2])
            for p in ETC_NETNS.iterdir()
            if p.name.startswith(plan.NS_PREFIX)
        }
    return sorted(found)


def down_all() -> list[str]:
    """Remove every lab on the machine (running or crashed); returns their prefixes."""
    requirements.require_root()
    found = leftovers()
    for prefix in found:
        remove(prefix)
    return found


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _signals_unwind() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into SystemExit so ``finally`` blocks run; Ctrl-C already does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, _raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextmanager
def running(
    scenario: Scenario, lists_dir: Path | None = None, store: str | None = None
) -> Iterator[Lab]:
    requirements.require_root()
    requirements.check(scenario)
    lab = Lab(scenario, lists_dir, store)
    with _signals_unwind():
        try:
            lab.start()
            yield lab
        finally:
            _shielded(lab.stop)


def _shielded(action: Callable[[], None]) -> None:
    """Run teardown with Ctrl-C ignored, so a second Ctrl-C cannot leave a half-removed lab."""
    if threading.current_thread() is not threading.main_thread():
        action()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        action()
    finally:
        signal.signal(signal.SIGINT, previous)
