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


CENSORED_PLANET_2019 = {
    "allo.google.com", "android.com", "cdninstagram.com", "dns.google.com", "docs.google.com",
    "encrypted.google.com", "facebook.com", "goo.gl", "google.com", "groups.google.com",
    "hangouts.google.com", "instagram.com", "mail.google.com", "mail.ru", "messages.android.com",
    "messenger.com", "news.google.com", "ok.ru", "picasa.google.com", "plus.google.com",
    "rukoeb.com", "sites.google.com", "sosalkino.tv", "tamtam.chat", "translate.google.com",
    "twitter.com", "video.google.com", "vk.com", "vk.me", "vkuseraudio.net", "vkuservideo.net",
    "www.facebook.com", "www.google.com", "www.instagram.com", "www.messenger.com",
    "www.youtube.com", "youtube.com",
}  # fmt: skip


def test_list_holds_all_37_domains_of_the_2019_interception() -> None:
    targets = load_list(LIST)
    cited = {t.url.split("/")[2] for t in targets if "Censored Planet" in t.source}
    assert len(CENSORED_PLANET_2019) == 37
    assert cited == CENSORED_PLANET_2019


def test_list_holds_ooni_targets_and_controls() -> None:
    targets = load_list(LIST)
    hosts = {t.url.split("/")[2] for t in targets}
    assert hosts >= OONI_2021_2024
    assert {"google.com", "youtube.com", "facebook.com", "vk.com", "ok.ru", "mail.ru"} <= hosts
    assert sum(t.category_code == "CTRL" for t in targets) >= 3
