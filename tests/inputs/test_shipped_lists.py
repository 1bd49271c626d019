"""The lists in targets/ parse cleanly and keep to the project's conventions."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.inputs import CATEGORIES, CITIZEN_LAB_COLUMNS, Target, available_lists, load_list

TARGETS = Path(__file__).resolve().parents[2] / "targets"
REPORTS = ("000_0f52a9e404070496.txt", "002_f57e5aacf9d43999.txt")
# Sites the two Freedom House reports name as blocked, disrupted or inaccessible.
NAMED_IN_REPORTS = (
    "tumblr.com",
    "vimeo.com",
    "soundcloud.com",
    "dailymotion.com",
    "wordpress.com",
    "blogspot.com",
    "blogger.com",
    "livejournal.com",
    "facebook.com",
    "twitter.com",
    "vk.com",
    "web.whatsapp.com",
    "viber.com",
    "youtube.com",
    "google.com",
    "play.google.com",
    "mail.google.com",
    "azattyq.org",
    "uralskweek.kz",
    "reuters.com",
    "meduza.io",
    "ratel.kz",
    "zonakz.net",
    "respublika-kz.info",
    "respublika-kaz.info",
    "kub.kz",
    "geo.kz",
    "inkar.info",
    "opensocietyfoundations.org",
    "ijnet.org",
    "icfj.org",
    "archive.org",
    "pinterest.com",
    "imdb.com",
    "mega.nz",
    "flickr.com",
    "urbandictionary.com",
    "wikia.com",
    "lib.ru",
    "avaaz.org",
    "snapchat.com",
    "dailymail.co.uk",
    "fergananews.com",
    "echo.msk.ru",
    "bluesystem.ru",
    "indriver.com",
    "torproject.org",
    "borat.kz",
    "ferghana.ru",
)


def load(name: str) -> list[Target]:
    path = TARGETS / name
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(CITIZEN_LAB_COLUMNS)
    return load_list(path)


@pytest.mark.parametrize("path", available_lists(TARGETS), ids=lambda path: path.name)
def test_every_shipped_list_loads(path: Path) -> None:
    assert all(t.list_path == str(path) for t in load_list(path))


@pytest.mark.parametrize("name", ["kz.csv", "control.csv"])
def test_rows_are_complete(name: str) -> None:
    for target in load(name):
        where = f"{name}:{target.line}"
        assert target.category_description == CATEGORIES[target.category_code], where
        assert target.date_added == "2026-11-27", where
        assert target.source and target.notes, where
        assert target.url.endswith("/"), where


def test_kz_list_cites_the_reports() -> None:
    targets = load("kz.csv")
    assert len(targets) > 40
    for target in targets:
        assert any(report in target.source for report in REPORTS), f"kz.csv:{target.line}"


def test_kz_list_covers_the_reports() -> None:
    hosts = {t.ascii_hostname for t in load("kz.csv")}
    missing = [
        site
        for site in NAMED_IN_REPORTS
        if not any(h == site or h.endswith(f".{site}") for h in hosts)
    ]
    assert missing == []


def test_control_list_is_small_and_control_only() -> None:
    targets = load("control.csv")
    assert 5 <= len(targets) <= 10
    assert {t.category_code for t in targets} == {"CTRL"}
