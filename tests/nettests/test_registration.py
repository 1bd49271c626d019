"""A nettest is its module, its analysis module and its docs entry (docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from probe.analysis.per_test import judge_of
from probe.nettests import registry

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_every_module_with_a_measure_function_declares_its_nettest() -> None:
    for package in registry.PACKAGES:
        folder = ROOT.joinpath(*package.split("."))
        for path in sorted(folder.glob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            functions = {n.name for n in tree.body if isinstance(n, ast.AsyncFunctionDef)}
            if "measure" not in functions:
                continue
            assert path.stem in registry.nettests(), f"{path}: measure() but no NETTEST"


def test_every_nettest_has_a_docs_entry() -> None:
    headings = "\n".join(
        line for doc in DOCS.glob("*.md") for line in doc.read_text("utf-8").splitlines()
    )
    for name in registry.nettests():
        assert re.search(rf"^#+ `{name}`", headings, re.M), f"no docs heading for {name}"


def test_the_analysis_is_found_by_the_tests_name() -> None:
    from probe.analysis import censor_locate, doh_reachability

    assert judge_of("censor_locate") is censor_locate.judge
    assert judge_of("doh_reachability") is doh_reachability.judge


def test_a_run_imports_only_the_modules_of_its_tests() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from probe.nettests import registry; registry.get('doh_reachability');"
        "sys.exit('probe.nettests.tor' in sys.modules or 'probe.nettests.censor_locate'"
        " in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
