"""Every nettest the probe can run, and the suites that group them.

The CLI needs three things of a nettest: its name and version for the report envelope, one line
saying what it does (``probe tests``), and whether its targets are built in (then it runs once,
without a list). Suites name the tests a list implies: ``--list kz`` also runs Tor and the apps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from probe.nettests import dns_injection, tor, web_connectivity
from probe.nettests.messaging import facebook_messenger, signal, telegram, viber, whatsapp
from probe.nettests.session import Session

Measure = Callable[[str, Session], Awaitable[Mapping[str, Any]]]
"""A test's measure function: its ``test_keys`` (typed where the test declares them)."""


@dataclass(frozen=True)
class Nettest:
    name: str
    version: str
    description: str
    builtin_inputs: bool
    """True: the targets ship with the probe; run once per run with input ``""``.
    False: run once per URL of the list."""
    measure: Measure


class UnknownNettest(KeyError):
    def __str__(self) -> str:
        return f"unknown test {self.args[0]!r}; known tests: {', '.join(NETTESTS)}"


def _builtin(module: ModuleType) -> Nettest:
    return Nettest(module.TEST_NAME, module.TEST_VERSION, module.DESCRIPTION, True, module.measure)


async def _censor_locate(url: str, session: Session) -> dict[str, Any]:
    # Imported on use: its raw-packet parsing pulls in scapy, most of a second at start-up.
    from probe.nettests import censor_locate

    return await censor_locate.measure(url, session)


NETTESTS: dict[str, Nettest] = {
    t.name: t
    for t in (
        Nettest(
            web_connectivity.TEST_NAME,
            web_connectivity.TEST_VERSION,
            "Web sites: DNS, TCP, TLS and HTTP for every URL of the list",
            False,
            web_connectivity.measure,
        ),
        *(_builtin(m) for m in (tor, whatsapp, telegram, signal, viber, facebook_messenger)),
        Nettest(
            dns_injection.TEST_NAME,
            dns_injection.TEST_VERSION,
            dns_injection.DESCRIPTION,
            False,
            dns_injection.measure,
        ),
        Nettest(
            "censor_locate",
            "0.1.0",
            "Censor location: TTL-limited trigger and control probes (CenTrace); needs root",
            False,
            _censor_locate,
        ),
    )
}

SUITES: dict[str, tuple[str, ...]] = {
    "kz": (
        "web_connectivity",
        "tor",
        "whatsapp",
        "telegram",
        "signal",
        "viber",
        "facebook_messenger",
    ),
}
"""List name -> the tests that list implies. Any other list runs web_connectivity alone."""


def get(name: str) -> Nettest:
    try:
        return NETTESTS[name]
    except KeyError:
        raise UnknownNettest(name) from None


def select(names: list[str], list_name: str | None) -> list[Nettest]:
    """The tests of a run: ``--test`` names when given (in order, once each), else the suite of
    the list, else web_connectivity."""
    if names:
        return [get(n) for n in dict.fromkeys(names)]
    return [get(n) for n in SUITES.get(list_name or "", ("web_connectivity",))]
