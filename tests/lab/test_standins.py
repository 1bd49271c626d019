"""The lab's stand-in data files are valid input for the tor and app nettests (no root needed)."""

from __future__ import annotations

from pathlib import Path

from probe.lab import check, standins
from probe.lab.scenario import Expect
from probe.nettests import tor
from probe.nettests.messaging.endpoints import app_checks

APPS = ("whatsapp", "telegram", "signal", "viber", "facebook_messenger")


def test_stand_in_files_load_and_point_only_into_the_lab(tmp_path: Path) -> None:
    tor_file, apps_file = standins.write(tmp_path)
    authorities, websites = tor.load_targets(tor_file)
    assert [a.ipv4 for a in authorities] == [ip for _, ip in standins.TOR_AUTHORITIES]
    assert websites == [f"https://{h}/" for h in standins.TOR_WEBSITES]
    served = set(standins.domains())
    for app in APPS:
        checks = app_checks(app, apps_file)
        assert checks, app
        for c in checks:
            assert c.host in served or c.host in standins.addresses(), (app, c.host)
            assert c.port in (0, 80, 443)  # what the lab's web server answers


def test_built_in_test_expectations_match_their_measurement() -> None:
    measurements = [
        {"input": "", "test_name": "tor", "test_keys": {"blocking": "tcp_ip", "accessible": False}},
        {"input": "https://a.kz/", "test_name": "web_connectivity",
         "test_keys": {"blocking": False, "accessible": True}},
    ]  # fmt: skip
    expects = [Expect(url="", verdict="blocked", test="tor"), Expect("https://a.kz", "ok")]
    rows = check.compare(expects, check.index(measurements))
    assert [(r.url, r.ok) for r in rows] == [("--test tor", True), ("https://a.kz", True)]
