"""OONI's own loader (``oonidata``) reads every nettest's output with the types its models declare.

``oonidata`` pins old dependencies (cryptography 38), so it lives in a venv of its own that
``.ci/run`` builds (``.oonidata-venv``, see docs/conformance.md). Where that venv is missing the
test skips, except in CI, where a missing venv is a broken build.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest

from conformance.corpus import NETTESTS, Corpus

ROOT = Path(__file__).resolve().parents[2]
LOADER = Path(__file__).with_name("oonidata_load.py")


def oonidata_python() -> Path | None:
    venv = Path(os.environ.get("PROBE_OONIDATA_VENV", ROOT / ".oonidata-venv"))
    python = venv / "bin" / "python"
    return python if python.exists() else None


def load_with_oonidata(*paths: Path) -> dict[str, object]:
    python = oonidata_python()
    if python is None:
        if os.environ.get("CI"):
            pytest.fail("CI must build .oonidata-venv (.ci/run) before the tests")
        pytest.skip("no .oonidata-venv: build it as .ci/run does (docs/conformance.md)")
    result = subprocess.run(
        [str(python), str(LOADER), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_every_nettest_loads_with_the_types_ooni_declares(corpus: Corpus) -> None:
    assert {r.get("test_name") for r in corpus.records} == set(NETTESTS)
    found = load_with_oonidata(corpus.path)
    assert found == {"loaded": len(corpus.records), "failures": []}


def test_the_loader_check_finds_a_wrong_type(corpus: Corpus, tmp_path: Path) -> None:
    """The check can fail: a port stored as a string, which the loader alone would accept."""
    web = copy.deepcopy(
        next(r for r in corpus.of("web_connectivity") if r["test_keys"]["tcp_connect"])
    )
    web["test_keys"]["tcp_connect"][0]["port"] = "443"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(web) + "\n")
    found = load_with_oonidata(broken)
    assert found["loaded"] == 1
    assert [f["error"] for f in found["failures"]] == [  # type: ignore[attr-defined]
        "WebConnectivity.test_keys.tcp_connect[0].port: '443' is not int"
    ]
