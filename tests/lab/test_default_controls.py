"""A run with no control flags inside the lab: the public controls are tried, fail, and say so.

The lab has no route out of TEST-NET and its resolvers know no public name, so OONI's helpers
and the public DoH resolvers are unreachable from the client, as on a network that blocks them.
The file must list every control tried with its failure, and nothing may be called blocked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lab.labkit import needs_root, shipped_lab
from probe.control.defaults import DEFAULT_DOH_URLS, DEFAULT_HELPER_URLS
from probe.lab import netns
from probe.lab.lab import Lab
from probe.options import ENV_DOH_URLS, ENV_HELPER_URL

pytestmark = [pytest.mark.lab, needs_root]
URLS = [
    "https://www.example.org/",
    "http://www.example.org/",
    "https://example.org/",
    "https://gone.example.com/",
]
PROBE = shutil.which("probe") or sys.executable
PREFIX = [] if shutil.which("probe") else ["-m", "probe"]


def rejected_by_the_hop(lab: Lab) -> int:
    """Packets the first router refused to forward: anything addressed outside the lab's ranges."""
    saved = netns.sh(["iptables-save", "-c", "-t", "filter"], ns=lab.ns("hop"))
    counts = re.findall(r"^\[(\d+):\d+\] -A FORWARD .*-j REJECT", saved, re.MULTILINE)
    assert counts, f"the hop has no REJECT rule:\n{saved}"
    return sum(int(c) for c in counts)


def test_default_controls_are_tried_fail_inside_the_lab_and_nothing_is_blocked(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.jsonl"
    with shipped_lab("clean") as lab:
        # The lab's environment minus its helper and DoH: what a volunteer without flags runs.
        env = {
            name: value
            for name, value in (os.environ | lab.environment()).items()
            if name not in (ENV_HELPER_URL, ENV_DOH_URLS)
        }
        argv = [PROBE, *PREFIX, "run", "--no-progress", "--output", str(out)]
        argv += [arg for url in URLS for arg in ("--url", url)]
        netns.sh(["iptables", "-Z", "FORWARD"], ns=lab.ns("hop"))
        proc = subprocess.run(
            ["ip", "netns", "exec", lab.ns("client"), *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        # The public names failed at the lab's own resolver: nothing was even sent toward them,
        # and the hop, which stops anything addressed outside TEST-NET, had nothing to stop.
        assert rejected_by_the_hop(lab) == 0
    records = {r["input"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(records) == sorted(URLS)
    defaults = [*DEFAULT_HELPER_URLS, *DEFAULT_DOH_URLS]
    for url, record in records.items():
        keys = record["test_keys"]
        tried = keys["x_controls"]
        # Every default control is listed for every target, each with the failure it showed
        # (contacted for the first targets, skipped once known to be unreachable).
        assert [c["address"] for c in tried] == defaults, url
        assert all(c["failure"] == "dns_nxdomain_error" for c in tried), tried
        assert record["test_helpers"]["backend"]["address"] in DEFAULT_HELPER_URLS
        assert keys["control"] == {} and keys["control_failure"] == "dns_nxdomain_error"
        assert not isinstance(keys["blocking"], str), (url, keys["blocking"], keys["x_detail"])
    contacted = [c for r in records.values() for c in r["test_keys"]["x_controls"]]
    assert {c["address"] for c in contacted if not c["skipped"]} == set(defaults)
    # A working site still loads: the run measured, only without an outside view.
    assert (
        records["https://www.example.org/"]["test_keys"]["requests"][0]["response"]["code"] == 200
    )
