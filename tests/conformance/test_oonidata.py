"""OONI's own loader (``oonidata``) reads every nettest's output with the types its models declare.

``oonidata`` pins old dependencies (cryptography 38), so it lives in a venv of its own that
``.ci/run`` builds (``.oonidata-venv``, see docs/conformance.md). Where that venv is missing the
test skips, except in CI, where a missing venv is a broken build.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from conformance.checks import load_with_oonidata
from conformance.corpus import NETTESTS, Corpus


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
    assert [f["error"] for f in found["failures"]] == [
        "WebConnectivity.test_keys.tcp_connect[0].port: '443' is not int"
    ]
