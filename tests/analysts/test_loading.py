"""Reading results for the analyst tools: outcomes, evidence summaries and file discovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analysts.factory import measurement, write_jsonl
from probe.analysts.evidence import failing_step, resolved_ips
from probe.analysts.loading import load_targets, measurement_files
from probe.analysts.outcomes import Outcome, outcome_of
from probe.report.jsonl import ResultsError


@pytest.mark.parametrize(
    ("blocking", "accessible", "outcome"),
    [
        (False, True, Outcome.OK),
        (False, False, Outcome.DOWN),
        (None, None, Outcome.UNDETERMINED),
        ("dns", False, Outcome.BLOCKED),
        ("http-diff", None, Outcome.BLOCKED),
    ],
)
def test_outcome_classes(blocking: object, accessible: object, outcome: Outcome) -> None:
    assert outcome_of(blocking, accessible) is outcome


def _connect(ip: str, failure: str | None) -> dict[str, Any]:
    return {"ip": ip, "status": {"success": failure is None, "failure": failure}}


def test_failing_step_needs_every_attempt_of_a_step_to_fail() -> None:
    one_of_two = {
        "tcp_connect": [_connect("192.0.2.1", "connection_refused"), _connect("192.0.2.2", None)]
    }
    assert failing_step(one_of_two) is None
    both = {
        "tcp_connect": [
            _connect("192.0.2.1", "connection_refused"),
            _connect("192.0.2.2", "generic_timeout_error"),
        ]
    }
    assert failing_step(both) == "tcp: connection_refused"
    redirect_loop = {"requests": [{"failure": None}], "x_failure": "http_too_many_redirects"}
    assert failing_step(redirect_loop) == "http: http_too_many_redirects"


def test_resolved_ips_deduplicate_across_engines_in_order() -> None:
    keys = {
        "queries": [
            {
                "answers": [
                    {"answer_type": "A", "ipv4": "203.0.113.5"},
                    {"answer_type": "CNAME", "hostname": "x.test"},
                ]
            },
            {
                "answers": [
                    {"answer_type": "AAAA", "ipv6": "2001:db8::5"},
                    {"answer_type": "A", "ipv4": "203.0.113.5"},
                ]
            },
            {"answers": None, "failure": "generic_timeout_error"},
        ]
    }
    assert resolved_ips(keys) == ("203.0.113.5", "2001:db8::5")


def test_folders_expand_recursively_and_missing_paths_fail(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    write_jsonl(nested / "run.jsonl", [measurement("https://a.test/")])
    (tmp_path / "a" / "notes.txt").write_text("not results")
    assert measurement_files([tmp_path]) == [nested / "run.jsonl"]
    assert [r.input for r in load_targets([tmp_path])] == ["https://a.test/"]
    with pytest.raises(ResultsError, match="no such file"):
        measurement_files([tmp_path / "missing.jsonl"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match=r"no \.jsonl results files"):
        measurement_files([tmp_path / "empty"])
