"""Building, isolating and always removing labs: success, errors, signals, leftovers."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lab.labkit import TIMEOUT, needs_root, tls_handshake
from probe.cli.lab import lab_app
from probe.lab import lab as lab_module
from probe.lab import netns, plan, scenario
from probe.lab.errors import LabError
from probe.lab.lab import leftovers, running

pytestmark = [pytest.mark.lab, needs_root]
CLEAN = scenario.shipped()["clean"]


def _traces(prefix: str) -> list[str]:
    """Everything of one lab that teardown must remove."""
    found = [ns for ns in netns.names() if ns.startswith(prefix)]
    found += [str(p) for p in (lab_module.RUN_DIR / prefix,) if p.exists()]
    found += [str(p) for p in lab_module.ETC_NETNS.glob(f"{prefix}-*")]
    return found


def test_leftovers_are_removed_by_down_all(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = f"{plan.NS_PREFIX}dead00"
    netns.add(f"{prefix}-client")
    (lab_module.RUN_DIR / prefix).mkdir(parents=True)
    (lab_module.ETC_NETNS / f"{prefix}-client").mkdir(parents=True)
    assert prefix in leftovers()
    # Found for real above; removed for real below, but only this one: other labs on the
    # machine (other tests, other users) keep running.
    monkeypatch.setattr(lab_module, "leftovers", lambda: [prefix])
    result = CliRunner().invoke(lab_app, ["down", "--all"])
    assert result.exit_code == 0 and prefix in result.output
    assert _traces(prefix) == []
    assert CliRunner().invoke(lab_app, ["down"]).exit_code == 2  # --all is required


def test_lab_is_isolated_from_the_host() -> None:
    host_links = netns.sh(["ip", "-o", "link", "show"])
    with running(scenario.load(CLEAN)) as lab:
        assert netns.sh(["ip", "-o", "link", "show"]) == host_links
        links = netns.sh(["ip", "-o", "link", "show"], ns=lab.ns("client"))
        assert [line.split(":")[1].strip().split("@")[0] for line in links.splitlines()] == [
            "lo",
            "eth0",
        ]
        counters = ["iptables", "-L", "FORWARD", "-v", "-x", "-n"]
        rejected_before = netns.sh(counters, ns=lab.ns("hop")).splitlines()[-1].split()[0]
        with netns.inside(lab.ns("client")), pytest.raises(OSError) as refused:
            socket.create_connection(("10.1.2.3", 80), timeout=TIMEOUT)
        assert not isinstance(refused.value, TimeoutError)  # rejected at once, by the hop
        rejected_after = netns.sh(counters, ns=lab.ns("hop")).splitlines()[-1].split()[0]
        assert int(rejected_after) == int(rejected_before) + 1
    assert _traces(lab.names.prefix) == []


def test_teardown_on_error_inside_the_lab() -> None:
    with pytest.raises(RuntimeError), running(scenario.load(CLEAN)) as lab:
        raise RuntimeError("boom")
    assert _traces(lab.names.prefix) == []


def test_teardown_when_building_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise LabError("broken on purpose")

    monkeypatch.setattr(lab_module.Lab, "_start_censor", broken)
    before = set(leftovers())
    with pytest.raises(LabError, match="broken on purpose"), running(scenario.load(CLEAN)):
        pass
    assert set(leftovers()) == before


def test_two_labs_run_at_once() -> None:
    with (
        running(scenario.load(scenario.shipped()["sni-reset"])) as censored,
        running(scenario.load(CLEAN)) as clean,
    ):
        assert set(censored.names.all).isdisjoint(clean.names.all)
        with pytest.raises(ConnectionResetError):
            tls_handshake(censored, censored.addresses["www.tumblr.com"], "www.tumblr.com")
        clean_site = scenario.load(CLEAN).sites[0].domain
        tls_handshake(clean, clean.addresses[clean_site], clean_site).close()


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_teardown_on_signal(sig: signal.Signals, status: int) -> None:
    cli = "from probe.cli.lab import lab_app; lab_app()"
    proc = subprocess.Popen([sys.executable, "-c", cli, "run", "clean", "--", "sleep", "60"])
    try:
        deadline = time.monotonic() + 30
        # The command runs in the client once the lab is fully built. Other labs may come and
        # go meanwhile (other users, other tests), so ours is found by its command's namespace.
        while (client := _client_of(proc.pid)) is None:
            assert time.monotonic() < deadline and proc.poll() is None, "command did not start"
            time.sleep(0.05)
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == status
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _traces(client.removesuffix("-client")) == []


def _client_of(pid: int) -> str | None:
    """The client namespace that a child of ``pid`` runs in, if any."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            ns = netns.sh(["ip", "netns", "identify", entry.name], check=False).strip()
            if ns.startswith(plan.NS_PREFIX) and ns.endswith("-client"):
                return ns
    return None
