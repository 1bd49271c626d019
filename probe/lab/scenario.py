"""Scenario files: the contract for what a lab serves and censors (see docs/lab.md).

Parsing is strict because files come from outside the project: every unknown key, action or
value is an error naming the file, the table and the key, like a compiler message.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from probe.analysis.vocabulary import Blocking, Category, Technique
from probe.lab.errors import LabError
from probe.lab.plan import in_lab
from probe.net.names import to_ascii

# Keys each action accepts besides ``action``; the first set lists the ones it requires.
_RULE_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "dns-nxdomain": (frozenset({"domains"}), frozenset()),
    "dns-spoof": (frozenset({"domains", "address"}), frozenset()),
    "dns-drop": (frozenset({"domains"}), frozenset()),
    "dns-inject": (frozenset({"domains"}), frozenset({"address"})),
    "ip-drop": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "ip-reset": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "sni-reset": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "sni-drop": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "host-reset": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "host-drop": (frozenset({"domains"}), frozenset({"probability", "residual"})),
    "http-blockpage": (frozenset({"domains"}), frozenset({"body"})),
    "tls-mitm": (frozenset({"domains"}), frozenset()),
    "throttle": (frozenset({"rate"}), frozenset({"domains", "addresses"})),
    "sni-throttle": (frozenset({"rate", "domains"}), frozenset()),
    "tls-reset": (frozenset(), frozenset({"domains", "addresses", "probability"})),
    "freeze": (frozenset(), frozenset({"domains", "addresses", "bytes"})),
    "shutdown": (frozenset(), frozenset()),
}
ACTIONS = tuple(_RULE_KEYS)
ADDRESS_ACTIONS = frozenset(
    {"ip-drop", "ip-reset", "tls-reset", "throttle", "tls-mitm", "http-blockpage", "freeze"}
)
"""Actions enforced by destination address, so their domains get an address of their own."""
IPV4_ONLY_ACTIONS = frozenset({"throttle", "tls-mitm", "http-blockpage"})
"""Address actions the censor applies to IPv4 only: their domains cannot be dual-stack."""

VERDICTS = tuple(Category)
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
    {
        "domain",
        "down",
        "redirect",
        "title",
        "body_bytes",
        "echo_client",
        "cdn",
        "ipv6",
        "same_address_as",
    }
)
_EXPECT_KEYS = frozenset(
    {"domain", "url", "test", "verdict", "blocking", "technique", "network_unusable", "detail"}
)
_RATE = re.compile(r"(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)")
_LATENCY = re.compile(r"(\d+(?:\.\d+)?)(ms|s)")
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
    same_address_as: str | None = None
    """Another ``[[site]]`` whose address this one shares, as names on one shared host do."""


@dataclass(frozen=True)
class Rule:
    action: str
    domains: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    address: str | None = None
    rate: str | None = None
    body: str | None = None
    bytes: int = 16384
    """``freeze``: how many bytes the server's side of a flow carries before it stalls."""
    probability: float | None = None
    """The share of triggering flows the rule fires on (None: every one)."""
    residual: int | None = None
    """Seconds during which, after the rule fired, every new flow to that server is dropped."""


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
    detail: str | None = None
    """Words the measurement's ``x_detail`` must contain (the evidence, not only the verdict)."""

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


_HEADER = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\]")


def table_lines(text: str) -> dict[str, list[int]]:
    """The line of each table header (``[lab]``, every ``[[rule]]``…), by table name in order."""
    lines: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if match := _HEADER.match(line):
            lines.setdefault(match.group(1), []).append(number)
    return lines


class _Where:
    """Builds ``file:line: table[n]: message`` errors (the line of the table's header)."""

    def __init__(
        self, file: str, lines: dict[str, list[int]] | None = None, table: str = "", line: int = 0
    ) -> None:
        self.file = file
        self.lines = lines or {}
        self.table = table
        self.line = line

    def at(self, kind: str, index: int = 1) -> _Where:
        headers = self.lines.get(kind, [])
        line = headers[index - 1] if index <= len(headers) else 0
        table = kind if kind == "lab" else f"{kind}[{index}]"
        return _Where(self.file, self.lines, table, line)

    def error(self, message: str) -> LabError:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return LabError(f"{place}: {self.table + ': ' if self.table else ''}{message}")


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
        f"{name_or_path}: no such scenario file or shipped scenario "
        f"(shipped: {', '.join(sorted(known))})"
    )


def load(path: Path) -> Scenario:
    where = _Where(str(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise where.error(f"cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise where.error(f"not valid TOML: {exc}") from None
    return parse(data, path, table_lines(text))


def parse(data: dict[str, Any], path: Path, lines: dict[str, list[int]] | None = None) -> Scenario:
    """A scenario from parsed TOML; ``lines`` (from ``table_lines``) puts lines in errors."""
    where = _Where(str(path), lines)
    _no_unknown(data, _TOP_KEYS, where)
    if "name" not in data:
        raise where.error("missing key 'name'")
    sites = tuple(
        _site(t, where.at("site", i)) for i, t in enumerate(_tables(data, "site", where), 1)
    )
    domains = [s.domain for s in sites]
    duplicate = next((d for d in domains if domains.count(d) > 1), None)
    if duplicate:
        raise where.error(f"site {duplicate!r} is defined more than once")
    rules = tuple(
        _rule(t, where.at("rule", i)) for i, t in enumerate(_tables(data, "rule", where), 1)
    )
    expects = tuple(
        _expect(t, where.at("expect", i)) for i, t in enumerate(_tables(data, "expect", where), 1)
    )
    _check_ipv4_only(sites, rules, where)
    _check_shared(sites, rules, where)
    return Scenario(
        name=_str(data, "name", where),
        description=_str(data, "description", where, ""),
        serve_lists=tuple(_str_list(data, "serve_lists", where)),
        latency_ms=_latency(data, where),
        client_ipv6=_bool(data, "client_ipv6", where, default=True),
        sites=sites,
        rules=rules,
        expects=expects,
        source=path,
        network=_network(data.get("lab", {}), where.at("lab")),
    )


_LAB_KEYS = frozenset({"asn", "cc", "network"})


def _network(table: Any, where: _Where) -> Network:
    if not isinstance(table, dict):
        raise where.error("must be a table")
    _no_unknown(table, _LAB_KEYS, where)
    asn = table.get("asn", Network.asn)
    if not isinstance(asn, int) or isinstance(asn, bool) or not 0 < asn < 2**32:
        raise where.error("'asn' must be a number such as 9198")
    cc = _str(table, "cc", where, Network.cc)
    if not re.fullmatch(r"[A-Z]{2}", cc):
        raise where.error("'cc' must be a two-letter country code such as KZ")
    name = _str(table, "network", where, f"AS{asn} Lab ISP, {cc}")
    if '"' in name or "\\" in name or "|" in name:
        raise where.error("'network' may not hold quotes, backslashes or |")
    return Network(asn, cc, name)


def _check_ipv4_only(sites: tuple[Site, ...], rules: tuple[Rule, ...], where: _Where) -> None:
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


def _check_shared(sites: tuple[Site, ...], rules: tuple[Rule, ...], where: _Where) -> None:
    """``same_address_as`` names another live ``[[site]]`` that keeps its own address."""
    by_domain = {s.domain: s for s in sites}
    dedicated = {d for r in rules if r.action in ADDRESS_ACTIONS for d in r.domains}
    for i, site in enumerate(sites, 1):
        if site.same_address_as is None:
            continue
        other = by_domain.get(site.same_address_as)
        if other is None or other is site:
            raise where.at("site", i).error(
                f"'same_address_as' must name another [[site]], not {site.same_address_as!r}"
            )
        if other.down or other.same_address_as:
            raise where.at("site", i).error(
                f"'same_address_as': {other.domain!r} has no address of its own to share"
            )
        if site.domain in dedicated:
            raise where.at("site", i).error(
                f"{site.domain!r} is named by an address rule, so it has an address of its own"
            )


def _no_unknown(table: dict[str, Any], allowed: frozenset[str], where: _Where) -> None:
    for key in table:
        if key not in allowed:
            raise where.error(f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def _tables(data: dict[str, Any], key: str, where: _Where) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise where.error(f"'{key}' must be an array of tables ([[{key}]])")
    return value


def _typed(table: dict[str, Any], key: str, kind: type, what: str, where: _Where) -> Any:
    value = table[key]
    # bool is an int in Python; TOML keeps them apart, and so do we.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise where.error(f"'{key}' must be {what}, not {value!r}")
    return value


def _str(table: dict[str, Any], key: str, where: _Where, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise where.error(f"missing key '{key}'")
        return default
    text: str = _typed(table, key, str, "a string", where)
    return text


def _bool(table: dict[str, Any], key: str, where: _Where, default: bool = False) -> bool:
    if key not in table:
        return default
    return bool(_typed(table, key, bool, "true or false", where))


def _str_list(table: dict[str, Any], key: str, where: _Where) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(f"'{key}' must be a list of strings")
    return value


def _domain(name: str, where: _Where) -> str:
    try:
        ascii_name = to_ascii(name)
    except UnicodeError as exc:  # idna.IDNAError and the codec errors it lets through
        raise where.error(f"invalid domain {name!r}: {exc}") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9_-]{1,63}", label) for label in labels):
        raise where.error(f"invalid domain {name!r}")
    return ascii_name


def _url(url: str, where: _Where, key: str) -> str:
    """An http(s) URL with its host as an A-label, case-folded, as the lab serves it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise where.error(f"'{key}' must be an http(s) URL, not {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise where.error(f"'{key}' has an invalid port: {url!r}") from None
    host = _domain(parts.hostname, where)
    netloc = f"{host}:{port}" if port is not None else host
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc).geturl()


def _address(value: str, where: _Where, key: str) -> str:
    if not in_lab(value):
        raise where.error(
            f"'{key}' must be an address in the lab's ranges (the three IPv4 TEST-NETs or "
            f"2001:db8::/32), not {value!r}"
        )
    return str(ipaddress.ip_address(value))


def _answer(value: str, where: _Where) -> str:
    """A forged DNS answer: a lab address or a bogon (10.10.34.35, 127.0.0.1), never a public
    address, so a client that follows it stays inside the lab (the hop rejects the rest)."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        ip = None
    if ip is None or ip.version != 4 or ip.is_global:
        raise where.error(
            f"'address' must be an IPv4 address in the lab's ranges or a bogon, not {value!r}"
        )
    return value


def _site(table: dict[str, Any], where: _Where) -> Site:
    _no_unknown(table, _SITE_KEYS, where)
    down = _bool(table, "down", where)
    redirect = (
        _url(_str(table, "redirect", where), where, "redirect") if "redirect" in table else None
    )
    if down and redirect:
        raise where.error("a site that is down cannot redirect")
    served_as = [k for k in ("cdn", "ipv6") if _bool(table, k, where)]
    served_as += ["same_address_as"] if "same_address_as" in table else []
    if down and served_as:
        raise where.error(f"a site that is down is served nowhere: drop '{served_as[0]}'")
    body_bytes: int | None = None
    if "body_bytes" in table:
        body_bytes = _typed(table, "body_bytes", int, "an integer", where)
        if not 0 < body_bytes <= 10_000_000:
            raise where.error("'body_bytes' must be between 1 and 10000000")
    return Site(
        domain=_domain(_str(table, "domain", where), where),
        down=down,
        redirect=redirect,
        title=_str(table, "title", where) if "title" in table else None,
        body_bytes=body_bytes,
        echo_client=_bool(table, "echo_client", where),
        cdn=_bool(table, "cdn", where),
        ipv6=_bool(table, "ipv6", where),
        same_address_as=(
            _domain(_str(table, "same_address_as", where), where)
            if "same_address_as" in table
            else None
        ),
    )


def _rule(table: dict[str, Any], where: _Where) -> Rule:
    action = _str(table, "action", where)
    if action not in _RULE_KEYS:
        raise where.error(f"unknown action '{action}' (known: {', '.join(ACTIONS)})")
    required, optional = _RULE_KEYS[action]
    for key in table:
        if key != "action" and key not in required | optional:
            raise where.error(f"key '{key}' is not valid for action '{action}'")
    for key in sorted(required):
        if key not in table:
            raise where.error(f"action '{action}' needs key '{key}'")
    if action in ("ip-drop", "ip-reset", "freeze") and not (
        {"domains", "addresses"} & table.keys()
    ):
        raise where.error(f"action '{action}' needs 'domains' or 'addresses'")
    rate = _str(table, "rate", where) if "rate" in table else None
    if rate is not None and not _RATE.fullmatch(rate):
        raise where.error(f"'rate' must look like '32kbit' or '1mbit', not {rate!r}")
    domains = tuple(_domain(d, where) for d in _str_list(table, "domains", where))
    if "domains" in table and not domains:
        raise where.error("'domains' is empty")
    address = _str(table, "address", where) if "address" in table else None
    probability = table.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 < probability <= 1
    ):
        raise where.error(f"'probability' must be a number in (0, 1], not {probability!r}")
    residual = table.get("residual")
    if residual is not None and (
        isinstance(residual, bool) or not isinstance(residual, int) or not 0 < residual <= 86400
    ):
        raise where.error(f"'residual' must be whole seconds in 1..86400, not {residual!r}")
    size = table.get("bytes", 16384)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise where.error(f"'bytes' must be a positive whole number, not {size!r}")
    return Rule(
        action=action,
        bytes=size,
        domains=domains,
        addresses=tuple(
            _address(a, where, "addresses") for a in _str_list(table, "addresses", where)
        ),
        address=_answer(address, where) if address is not None else None,
        rate=rate,
        body=_str(table, "body", where) if "body" in table else None,
        probability=float(probability) if probability is not None else None,
        residual=residual,
    )


def _expect(table: dict[str, Any], where: _Where) -> Expect:
    _no_unknown(table, _EXPECT_KEYS, where)
    if sum(k in table for k in ("domain", "url", "test")) != 1:
        raise where.error("give exactly one of 'domain', 'url' or 'test'")
    test = _str(table, "test", where) if "test" in table else None
    if test is not None and test not in APP_TESTS:
        raise where.error(f"unknown test '{test}' (known: {', '.join(APP_TESTS)})")
    url = ""
    if "domain" in table:
        url = f"https://{_domain(_str(table, 'domain', where), where)}/"
    elif "url" in table:
        url = _url(_str(table, "url", where), where, "url")
    verdict = _str(table, "verdict", where) if "verdict" in table else None
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
    technique = _str(table, "technique", where) if "technique" in table else None
    if technique is not None and technique not in TECHNIQUES:
        raise where.error(f"unknown technique '{technique}' (known: {', '.join(TECHNIQUES)})")
    if technique is not None and verdict not in (None, Category.BLOCKED):
        raise where.error(f"verdict '{verdict}' has no technique, not {technique!r}")
    unusable = _bool(table, "network_unusable", where) if "network_unusable" in table else None
    detail = _str(table, "detail", where) if "detail" in table else None
    if detail == "":
        raise where.error("'detail' is empty")
    if (verdict, blocking, technique, unusable, detail) == (None,) * 5:
        raise where.error(
            "nothing to compare: give 'verdict', 'blocking', 'technique', 'network_unusable' "
            "or 'detail'"
        )
    return Expect(url, verdict, blocking, technique, test, unusable, detail)


def _latency(data: dict[str, Any], where: _Where) -> float:
    if "latency" not in data:
        return 0.0
    text = _str(data, "latency", where)
    match = _LATENCY.fullmatch(text)
    if not match:
        raise where.error(f"'latency' must look like '100ms' or '1s', not {text!r}")
    value = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
    if value > 10_000:
        raise where.error("'latency' must be at most 10s")
    return value
