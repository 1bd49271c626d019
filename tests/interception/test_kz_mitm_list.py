from __future__ import annotations

from pathlib import Path

from probe.inputs import load_list

LIST = Path(__file__).resolve().parents[2] / "targets" / "kz-mitm.csv"
OONI_2021_2024 = {
    "360tv.ru",
    "astrakhan.sm.news",
    "compromat.ru",
    "cont.ws",
    "knews.kg",
    "kz.tsargrad.tv",
    "regnum.ru",
    "rutracker.org",
    "sproot.it",
    "stanradar.com",
    "ukraina.ru",
    "www.for.kg",
    "www.pinterest.com",
    "xakep.ru",
}


def test_list_loads_with_unique_urls_and_cited_sources() -> None:
    targets = load_list(LIST)
    assert len({t.url for t in targets}) == len(targets)
    for target in targets:
        assert target.date_added == "2026-11-27"
        if target.category_code != "CTRL":
            assert any(s in target.source for s in ("Censored Planet", "OONI", "Mozilla bug"))


def test_list_holds_ooni_targets_and_controls() -> None:
    targets = load_list(LIST)
    hosts = {t.url.split("/")[2] for t in targets}
    assert hosts >= OONI_2021_2024
    assert {"google.com", "youtube.com", "facebook.com", "vk.com", "ok.ru", "mail.ru"} <= hosts
    assert sum(t.category_code == "CTRL" for t in targets) >= 3
