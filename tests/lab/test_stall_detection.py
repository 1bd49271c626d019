"""Detection of issue 19's newer techniques, end to end in the lab.

- ``freeze-16k``: over HTTP and HTTPS the flow stalls after ~16 KiB; the probe reads the bytes
  from its read events (over HTTPS nothing decrypts), calls it a freeze, and the neutral name's
  32 KiB pull from the same address freezes too: a volume-based freeze on the address, not the
  name (and not ``http.timeout``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from lab.labkit import needs_root, shipped_lab
from probe.analysis.results import read_results

pytestmark = [pytest.mark.lab, needs_root]
PROBE = [shutil.which("probe") or sys.executable, *([] if shutil.which("probe") else ["-c",
         "from probe.cli.app import main; main()"])]  # fmt: skip
FROZEN = "www.tumblr.com"


def _run(lab: Any, out: Path, *args: str) -> list[dict[str, Any]]:
    argv = [*PROBE, "run", "--yes", "--output", str(out), "--no-progress", *args]
    assert lab.run(argv) == 0
    return list(read_results(out))  # the trailer applied, as every reader does


def test_freeze_16k_is_a_volume_based_freeze_on_the_address(tmp_path: Path) -> None:
    urls = [f"http://{FROZEN}/", f"https://{FROZEN}/"]
    with shipped_lab("freeze-16k") as lab:
        lines = _run(lab, tmp_path / "freeze.jsonl", *(a for u in urls for a in ("--url", u)))
    keys = {m["input"]: m["test_keys"] for m in lines}
    for url in urls:
        k = keys[url]
        assert k["x_technique"] == "throttle", (url, k["x_detail"])
        assert k["blocking"] == "tcp_ip", (url, k["x_detail"])
        assert k["x_detail"].startswith("stalled after "), k["x_detail"]
        stalled_after = int(k["x_detail"].split()[2])
        assert 4096 < stalled_after <= 16384, k["x_detail"]
        assert "a freeze" in k["x_detail"]
        assert "volume-based freeze on the address, not the name" in k["x_detail"]
        volume = k["x_self_control"]["x_volume"]
        assert volume["failure"] == "generic_timeout_error"
        assert volume["x_received"] < 16384
    assert keys[f"https://{FROZEN}/"]["requests"][0]["response"]["code"] == 0  # nothing decrypted


def test_a_shaped_address_is_a_rate_limit_not_a_freeze(tmp_path: Path) -> None:
    """``throttle`` shapes the address to 64 kbit/s: a 300 KB page outlasts the HTTP budget."""
    with shipped_lab("throttle") as lab:
        lines = _run(lab, tmp_path / "throttle.jsonl", "--url", "https://vimeo.com/")
    keys = lines[0]["test_keys"]
    assert keys["x_technique"] == "throttle", keys["x_detail"]
    assert keys["x_detail"].startswith("stalled after "), keys["x_detail"]
    assert "a rate limit: " in keys["x_detail"]
    assert "a freeze" not in keys["x_detail"]
    assert "residual" not in keys["x_detail"]
