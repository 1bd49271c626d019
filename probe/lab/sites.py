"""Which domains a scenario serves, and where.

A lab serves the domains of its lists, its ``[[site]]`` tables, its rules, its expectations and
its redirect targets, so a scenario never has to list a domain twice. Sites that are ``down``
exist nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from probe.inputs import ListError, find_list, load_list
from probe.lab import plan
from probe.lab.errors import LabError
from probe.lab.scenario import ADDRESS_ACTIONS, Scenario, Site
from probe.net.names import is_ip_literal


def list_domains(scenario: Scenario, lists_dir: Path | None = None) -> list[str]:
    """Hostnames of every target in ``serve_lists``; paths are relative to the scenario file."""
    domains: list[str] = []
    for entry in scenario.serve_lists:
        beside = scenario.source.parent / entry
        try:
            path = beside if beside.is_file() else find_list(entry, lists_dir)
            targets = load_list(path)
        except ListError as exc:
            raise LabError(f"{scenario.source}: serve_lists: {exc}") from None
        domains += [t.ascii_hostname for t in targets if not is_ip_literal(t.ascii_hostname)]
    return domains


def served(scenario: Scenario, listed: Iterable[str]) -> dict[str, Site]:
    """Every served domain with its site settings (defaults unless a ``[[site]]`` says more)."""
    explicit = {s.domain: s for s in scenario.sites}
    wanted = [*listed, *explicit]
    for rule in scenario.rules:
        wanted += rule.domains
    wanted += [e.hostname for e in scenario.expects]
    wanted += [urlsplit(s.redirect).hostname or "" for s in scenario.sites if s.redirect]
    down = scenario.down_domains
    return {d: explicit.get(d, Site(d)) for d in dict.fromkeys(wanted) if d and d not in down}


def addresses(scenario: Scenario, sites: Iterable[str]) -> dict[str, str]:
    names = list(sites)
    dedicated = [
        d for rule in scenario.rules_for(*ADDRESS_ACTIONS) for d in rule.domains if d in names
    ]
    try:
        allocated = plan.allocate(names, dedicated)
    except ValueError as exc:
        raise LabError(f"{scenario.source}: {exc}") from None
    for site in scenario.sites:
        if site.same_address_as and site.domain in allocated:
            allocated[site.domain] = allocated[site.same_address_as]
    return allocated


def addresses6(sites: Iterable[Site], addresses: Mapping[str, str]) -> dict[str, str]:
    """The IPv6 twin of each dual-stack site's address."""
    return {s.domain: plan.web_v6(addresses[s.domain]) for s in sites if s.ipv6}
