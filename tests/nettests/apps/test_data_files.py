"""The shipped endpoint and authority files, and the errors a bad replacement file gives."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from probe.nettests import tor
from probe.nettests.messaging.endpoints import DataFileError, app_checks
from probe.nettests.registry import nettests

APPS = [
    t.name
    for t in nettests().values()
    if t.measure.__module__.startswith("probe.nettests.messaging.")
]


def shipped(name: str) -> dict[str, object]:
    return tomllib.loads(resources.files("probe.data").joinpath(name).read_text("utf-8"))


@pytest.mark.parametrize("app", APPS)
def test_every_app_and_entry_names_its_source(app: str) -> None:
    table = shipped("app_endpoints.toml")[app]
    assert isinstance(table, dict) and table["source"]
    assert all(entry["source"] for entry in table["check"])
    assert app_checks(app)


def test_shipped_authorities_are_tors_list() -> None:
    authorities, websites = tor.load_targets()
    by_name = {a.name: a for a in authorities}
    assert len(authorities) == 9 and "Serge" not in by_name  # the bridge authority is left out
    assert by_name["moria1"] == tor.Authority("moria1", "128.31.0.39", 9101, 9131)
    assert by_name["maatuska"] == tor.Authority("maatuska", "171.25.193.9", 80, 443)
    assert "https://bridges.torproject.org/" in websites
    assert "auth_dirs.inc" in str(shipped("tor_authorities.toml")["source"])


def test_telegram_dcs_are_plain_http_on_80_and_443() -> None:
    dcs = [c for c in app_checks("telegram") if c.role == "dc"]
    assert {c.port for c in dcs} == {80, 443} and {c.kind for c in dcs} == {"http"}
    assert "149.154.167.51" in {c.host for c in dcs}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('role = "x"\nkind = "udp"\nhosts = ["a"]\nports = [1]', "kind must be one of"),
        ('role = "x"\nkind = "tcp"\nhosts = []\nports = [1]', "hosts must be"),
        ('role = "x"\nkind = "tcp"\nhosts = ["a"]\nports = [70000]', "ports must be"),
        ('role = "x"\nkind = "tcp"\nhosts = ["a"]', "kind tcp needs ports"),
        ('kind = "tcp"\nhosts = ["a"]\nports = [1]', "role missing"),
        (
            'role = "x"\nkind = "tcp"\nhosts = ["a"]\nports = [1]\naddress = "a.test"',
            "address must",
        ),
    ],
)
def test_bad_endpoint_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "e.toml"
    path.write_text(f"[signal]\n[[signal.check]]\n{entry}\n")
    with pytest.raises(DataFileError, match=rf"\[\[signal.check\]\] #1: {message}"):
        app_checks("signal", path)


def test_missing_app_table_and_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "e.toml"
    path.write_text("[viber]\n")
    with pytest.raises(DataFileError, match=r"no \[signal\] table"):
        app_checks("signal", path)
    with pytest.raises(DataFileError, match="has no checks"):
        app_checks("viber", path)
    with pytest.raises(DataFileError, match=r"missing\.toml"):
        app_checks("viber", tmp_path / "missing.toml")


def test_dns_checks_need_no_ports(tmp_path: Path) -> None:
    path = tmp_path / "e.toml"
    path.write_text('[x]\n[[x.check]]\nrole = "stun"\nkind = "dns"\nhosts = ["a", "b"]\n')
    assert [(c.host, c.kind) for c in app_checks("x", path)] == [("a", "dns"), ("b", "dns")]


def test_bad_authority_files(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[[authority]]\nname = "x"\nipv4 = "not-an-ip"\nor_port = 1\ndir_port = 2\n')
    with pytest.raises(DataFileError, match=r"\[\[authority\]\] #1"):
        tor.load_targets(path)
    path.write_text("")
    with pytest.raises(DataFileError, match="no \\[\\[authority\\]\\]"):
        tor.load_targets(path)
    path.write_text(
        '[[authority]]\nname = "x"\nipv4 = "192.0.2.1"\nor_port = 443\ndir_port = 443\n'
    )
    with pytest.raises(DataFileError, match=r"192\.0\.2\.1:443"):
        tor.load_targets(path)
