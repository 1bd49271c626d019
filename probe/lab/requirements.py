"""What a lab needs on the machine, and the exact command that installs what is missing."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys

from probe.i18n import _
from probe.lab.errors import LabError
from probe.lab.scenario import Scenario

# program -> Debian package
PROGRAMS = {
    "ip": "iproute2",
    "tc": "iproute2",
    "ss": "iproute2",
    "sysctl": "procps",
    "iptables-restore": "iptables",
    "ip6tables-restore": "iptables",
    "unbound": "unbound",
    "nginx": "nginx",
}
MITM_PROGRAM = ("mitmdump", "mitmproxy")
# Python module -> (pip name, Debian packages its build needs)
MODULES = {
    "scapy": ("scapy", ()),
    "netfilterqueue": ("netfilterqueue", ("libnetfilter-queue-dev", "build-essential")),
}


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError(
            _(
                "the lab needs root: it creates network namespaces and kernel rules. "
                "Run it with sudo (or as root)."
            )
        )


def check(scenario: Scenario) -> None:
    """Raise LabError listing everything missing and how to install it."""
    programs = dict(PROGRAMS)
    if scenario.rules_for("tls-mitm"):
        programs[MITM_PROGRAM[0]] = MITM_PROGRAM[1]
    modules: list[str] = []
    if scenario.rules_for("dns-inject"):
        modules += ["scapy", "netfilterqueue"]
    if scenario.latency_ms > 0:
        modules.append("netfilterqueue")
    apt = sorted({pkg for prog, pkg in programs.items() if shutil.which(prog) is None})
    pip: list[str] = []
    for module in dict.fromkeys(modules):
        if importlib.util.find_spec(module) is None:
            name, build_deps = MODULES[module]
            pip.append(name)
            apt = sorted({*apt, *build_deps})
    if not apt and not pip:
        return
    commands = []
    if apt:
        commands.append(f"apt-get install -y {' '.join(apt)}")
    if pip:
        commands.append(f"{sys.executable} -m pip install {' '.join(pip)}")
    missing = _("the lab needs software that is not installed. Install it with:")
    raise LabError(missing + "\n  " + "\n  ".join(commands))
