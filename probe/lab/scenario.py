"""Scenario files: the contract for what a lab serves and censors (see docs/lab.md).

Parsing is strict because files come from outside the project: every unknown key, action or
value is an error naming the file, the table and the key, like a compiler message.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from probe.analysis.repeats import INTERMITTENT
from probe.analysis.vocabulary import Blocking, Category, Technique
from probe.i18n import _
from probe.lab import fields
from probe.lab.errors import LabError
from probe.lab.rules import Rule, parse_rule

ADDRESS_ACTIONS = frozenset(
    {"ip-drop", "ip-reset", "tls-reset", "throttle", "tls-mitm", "http-blockpage", "freeze"}
)
"""Actions enforced by destination address, so their domains get an address of their own."""
IPV4_ONLY_ACTIONS = frozenset({"throttle", "sni-throttle", "tls-mitm", "http-blockpage"})
"""Address actions the censor applies to IPv4 only: their domains cannot be dual-stack."""

VERDICTS = (*Category, INTERMITTENT)
"""``intermittent``: blocked in some but not all measurements of the URL (needs ``repeat``)."""
MAX_REPEAT = 100
APP_TESTS = ("tor", "whatsapp", "telegram", "signal", "viber", "facebook_messenger")
"""Tests with built-in targets that an ``[[expect]]`` can name with ``test``."""
BLOCKING_VALUES = tuple(Blocking)
TECHNIQUES = tuple(Technique)
DEFAULT_INJECT_ADDRESS = "203.0.113.1"
"""Where injected answers point by default: a lab address nothing listens on."""

_TOP_KEYS = frozenset(
    {
        "name",
        "description",
        "serve_lists",
        "latency",
        "client_ipv6",
        "lab",
        "site",
        "rule",
        "expect",
    }
)
_SITE_KEYS = frozenset(
    {"domain", "down", "redirect", "title", "body_bytes", "echo_client", "cdn", "ipv6"}
)
_EXPECT_KEYS = frozenset(
    {"domain", "url", "test", "verdict", "blocking", "technique", "network_unusable", "repeat"}
)
SCENARIOS_DIR = Path(__file__).parent / "scenarios"


@dataclass(frozen=True)
class Site:
    domain: str
    down: bool = False
    redirect: str | None = None
    title: str | None = None
    body_bytes: int | None = None
    echo_client: bool = False
    """Serve the client's own address in the page and a header, as some real sites do."""
    cdn: bool = False
    """Served by the lab's CDN: every CDN host serves every CDN site with one shared certificate."""
    ipv6: bool = False
    """Dual-stack: an AAAA record and nginx on the site's IPv6 address too."""


@dataclass(frozen=True)
class Expect:
    url: str
    """The URL measured; "" for a built-in test's expectation (see ``test``)."""
    verdict: str | None = None
    blocking: str | Literal[False] | None = None
    """None: not compared (TOML has no null, so an absent key is the only way to say so)."""
    technique: str | None = None
    test: str | None = None
    """A test with built-in targets (``tor``, ``telegram``…) instead of a URL."""
    network_unusable: bool | None = None
    """The run-level verdict (``x_network_unusable``), which every measurement of a run carries."""
    repeat: int | None = None
    """``probe lab check`` measures with ``--repeat`` this (the largest of its entries')."""

    @property
    def hostname(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def label(self) -> str:
        return self.url or f"--test {self.test}"


@dataclass(frozen=True)
class Network:
    """Who the lab's geoip stand-in says the client is: ``[lab] asn``, ``cc``, ``network``.

    Two scenarios with different ASNs stand for two ISPs, e.g. for a diff from a store."""

    asn: int = 64500
    """A documentation ASN (RFC 5398) unless the scenario names a real ISP's, e.g. 9198."""
    cc: str = "KZ"
    name: str = "LAB-ISP Lab ISP, KZ"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    serve_lists: tuple[str, ...]
    latency_ms: float
    client_ipv6: bool
    """False: an IPv4-only line (link-local IPv6 only, no IPv6 route); DNS still has AAAA."""
    sites: tuple[Site, ...]
    rules: tuple[Rule, ...]
    expects: tuple[Expect, ...]
    source: Path
    network: Network = Network()

    def rules_for(self, *actions: str) -> list[Rule]:
        return [r for r in self.rules if r.action in actions]

    @property
    def down_domains(self) -> frozenset[str]:
        return frozenset(s.domain for s in self.sites if s.down)


def shipped() -> dict[str, Path]:
    """Scenario names shipped with the package, mapped to their files."""
    return {path.stem: path for path in sorted(SCENARIOS_DIR.glob("*.toml"))}


def find(name_or_path: str) -> Path:
    """A path to an existing file, else a shipped scenario by name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    known = shipped()
    if name_or_path in known:
        return known[name_or_path]
    raise LabError(
        _("{name}: no such scenario file or shipped scenario (shipped: {known})").format(
            name=name_or_path, known=", ".join(sorted(known))
        )
    )


def load(path: Path) -> Scenario:
    where = fields.Where(str(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise where.error(f"cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise where.error(f"not valid TOML: {exc}") from None
    return parse(data, path, fields.table_lines(text))


def parse(data: dict[str, Any], path: Path, lines: dict[str, list[int]] | None = None) -> Scenario:
    """A scenario from parsed TOML; ``lines`` (from ``table_lines``) puts lines in errors."""
    where = fields.Where(str(path), lines)
    fields.no_unknown(data, _TOP_KEYS, where)
    if "name" not in data:
        raise where.error("missing key 'name'")
    sites = tuple(
        _site(t, where.at("site", i)) for i, t in enumerate(fields.tables(data, "site", where), 1)
    )
    domains = [s.domain for s in sites]
    duplicate = next((d for d in domains if domains.count(d) > 1), None)
    if duplicate:
        raise where.error(f"site {duplicate!r} is defined more than once")
    rules = tuple(
        parse_rule(t, where.at("rule", i))
        for i, t in enumerate(fields.tables(data, "rule", where), 1)
    )
    expects = tuple(
        _expect(t, where.at("expect", i))
        for i, t in enumerate(fields.tables(data, "expect", where), 1)
    )
    _check_ipv4_only(sites, rules, where)
    return Scenario(
        name=fields.string(data, "name", where),
        description=fields.string(data, "description", where, ""),
        serve_lists=tuple(fields.str_list(data, "serve_lists", where)),
        latency_ms=fields.latency(data, where),
        client_ipv6=fields.boolean(data, "client_ipv6", where, default=True),
        sites=sites,
        rules=rules,
        expects=expects,
        source=path,
        network=_network(data.get("lab", {}), where.at("lab")),
    )


_LAB_KEYS = frozenset({"asn", "cc", "network"})


def _network(table: Any, where: fields.Where) -> Network:
    if not isinstance(table, dict):
        raise where.error("must be a table")
    fields.no_unknown(table, _LAB_KEYS, where)
    asn = table.get("asn", Network.asn)
    if not isinstance(asn, int) or isinstance(asn, bool) or not 0 < asn < 2**32:
        raise where.error("'asn' must be a number such as 9198")
    cc = fields.string(table, "cc", where, Network.cc)
    if not re.fullmatch(r"[A-Z]{2}", cc):
        raise where.error("'cc' must be a two-letter country code such as KZ")
    name = fields.string(table, "network", where, f"AS{asn} Lab ISP, {cc}")
    if '"' in name or "\\" in name or "|" in name:
        raise where.error("'network' may not hold quotes, backslashes or |")
    return Network(asn, cc, name)


def _check_ipv4_only(sites: tuple[Site, ...], rules: tuple[Rule, ...], where: fields.Where) -> None:
    dual = {s.domain for s in sites if s.ipv6}
    for i, rule in enumerate(rules, 1):
        if rule.action not in IPV4_ONLY_ACTIONS:
            continue
        v6 = [d for d in rule.domains if d in dual] + [a for a in rule.addresses if ":" in a]
        if not rule.domains and not rule.addresses:
            v6 = sorted(dual)  # a rule without targets applies to every site
        if v6:
            raise where.at("rule", i).error(
                f"action '{rule.action}' works on IPv4 only, but {v6[0]!r} is IPv6"
            )


def _site(table: dict[str, Any], where: fields.Where) -> Site:
    fields.no_unknown(table, _SITE_KEYS, where)
    down = fields.boolean(table, "down", where)
    redirect = (
        fields.url(fields.string(table, "redirect", where), where, "redirect")
        if "redirect" in table
        else None
    )
    if down and redirect:
        raise where.error("a site that is down cannot redirect")
    served_as = [k for k in ("cdn", "ipv6") if fields.boolean(table, k, where)]
    if down and served_as:
        raise where.error(f"a site that is down is served nowhere: drop '{served_as[0]}'")
    body_bytes: int | None = None
    if "body_bytes" in table:
        body_bytes = fields.typed(table, "body_bytes", int, "an integer", where)
        if not 0 < body_bytes <= 10_000_000:
            raise where.error("'body_bytes' must be between 1 and 10000000")
    return Site(
        domain=fields.domain(fields.string(table, "domain", where), where),
        down=down,
        redirect=redirect,
        title=fields.string(table, "title", where) if "title" in table else None,
        body_bytes=body_bytes,
        echo_client=fields.boolean(table, "echo_client", where),
        cdn=fields.boolean(table, "cdn", where),
        ipv6=fields.boolean(table, "ipv6", where),
    )


def _expect(table: dict[str, Any], where: fields.Where) -> Expect:
    fields.no_unknown(table, _EXPECT_KEYS, where)
    if sum(k in table for k in ("domain", "url", "test")) != 1:
        raise where.error("give exactly one of 'domain', 'url' or 'test'")
    test = fields.string(table, "test", where) if "test" in table else None
    if test is not None and test not in APP_TESTS:
        raise where.error(f"unknown test '{test}' (known: {', '.join(APP_TESTS)})")
    url = ""
    if "domain" in table:
        url = f"https://{fields.domain(fields.string(table, 'domain', where), where)}/"
    elif "url" in table:
        url = fields.url(fields.string(table, "url", where), where, "url")
    verdict = fields.string(table, "verdict", where) if "verdict" in table else None
    if verdict is not None and verdict not in VERDICTS:
        raise where.error(f"unknown verdict '{verdict}' (known: {', '.join(VERDICTS)})")
    blocking: str | Literal[False] | None = None
    if "blocking" in table:
        value = table["blocking"]
        if value is not False and value not in BLOCKING_VALUES:
            raise where.error(
                f"'blocking' must be false or one of {', '.join(BLOCKING_VALUES)}, not {value!r}"
            )
        blocking = value
    if verdict in (Category.OK, Category.DOWN) and blocking:
        raise where.error(f"verdict '{verdict}' contradicts blocking {blocking!r}")
    if verdict == Category.BLOCKED and blocking is False:
        raise where.error("verdict 'blocked' contradicts blocking = false")
    technique = fields.string(table, "technique", where) if "technique" in table else None
    if technique is not None and technique not in TECHNIQUES:
        raise where.error(f"unknown technique '{technique}' (known: {', '.join(TECHNIQUES)})")
    if technique is not None and verdict not in (None, Category.BLOCKED):
        raise where.error(f"verdict '{verdict}' has no technique, not {technique!r}")
    unusable = (
        fields.boolean(table, "network_unusable", where) if "network_unusable" in table else None
    )
    repeat = _repeat(table, where)
    if verdict == INTERMITTENT and (repeat is None or test is not None):
        raise where.error("verdict 'intermittent' needs 'repeat' (e.g. repeat = 6) and a URL")
    if verdict is None and blocking is None and technique is None and unusable is None:
        raise where.error(
            "nothing to compare: give 'verdict', 'blocking', 'technique' or 'network_unusable'"
        )
    return Expect(url, verdict, blocking, technique, test, unusable, repeat)


def _repeat(table: dict[str, Any], where: fields.Where) -> int | None:
    if "repeat" not in table:
        return None
    value = table["repeat"]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_REPEAT:
        raise where.error(f"'repeat' must be a whole number from 1 to {MAX_REPEAT}, not {value!r}")
    return value
