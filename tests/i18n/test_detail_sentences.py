"""Every sentence the analysis writes in ``x_detail`` reads in Russian and Kazakh, while the file
keeps the English: the analysis of sample files, and composed sentences that several templates
could match, rendered through the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from probe import i18n
from probe.analysis import analyze_measurement
from probe.analysis.results import read_results
from probe.i18n.sentences import sentence

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = [
    "ooni/web_connectivity.jsonl",
    "pinned/loopback-web.jsonl",
    "pinned/loopback-tor.jsonl",
    "pinned/loopback-dns-injection.jsonl",
    "measurements/small-run.jsonl",
    "measurements/unusable-network.jsonl",
]
ENGLISH = re.compile(
    r"\b(the|a|with|and|but|not|no|at|is|of|from|for|to|got|says|after|failed|helper|page|"
    r"connection|resolver|address|blocked|control|name)\b"
)
"""Words of the templates' English that no translation keeps (outside parentheses, where
failure strings such as ``unknown_failure: stopped after too many redirects`` stay as stored)."""


@pytest.fixture
def speaking() -> Iterator[None]:
    yield
    i18n.use("en")


def _details() -> list[str]:
    found = set()
    for sample in SAMPLES:
        for measurement in read_results(FIXTURES / sample):
            analysed = analyze_measurement(measurement)
            found.add(analysed.get("test_keys", analysed)["x_detail"])
    return sorted(found)


@pytest.mark.usefixtures("speaking")
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_detail_of_the_samples_reads_in_the_language(language: str) -> None:
    details = _details()
    assert len(details) > 20
    i18n.use(language)
    untranslated = [
        (detail, shown)
        for detail in details
        if (shown := sentence(detail)) == detail or ENGLISH.search(re.sub(r"\([^()]*\)", "", shown))
    ]
    assert not untranslated


COMPOSED = {
    # {what}: {why} inside a sentence that also fits "... resolved {addresses}"
    "the resolver gave no address for www.tumblr.com (unknown_failure) while the helper resolved "
    "203.0.113.10, but the probe's own lookup failed: a failure inside the probe, not on the "
    "network (unknown_failure)": {
        "ru": "резолвер не дал адреса для www.tumblr.com (unknown_failure), тогда как источник "
        "«помощник» получил 203.0.113.10, но собственный DNS-запрос probe не удался: сбой "
        "внутри probe, а не в сети (unknown_failure)",
        "kk": "резолвер www.tumblr.com үшін мекенжай бермеді (unknown_failure), ал «көмекші» "
        "көзі 203.0.113.10 алды, бірақ probe-тың өз DNS сұрауы сәтсіз болды: желіде емес, "
        "probe ішіндегі ақау (unknown_failure)",
    },
    # a failure in parentheses, then the endpoint: {failure} must not swallow ") at ..."
    "TCP connect failed (network_down) at 203.0.113.10:443: a failure of this device's own "
    "network or of the probe (network_down)": {
        "ru": "TCP-подключение не удалось (network_down) на 203.0.113.10:443: сбой собственной "
        "сети этого устройства или самого probe (network_down)",
        "kk": "TCP қосылымы сәтсіз болды (network_down), мекенжай 203.0.113.10:443: осы "
        "құрылғының өз желісінің немесе probe-тың ақауы (network_down)",
    },
    # clauses nested three deep (name-based SNI verdict)
    "RST after the ClientHello with SNI www.tumblr.com at 203.0.113.10:443; same IP with SNI "
    "example.com completed: the name triggered it": {
        "ru": "RST после ClientHello с SNI www.tumblr.com на 203.0.113.10:443; тот же IP с SNI "
        "example.com: завершилось — причина в имени",
        "kk": "ClientHello-дан кейін RST, SNI www.tumblr.com, мекенжай 203.0.113.10:443; сол IP, "
        "SNI example.com: аяқталды — себеп атта",
    },
    # an app's line keeps its reasons, "; " included, inside parentheses
    "Tor: blocked (directory authorities' OR ports: TCP connect generic_timeout_error (3/3); "
    "the control reached them)": {
        "ru": "Tor: заблокирован (OR-порты серверов каталога: TCP connect generic_timeout_error "
        "(3/3); контроль до них достучался)",
        "kk": "Tor: бұғатталған (каталог серверлерінің OR порттары: TCP connect "
        "generic_timeout_error (3/3); бақылау оларға жетті)",
    },
    # the censor's location, with residual blocking after it
    "from TTL 3 the trigger got rst where the control got no probe (residual blocking); the "
    "censor is at hop 2 (192.0.2.10); in-path; residual blocking suspected: the control's "
    "connection at TTL 3 failed (generic_timeout_error) 1.0 s after the trigger at TTL 3, where "
    "connections to the same address had opened before; no later probe says where the censor "
    "is": {
        "ru": "начиная с TTL 3 триггер получал rst, а контроль — ни одного зонда (остаточная "
        "блокировка); цензор находится на узле 2 (192.0.2.10); in-path; подозревается "
        "остаточная блокировка: подключение контроля при TTL 3 не удалось "
        "(generic_timeout_error) через 1.0 с после срабатывания при TTL 3, хотя до этого "
        "подключения к тому же адресу открывались; ни один последующий зонд не показывает, "
        "где находится цензор",
        "kk": "TTL 3 бастап іске қосушы сұрау rst алды, ал бақылау — бірде-бір зонд жоқ "
        "(қалдық бұғаттау); цензор 2-түйінде (192.0.2.10); in-path; қалдық бұғаттау күдігі: "
        "TTL 3 кезіндегі іске қосушы сұраудан 1.0 с кейін TTL 3 кезіндегі бақылау қосылымы "
        "сәтсіз болды (generic_timeout_error), ал бұған дейін сол мекенжайға қосылымдар ашылған "
        "еді; кейінгі бірде-бір зонд цензордың қай жерде екенін көрсетпейді",
    },
}


@pytest.mark.usefixtures("speaking")
@pytest.mark.parametrize("stored", list(COMPOSED))
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_composed_detail_is_read_by_its_own_templates(stored: str, language: str) -> None:
    i18n.use(language)
    assert sentence(stored) == COMPOSED[stored][language]
    i18n.use("en")
    assert sentence(stored) == stored
