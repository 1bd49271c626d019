"""The collector's protocol and its refusals, on loopback, against the DuckDB and chdb stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysts.factory import measurement

from collector.kit import collector, duck, header_of
from probe.collector.config import CollectorConfig
from probe.report.identity import measurement_id


@pytest.fixture(params=["duckdb", "chdb"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return duck(tmp_path) if request.param == "duckdb" else f"chdb:{tmp_path / 'chdb'}"


def test_open_submit_close_stores_each_measurement_once(spec: str) -> None:
    record = measurement("https://ratel.kz/", "dns.nxdomain")
    with collector(spec) as c:
        report = c.open(record)
        first = c.submit(report, record)
        again = c.submit(report, record)  # a resend after a lost answer
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json() == {"measurement_id": measurement_id(record)}
        assert c.post(f"/report/{report}/close").json() == {"status": "success"}
        assert c.submit(report, record).status_code == 404  # closed
        assert (c.collector.stored, c.collector.duplicates, c.storage.count()) == (1, 1, 1)
        raw = next(c.storage.select(f"SELECT raw, report_id FROM {c.storage.table_name}"))
        assert json.loads(raw[0]) == record | {"report_id": report}
        assert raw[1] == report


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "not UTF-8 JSON"),
        (b"[]", 400, "not a JSON object"),
        (json.dumps({"format": "yaml", "content": {}}).encode(), 400, '"json"'),
        (json.dumps({"format": "json", "content": "x"}).encode(), 400, "content"),
    ],
)
def test_malformed_submission_is_a_4xx_and_nothing_is_stored(
    tmp_path: Path, body: bytes, status: int, reason: str
) -> None:
    with collector(duck(tmp_path)) as c:
        report = c.open(measurement("https://ratel.kz/"))
        response = c.post(f"/report/{report}", raw=body)
        assert response.status_code == status and reason in response.json()["error"]
        assert c.storage.count() == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"probe_asn": "9198"}, "probe_asn must be an ASN"),
        ({"measurement_start_time": "yesterday"}, "measurement_start_time must be"),
        ({"test_keys": None}, "test_keys must be an object"),
        ({"report_id": "someone-elses"}, "does not match"),
    ],
)
def test_envelope_errors_name_the_field(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    with collector(duck(tmp_path)) as c:
        report = c.open(measurement("https://ratel.kz/"))
        content = measurement("https://ratel.kz/") | {"report_id": report} | change
        response = c.post(f"/report/{report}", {"format": "json", "content": content})
        assert response.status_code == 400 and reason in response.json()["error"]
        assert c.storage.count() == 0


def test_missing_field_is_named(tmp_path: Path) -> None:
    with collector(duck(tmp_path)) as c:
        record = measurement("https://ratel.kz/")
        report = c.open(record)
        content = {k: v for k, v in record.items() if k != "test_name"} | {"report_id": report}
        response = c.post(f"/report/{report}", {"format": "json", "content": content})
        assert response.status_code == 400
        assert "required field test_name is missing" in response.json()["error"]


def test_oversized_submission_is_413_and_nothing_is_stored(tmp_path: Path) -> None:
    with collector(duck(tmp_path), CollectorConfig(max_body=4096)) as c:
        record = measurement("https://ratel.kz/", body="x" * 8000)
        report = c.open(record)
        assert c.submit(report, record).status_code == 413
        assert c.storage.count() == 0


@pytest.mark.parametrize("ip", ["203.0.113.7", "2001:db8::7", "95.56.1.2"])
def test_a_real_probe_ip_is_refused_at_open_and_in_a_measurement(tmp_path: Path, ip: str) -> None:
    with collector(duck(tmp_path)) as c:
        record = measurement("https://ratel.kz/")
        report = c.open(record)
        refused = c.submit(report, record | {"probe_ip": ip})
        assert refused.status_code == 403 and "real address" in refused.json()["error"]
        opened = c.post("/report", header_of(record) | {"format": "json", "probe_ip": ip})
        assert opened.status_code == 403
        assert c.storage.count() == 0
        assert c.submit(report, record).status_code == 200  # the scrubbed one is welcome


def test_unknown_report_routes_methods_and_compression(tmp_path: Path) -> None:
    with collector(duck(tmp_path)) as c:
        record = measurement("https://ratel.kz/")
        assert c.submit("no-such-report", record).status_code == 404
        assert c.post("/elsewhere", {}).status_code == 404
        assert c.post("/report/x/close").status_code == 404
        report = c.open(record)
        import httpx

        assert httpx.get(c.url + "/report", timeout=5).status_code == 405
        gz = httpx.post(
            f"{c.url}/report/{report}", content=b"\x1f\x8b", headers={"Content-Encoding": "gzip"}
        )
        assert gz.status_code == 415


def test_a_client_over_its_rate_gets_429_with_retry_after(tmp_path: Path) -> None:
    with collector(duck(tmp_path), CollectorConfig(rate=0.5, burst=3)) as c:
        statuses = [c.post("/report", {}).status_code for _ in range(5)]
        assert statuses[:3] == [400, 400, 400]  # within the burst: judged on content
        assert statuses[3:] == [429, 429]
        limited = c.post("/report", {})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_an_open_report_survives_a_collector_restart(tmp_path: Path) -> None:
    record = measurement("https://ratel.kz/")
    with collector(duck(tmp_path)) as c:
        report = c.open(record)
    with collector(duck(tmp_path)) as c:
        assert c.submit(report, record).status_code == 200


def test_logs_never_name_the_client_or_the_report(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="probe")
    record = measurement("https://ratel.kz/")
    with collector(duck(tmp_path)) as c:
        report = c.open(record)
        c.submit(report, record)
        c.submit(report, record | {"probe_ip": "203.0.113.7"})
    text = caplog.text
    assert "submit 200" in text and "submit 403" in text
    for secret in ("127.0.0.1", report, "ratel.kz", "203.0.113.7"):
        assert secret not in text
