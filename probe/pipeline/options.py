"""One run's options, built once from the declared options' values and read by every stage.

The runner, its packet follow-up, the per-measurement analysis and the run-level pass all take
their settings from this one object, so no stage can run with options another did not see.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from probe.analysis.options import AnalysisOptions, OptionFlags
from probe.control.defaults import parse_doh_urls, parse_helper_urls
from probe.net.backend import SOCKETS, NetworkBackend
from probe.net.bogons import parse_exemptions
from probe.net.location import Endpoints
from probe.net.tls import check_ca_bundle
from probe.nettests.messaging.endpoints import check_file
from probe.options import ENV_DOH_URLS, ENV_HELPER_URL
from probe.settings import Settings, Timeouts


@dataclass(frozen=True)
class RunOptions:
    list_name: str | None
    urls: tuple[str, ...]
    tests: tuple[str, ...]
    lists_dir: Path | None
    output: Path | None
    resume: Path | None
    settings: Settings
    analysis: AnalysisOptions
    """The analysis options of the sink, the packet follow-up and the run-level pass alike."""
    geoip: Endpoints | None
    """None: no network lookup, the run stores AS0/ZZ."""
    secrets: tuple[str, ...] = ()
    """Private bridge addresses and keys, scrubbed from every output."""
    backend: NetworkBackend = SOCKETS
    """What every step connects through: the real network (no flag changes it), or in tests
    a scripted one (``probe.net.scripted``)."""
    repeat: int = 0
    """More measurements of each web target whose first was not ok (``--repeat``)."""
    repeat_gap: float = 60.0
    """Seconds at least between two measurements of one target (``--repeat-gap``)."""


def run_options(values: Mapping[str, Any]) -> RunOptions:
    """``probe run``'s options from its flag values (keyed by declared name).

    Raises ValueError (a CertificateFileError, a DataFileError) naming what is wrong.
    """
    flags = option_flags(values["bogon_exempt"], values["interception_roots"])
    check_files(values)
    bridges: Path | None = values["bridges"]
    settings = Settings(
        resolver=values["resolver"],
        system_dns=values["system_dns"],
        ca_bundle=values["ca_bundle"],
        # click reads an empty variable as unset; the parsers refuse it instead.
        helper_urls=parse_helper_urls(values["helper"] or os.environ.get(ENV_HELPER_URL)),
        doh_urls=parse_doh_urls(values["doh_url"] or os.environ.get(ENV_DOH_URLS)),
        bogon_exempt=flags.bogon_exempt or (),
        tor_authorities=values["tor_authorities"],
        app_endpoints=values["app_endpoints"],
        bridges=bridges,
        packet_tests=values["packet_tests"],
        no_dns_address=values["no_dns_address"],
        asn_zone=values["geoip_asn_zone"] if values["geoip"] else None,
        neutral_host=values["neutral_host"],
        timeouts=Timeouts(
            values["timeout_dns"],
            values["timeout_tcp"],
            values["timeout_tls"],
            values["timeout_http"],
        ),
        parallel=values["parallel"],
        max_addresses=values["max_addresses"],
    )
    geoip = Endpoints(values["geoip_myaddr"], values["geoip_asn_zone"], values["geoip_name_zone"])
    return RunOptions(
        list_name=values["list_name"],
        urls=tuple(values["url"]),
        tests=tuple(values["test"]),
        lists_dir=values["lists_dir"],
        output=values["output"],
        resume=values["resume"],
        settings=settings,
        analysis=AnalysisOptions(settings.bogon_exempt, flags.extra_roots or ()),
        geoip=geoip if values["geoip"] else None,
        secrets=_bridge_secrets(bridges) if bridges else (),
        repeat=values["repeat"],
        repeat_gap=values["repeat_gap"],
    )


def _bridge_secrets(path: Path) -> tuple[str, ...]:
    from probe.nettests import tor  # only with --bridges: tor loads the helper client

    return tuple(tor.bridge_secrets(tor.load_bridges(path)))


def check_files(values: Mapping[str, Any]) -> None:
    """Read every data file the run was given now, before consent or any output, whether or not
    a selected test would use it: garbage is ``FILE[:LINE]: reason`` and exit 2, not a failure
    halfway through the run (``--bridges`` and the lists are read just after)."""
    if values["ca_bundle"]:
        check_ca_bundle(values["ca_bundle"])
    if values["tor_authorities"]:
        from probe.nettests import tor  # only with --tor-authorities: tor loads the helper client

        tor.load_targets(values["tor_authorities"])
    if values["app_endpoints"]:
        check_file(values["app_endpoints"])


def option_flags(bogon_exempt: str | None, interception_roots: str | None) -> OptionFlags:
    """The analysis flags as given: a flag not given (None) leaves each measurement's stored
    value (for ``probe analyze``; a run takes them as its own options)."""
    exempt = None
    if bogon_exempt is not None:
        exempt = parse_exemptions(c for c in bogon_exempt.split(",") if c.strip())
    roots = None
    if interception_roots is not None:
        from probe.interception.roots import user_roots  # X.509 parsing, only when given

        paths = [Path(p) for p in interception_roots.split(os.pathsep) if p.strip()]
        roots = tuple(root for path in paths for root in user_roots(path))
    return OptionFlags(exempt, roots)
