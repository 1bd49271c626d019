"""The CLI in each language: people read translations, machines read the same bytes.

Each test runs the real ``probe`` (a subprocess, loopback only) with ``--lang en``, ``ru`` and
``kk``: the consent notice and a file:line error come in that language, while the results file,
``--json`` output, CSV export and exit codes are identical whatever the language.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli.test_run import NOWHERE, lab, probe_env, run_probe  # noqa: F401 (lab is a fixture)
from conftest import PKI

from probe.cli.consent import NOTICE
from probe.i18n import LANGUAGES
from probe.i18n.compiled import translations

_VARYING = {"measurement_start_time", "test_start_time", "report_id", "t", "t0", "network_events"}
"""What differs between two runs of the same targets whatever the language: times, ids, and how
the kernel split reads into chunks (``network_events``); so do keys ending in _seconds, _runtime."""


def _said(language: str, english: str) -> str:
    """``english`` as the catalog says it in ``language``, markup and line breaks removed."""
    text = translations(language).gettext(english)
    for tag in ("[bold]", "[/]", "[red]", "[yellow]"):
        text = text.replace(tag, "")
    return " ".join(text.split())


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_consent_is_shown_in_the_chosen_language(language: str, tmp_path: Path) -> None:
    env = {**NOWHERE, "PROBE_YES": "", "COLUMNS": "200"}
    result = run_probe(["--lang", language, "run", "--url", "https://example.test/"], env, tmp_path)
    assert result.returncode == 2
    shown = _flat(result.stderr.replace("│", " "))
    first, *_, last = [line for line in _said(language, NOTICE).split("• ") if line]
    assert _flat(first) in shown and _flat(last) in shown
    assert "--upload-proxy socks5://127.0.0.1:9050" in shown and "0.th.ooni.org" in shown
    english = "Nothing is uploaded unless you add --upload."
    assert (english in shown) == (language == "en")


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("en", "error: {where}: unknown category code 'NOPE'"),
        ("ru", "ошибка: {where}: неизвестный код категории 'NOPE'"),
        ("kk", "қате: {where}: белгісіз санат коды 'NOPE'"),
    ],
)
def test_a_file_line_error_keeps_file_and_line_in_every_language(
    language: str, error: str, tmp_path: Path
) -> None:
    listing = tmp_path / "bad.csv"
    listing.write_text(
        "url,category_code,category_description,date_added,source,notes\n"
        "https://ok.test/,NEWS,News Media,2026-11-27,x,\n"
        "https://bad.test/,NOPE,Nope,2026-11-27,x,\n"
    )
    out = tmp_path / "out.jsonl"
    args = ["--lang", language, "run", "--list", str(listing), "--output", str(out)]
    result = run_probe(args, {**NOWHERE, "COLUMNS": "200"}, tmp_path)
    assert result.returncode == 2
    assert _flat(result.stderr).startswith(error.format(where=f"{listing}:3"))
    assert not out.exists()


def _stable(value: Any) -> Any:
    """``value`` without what varies from run to run."""
    if isinstance(value, dict):
        return {
            k: _stable(v)
            for k, v in value.items()
            if k not in _VARYING and not k.endswith(("_seconds", "_runtime"))
        }
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_machine_output_is_the_same_in_every_language(
    lab: dict[str, Any],  # noqa: F811
    pki: PKI,
    tmp_path: Path,
) -> None:
    env = probe_env(pki, lab["resolver"])
    listing = tmp_path / "mine.txt"
    listing.write_text("\n".join(lab["urls"]) + "\n")
    seen: dict[str, Any] = {}
    words = {"en": "undetermined", "ru": "не определено", "kk": "анықталмады"}
    for language in LANGUAGES:
        out = tmp_path / f"{language}.jsonl"
        args = ["--lang", language, "run", "--list", str(listing), "--output", str(out)]
        ran = run_probe([*args, "--no-system-dns", "--timeout-tls", "2"], env, tmp_path)
        assert ran.returncode == 0, ran.stderr
        assert words[language] in ran.stdout  # the summary is in that language
        records = sorted(
            (_stable(json.loads(line)) for line in out.read_text().splitlines()),
            key=lambda r: r["input"],
        )
        base = tmp_path / "en.jsonl"
        diffed = run_probe(
            ["--lang", language, "diff", "--json", str(base), str(out)], env, tmp_path
        )
        exported = tmp_path / f"{language}.csv"
        export = run_probe(
            ["--lang", language, "export", str(out), "--format", "csv", "--output", str(exported)],
            env,
            tmp_path,
        )
        assert export.returncode == 0, export.stderr
        rows = list(csv.DictReader(io.StringIO(exported.read_text())))
        diff_rows = json.loads(diffed.stdout)["rows"]
        seen[language] = {
            "records": records,
            "diff": (diffed.returncode, [_stable(row) for row in diff_rows]),
            "csv": (list(rows[0]), sorted(_stable(r)["input"] for r in rows)),
            "failures": sorted(
                str(r["test_keys"].get("x_failure")) + str(r["test_keys"].get("x_detail"))
                for r in records
            ),
        }
    for language in ("ru", "kk"):
        differences = _differences(seen["en"], seen[language])
        assert not differences, "\n".join(differences)


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ, as paths (a readable failure for large documents)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(a.keys() | b.keys())
            for d in _differences(a.get(k), b.get(k), f"{path}.{k}")
        ]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
