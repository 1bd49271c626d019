"""Every nettest the probe can run, found by name, and the suites that group them.

A nettest is a module of ``probe.nettests`` (or of its ``messaging`` package) that ends with
``NETTEST = Nettest(...)`` (``probe.nettests.nettest``); its file name is the test's name. No list
names them: adding the module is registering the test. A run imports only the modules of the tests
it runs. Suites name the tests a list implies: ``--list kz`` also runs Tor and the apps.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from functools import cache
from types import ModuleType

from probe.nettests.nettest import Measure, Nettest

__all__ = ["SUITES", "Measure", "Nettest", "UnknownNettest", "get", "nettests", "select"]

PACKAGES = ("probe.nettests", "probe.nettests.messaging")
"""Where nettest modules live, searched in this order."""
_NAME = re.compile(r"[a-z][a-z0-9_]*")

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


class UnknownNettest(KeyError):
    def __str__(self) -> str:
        return f"unknown test {self.args[0]!r}; known tests: {', '.join(nettests())}"


def _declared(module: ModuleType) -> Nettest | None:
    found = getattr(module, "NETTEST", None)
    if isinstance(found, Nettest) and module.__name__.rpartition(".")[2] == found.name:
        return found
    return None


@cache
def get(name: str) -> Nettest:
    """The test ``name``, importing its module (and only its module)."""
    if _NAME.fullmatch(name):
        for package in PACKAGES:
            if importlib.util.find_spec(f"{package}.{name}") is None:
                continue
            found = _declared(importlib.import_module(f"{package}.{name}"))
            if found is not None:
                return found
    raise UnknownNettest(name)


@cache
def nettests() -> dict[str, Nettest]:
    """Every test, by name in alphabetical order (``probe tests``); imports every module."""
    found: dict[str, Nettest] = {}
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path):
            if not info.ispkg and _NAME.fullmatch(info.name):
                test = _declared(importlib.import_module(f"{package}.{info.name}"))
                if test is not None:
                    found.setdefault(test.name, test)
    return dict(sorted(found.items()))


def select(names: list[str], list_name: str | None) -> list[Nettest]:
    """The tests of a run: ``--test`` names when given (in order, once each), else the suite of
    the list, else web_connectivity."""
    if names:
        return [get(n) for n in dict.fromkeys(names)]
    return [get(n) for n in SUITES.get(list_name or "", ("web_connectivity",))]
