"""A lab run's end-of-run summary in each language, against a censoring ISP (root)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lab.labkit import needs_root, shipped_lab

pytestmark = needs_root

_SAID = {
    "en": (
        "2 of 2 measured",
        "blocked (dns.nxdomain)",
        "ok",
        "Results:",
        "the resolver gave no address for ratel.kz (dns_nxdomain_error) while the",
    ),
    "ru": (
        "измерено 2 из 2",
        "заблокирован (dns.nxdomain)",
        "доступен",
        "Результаты:",
        "резолвер не дал адреса для ratel.kz (dns_nxdomain_error), тогда как",
    ),
    "kk": (
        "2 ішінен 2 өлшенді",
        "бұғатталған (dns.nxdomain)",
        "қолжетімді",
        "Нәтижелер:",
        "резолвер ratel.kz үшін мекенжай бермеді (dns_nxdomain_error), ал",
    ),
}
"""The summary's words, and the blocked site's ``x_detail`` as the CLI shows it (the stored one
stays English: the verdicts below are the same in every language)."""


def test_a_lab_runs_summary_is_in_the_chosen_language(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    verdicts = {}
    with shipped_lab("dns-nxdomain") as lab:
        for language, said in _SAID.items():
            out = tmp_path / f"{language}.jsonl"
            argv = [sys.executable, "-m", "probe", "--lang", language, "run", "--yes"]
            argv += ["--no-progress", "--output", str(out)]
            argv += ["--url", "https://ratel.kz/", "--url", "https://www.example.org/"]
            assert lab.run(argv) == 0
            shown = capfd.readouterr().out
            assert all(text in shown for text in said), shown
            verdicts[language] = sorted(
                (r["input"], r["test_keys"]["blocking"], r["test_keys"]["x_detail"])
                for r in map(json.loads, out.read_text().splitlines())
            )
    assert verdicts["ru"] == verdicts["en"] == verdicts["kk"]
    assert verdicts["en"][0][:2] == ("https://ratel.kz/", "dns")
