"""The two conformance checks, for any results file: OONI's loader, and our schema of ooni/spec.

Used on the loopback corpus (tests/conformance) and on every lab scenario's output
(tests/lab/test_verdicts.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.ooni_schema import measurement_schema

ROOT = Path(__file__).resolve().parents[2]
LOADER = Path(__file__).with_name("oonidata_load.py")


def mismatches(record: dict[str, Any]) -> list[str]:
    """Where one measurement departs from ooni/spec (``[]``: it conforms)."""
    validator = Draft202012Validator(measurement_schema(record["test_name"]))
    return [_said(record["test_name"], e) for e in validator.iter_errors(record)]


def _said(test_name: str, error: ValidationError) -> str:
    """Where and why: through an ``anyOf`` (a nullable list), the branch that got deepest."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return f"{test_name} {'.'.join(map(str, error.absolute_path))}: {error.message[:200]}"


def file_mismatches(path: Path) -> list[str]:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [m for r in records if "test_keys" in r for m in mismatches(r)]


def oonidata_python() -> Path | None:
    venv = Path(os.environ.get("PROBE_OONIDATA_VENV", ROOT / ".oonidata-venv"))
    python = venv / "bin" / "python"
    return python if python.exists() else None


def load_with_oonidata(*paths: Path) -> dict[str, Any]:
    """``{"loaded": N, "failures": [...]}`` from OONI's loader; skips where its venv is missing,
    except in CI, where a missing venv is a broken build."""
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
    found: dict[str, Any] = json.loads(result.stdout)
    return found
