"""docs/data-format.md lists exactly the keys the probe writes: no key undocumented, no key
documented that no nettest writes. The analysis's own keys are documented in docs/analysis.md."""

from __future__ import annotations

import re
from pathlib import Path

from conformance.corpus import Corpus
from probe.analysis import ANALYSIS_KEYS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"
KEY = re.compile(r"^[a-z0-9_<>]+$")


def section(title: str) -> str:
    """The text of the ``## title`` section, up to the next ``## ``."""
    text = DOC.read_text("utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def documented(text: str) -> set[str]:
    """Every backticked key name in ``text`` (``<role>`` stands for any part of a name)."""
    return {t for t in re.findall(r"`([^`]+)`", text) if KEY.match(t)}


def table_keys(text: str) -> set[str]:
    """The keys a table's first column names (``a``, ``b``; ``app: a, b``)."""
    cells = [row.split("|")[1] for row in text.splitlines() if row.startswith("| ")]
    return {k for cell in cells for k in re.findall(r"`([^`]+)`", cell) if KEY.match(k)}


def matches(key: str, names: set[str]) -> bool:
    wild = (re.sub(r"<[a-z_]+>", "[a-z0-9_]+", n) for n in names if "<" in n)
    return key in names or any(re.fullmatch(p, key) for p in wild)


def written(corpus: Corpus, tests: set[str]) -> set[str]:
    return {
        k
        for r in corpus.records
        if r.get("test_name") in tests
        for k in r["test_keys"]
        if k not in ANALYSIS_KEYS
    }


def test_base_keys_are_those_written(corpus: Corpus) -> None:
    assert table_keys(section("Base keys (every line but the trailer)")) == {
        k for r in corpus.records for k in r
    }


def test_web_connectivity_keys_are_those_written(corpus: Corpus) -> None:
    text = section("`test_keys` of `web_connectivity`")
    assert table_keys(text) == written(corpus, {"web_connectivity"})


def test_tool_and_app_keys_are_those_written(corpus: Corpus) -> None:
    text = section("`test_keys` of the tool and app tests")
    tests = {r["test_name"] for r in corpus.records} - {"web_connectivity"}
    keys = written(corpus, tests)
    names = documented(text)
    assert sorted(k for k in keys if not matches(k, names)) == []
    literal = {k for k in table_keys(text) if "<" not in k}
    assert sorted(literal - keys) == []
