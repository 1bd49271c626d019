"""``probe run``: measure a target list and save one JSON line per target."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from probe import runner
from probe.analysis import RunAnalysis, RunSummary, mark_network
from probe.cli.analyze import analysis_options, write_analysed
from probe.cli.consent import ensure_consent
from probe.cli.options import BOGON_EXEMPT, CA_BUNDLE, INTERCEPTION_ROOTS
from probe.cli.run_summary import print_run, slim
from probe.control.attempts import never_answered
from probe.control.defaults import parse_doh_urls, parse_helper_urls
from probe.inputs import ListError, Target, find_list, lists_dir, load_list, targets_from_urls
from probe.interception import CertificateFileError
from probe.net.bogons import parse_exemptions
from probe.net.dns import system_resolver
from probe.net.geoip import UNKNOWN, Endpoints, Location, locate
from probe.net.own_addresses import OwnAddresses, interface_addresses
from probe.net.raw import unavailable
from probe.nettests import tor
from probe.nettests.messaging.endpoints import DataFileError
from probe.nettests.registry import UnknownNettest, select
from probe.report.envelope import RunInfo
from probe.report.jsonl import JsonlWriter, ResultsError, rewrite
from probe.report.resume import recover
from probe.report.scrub import Scrubber
from probe.runner import Job, jobs_for
from probe.settings import (
    ENV_APP_ENDPOINTS,
    ENV_DOH_URLS,
    ENV_GEOIP_ASN_ZONE,
    ENV_GEOIP_MYADDR,
    ENV_GEOIP_NAME_ZONE,
    ENV_HELPER_URL,
    ENV_LISTS_DIR,
    ENV_NO_DNS_ADDRESS,
    ENV_RESOLVER,
    ENV_TOR_AUTHORITIES,
    Settings,
    Timeouts,
)

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _load_targets(
    list_arg: str | None, urls: list[str], lists_dir_arg: Path | None
) -> tuple[list[Target], str]:
    targets: list[Target] = []
    name = "urls"
    if list_arg:
        path = find_list(list_arg, lists_dir(lists_dir_arg))
        targets = load_list(path)
        name = path.stem
    if urls:
        known = {t.key for t in targets}
        targets += [t for t in targets_from_urls(urls) if t.key not in known]
    return targets, name


def _resume(
    path: Path, jobs: list[Job], infos: dict[str, RunInfo], err: Console
) -> tuple[list[Job], dict[str, RunInfo]]:
    """Skip what ``path`` holds and keep its report ids, so the result equals one whole run."""
    try:
        done = recover(path)
    except (ResultsError, OSError) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    if done.torn_bytes:
        err.print(
            f"[yellow]repaired:[/] {path}:{done.torn_line}: removed an incomplete last line "
            f"({done.torn_bytes} bytes) left by the interruption; that target is measured again"
        )
    remaining = [j for j in jobs if (j.nettest.name, j.input) not in done.done]
    err.print(f"resuming: {len(jobs) - len(remaining)} done, {len(remaining)} to measure")
    if done.test_start_time:
        infos = {
            name: replace(
                info,
                report_id=done.report_ids.get(name, info.report_id),
                started=done.test_start_time,
            )
            for name, info in infos.items()
        }
    return remaining, infos


def _locate(settings: Settings, endpoints: Endpoints, err: Console) -> Location:
    resolver = settings.resolver or system_resolver()
    if resolver is None:
        return UNKNOWN
    location = asyncio.run(locate(endpoints, resolver, settings.timeouts.dns))
    if location.failure:
        err.print(f"[yellow]note:[/] network lookup failed ({location.failure}); storing AS0/ZZ")
    return location


def _scrub_late(
    path: Path, secrets: list[str], own: OwnAddresses, known: frozenset[str], err: Console
) -> None:
    """Scrub the whole file again if the run learned an address after it began writing."""
    own.add(interface_addresses())  # an address may have come or rotated since the start
    if own.snapshot() == known:
        return
    try:
        rewrite(path, Scrubber([*secrets, *own.snapshot()]))
    except (ResultsError, OSError) as exc:
        err.print(f"[red]error:[/] could not scrub {path} again: {exc}", highlight=False)
        raise typer.Exit(1) from exc


def _settings(**values: Any) -> Settings:
    exempt = [c for c in (values.pop("bogon_exempt") or "").split(",") if c.strip()]
    timeouts = Timeouts(
        dns=values.pop("timeout_dns"),
        tcp=values.pop("timeout_tcp"),
        tls=values.pop("timeout_tls"),
        http=values.pop("timeout_http"),
    )
    return Settings(bogon_exempt=parse_exemptions(exempt), timeouts=timeouts, **values)


def run(
    list_name: str | None = typer.Option(
        None, "--list", "-l", help="A list name (see `probe lists`) or a path to a CSV/text list."
    ),
    url: list[str] = typer.Option([], "--url", "-u", help="A URL to measure (repeatable)."),
    test: list[str] = typer.Option(
        [],
        "--test",
        "-t",
        help="A nettest to run (repeatable; see `probe tests`) (default: the list's suite).",
    ),
    bridges: Path | None = typer.Option(
        None,
        "--bridges",
        exists=True,
        dir_okay=False,
        help="Tor bridges to test, one per line; their addresses never reach any output.",
    ),
    tor_authorities: Path | None = typer.Option(
        None, envvar=ENV_TOR_AUTHORITIES, help="TOML replacing the Tor directory authorities."
    ),
    app_endpoints: Path | None = typer.Option(
        None, envvar=ENV_APP_ENDPOINTS, help="TOML replacing the messaging-app endpoints."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Results file (default: results/<UTC time>-<list>.jsonl)."
    ),
    parallel: int = typer.Option(32, "--parallel", "-p", min=1, max=1024, help="Targets at once."),
    resolver: str | None = typer.Option(
        None, envvar=ENV_RESOLVER, help="UDP resolver as host[:port] (default: the system's)."
    ),
    ca_bundle: Path | None = CA_BUNDLE,
    helper: str | None = typer.Option(
        None,
        "--helper",
        envvar=ENV_HELPER_URL,
        help="Comma-separated OONI-compatible test helper URLs, tried in order until one answers;"
        " 'none' turns the helper off (default: OONI's https://0.th.ooni.org/ to 3.th.ooni.org).",
    ),
    doh_url: str | None = typer.Option(
        None,
        "--doh-url",
        envvar=ENV_DOH_URLS,
        help="Comma-separated DNS-over-HTTPS URLs, asked as an uncensored DNS control; 'none'"
        " turns it off (default: Google, Cloudflare and Quad9, see docs/helper.md).",
    ),
    packet_tests: bool = typer.Option(
        False,
        "--packet-tests",
        help="For blocked targets, also run DNS-injection, censor-location and RST tests (root).",
    ),
    no_dns_address: str | None = typer.Option(
        None,
        envvar=ENV_NO_DNS_ADDRESS,
        help="An address that runs no DNS server, for the DNS-injection test.",
    ),
    neutral_host: str = typer.Option(
        "example.com", help="SNI and Host for the self-control to the same address."
    ),
    bogon_exempt: str | None = BOGON_EXEMPT,
    interception_roots: str | None = INTERCEPTION_ROOTS,
    lists_dir_opt: Path | None = typer.Option(
        None, "--lists-dir", envvar=ENV_LISTS_DIR, help="Folder that holds named lists."
    ),
    max_addresses: int = typer.Option(4, min=1, help="Resolved addresses to connect, per name."),
    system_dns: bool = typer.Option(
        True,
        "--system-dns/--no-system-dns",
        envvar="PROBE_SYSTEM_DNS",
        help="Also resolve with the OS resolver (getaddrinfo).",
    ),
    timeout_dns: float = typer.Option(4.0, min=0.1, help="DNS timeout, seconds."),
    timeout_tcp: float = typer.Option(10.0, min=0.1, help="TCP connect timeout, seconds."),
    timeout_tls: float = typer.Option(10.0, min=0.1, help="TLS handshake timeout, seconds."),
    timeout_http: float = typer.Option(10.0, min=0.1, help="Total HTTP budget per request."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    geoip: bool = typer.Option(
        True, "--geoip/--no-geoip", help="Look up your network's ASN and country (else AS0/ZZ)."
    ),
    geoip_myaddr: str = typer.Option(
        Endpoints.myaddr, envvar=ENV_GEOIP_MYADDR, help="NAME@SERVER whose TXT answer is your IP."
    ),
    geoip_asn_zone: str = typer.Option(
        Endpoints.asn_zone, envvar=ENV_GEOIP_ASN_ZONE, help="IP-to-ASN TXT zone (Team Cymru)."
    ),
    geoip_name_zone: str = typer.Option(
        Endpoints.name_zone, envvar=ENV_GEOIP_NAME_ZONE, help="ASN-to-name TXT zone."
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", envvar="PROBE_YES", help="Accept the consent notice (for scripts)."
    ),
    resume: Path | None = typer.Option(
        None,
        "--resume",
        dir_okay=False,
        help="Continue an interrupted run: skip targets already in FILE and append to it.",
    ),
) -> None:
    """Measure every target with DNS, TCP, TLS and HTTP and save OONI-format JSONL.

    Each measurement is written and flushed as soon as its target finishes, so an interrupted run
    keeps everything it measured.
    """
    err = Console(stderr=True)
    try:
        targets, name = _load_targets(list_name, url, lists_dir_opt)
        nettests = select(test, name if list_name else None)
    except (ListError, UnknownNettest) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    if not targets and any(not n.builtin_inputs for n in nettests):
        err.print("[red]error:[/] give --list NAME|PATH or at least one --url")
        raise typer.Exit(EXIT_USAGE)
    ensure_consent(yes, sys.stdin.isatty(), err)
    if packet_tests and (reason := unavailable()):
        err.print(f"[yellow]note:[/] packet tests skipped, {reason}; everything else runs")
        packet_tests = False
    try:
        secrets = tor.bridge_secrets(tor.load_bridges(bridges)) if bridges else []
        settings = _settings(
            tor_authorities=tor_authorities,
            app_endpoints=app_endpoints,
            bridges=bridges,
            # click reads an empty variable as unset; the parsers refuse it instead.
            helper_urls=parse_helper_urls(helper if helper else os.environ.get(ENV_HELPER_URL)),
            doh_urls=parse_doh_urls(doh_url if doh_url else os.environ.get(ENV_DOH_URLS)),
            neutral_host=neutral_host,
            packet_tests=packet_tests,
            no_dns_address=no_dns_address,
            resolver=resolver,
            ca_bundle=ca_bundle,
            bogon_exempt=bogon_exempt,
            parallel=parallel,
            max_addresses=max_addresses,
            system_dns=system_dns,
            timeout_dns=timeout_dns,
            timeout_tcp=timeout_tcp,
            timeout_tls=timeout_tls,
            timeout_http=timeout_http,
        )
        options = analysis_options(bogon_exempt, interception_roots)
    except (ValueError, CertificateFileError, DataFileError) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    endpoints = Endpoints(geoip_myaddr, geoip_asn_zone, geoip_name_zone)
    location = _locate(settings, endpoints, err) if geoip else UNKNOWN
    started = datetime.now(UTC)
    infos = {
        n.name: RunInfo(
            n.name,
            n.version,
            name,
            started=started,
            probe_asn=location.asn,
            probe_cc=location.cc,
            probe_network_name=location.network_name,
        )
        for n in nettests
    }
    jobs = jobs_for(nettests, targets)
    if resume is not None:
        if output is not None and output != resume:
            err.print("[red]error:[/] --resume FILE already names the output; drop --output")
            raise typer.Exit(EXIT_USAGE)
        jobs, infos = _resume(resume, jobs, infos, err)
    path = resume or output or Path("results") / f"{started:%Y%m%dT%H%M%SZ}-{name}.jsonl"
    try:
        writer = JsonlWriter(path)
    except ResultsError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    records: list[dict[str, Any]] = []
    analysis = RunAnalysis(options)
    provisional = RunSummary()  # each line is final unless the whole network proves unusable
    show_progress = not no_progress and sys.stderr.isatty()
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=err,
        disable=not show_progress,
        transient=True,
    )
    task = progress.add_task("measuring", total=len(jobs), last="")

    def sink(record: dict[str, Any]) -> None:
        analysed = mark_network(analysis.add(record), provisional)
        writer.write(analysed)
        records.append(slim(analysed))
        progress.update(task, advance=1, last=record["input"] or record["test_name"])

    interrupted = False
    own = OwnAddresses([*interface_addresses(), *([location.ip] if location.ip else [])])
    known = own.snapshot()
    with writer, progress:
        try:
            asyncio.run(runner.run(jobs, settings, infos, sink, secrets, own))
        except KeyboardInterrupt:
            interrupted = True
        except ResultsError as exc:
            err.print(f"[red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from exc
    _scrub_late(path, secrets, own, known, err)
    summary = analysis.finish()
    if summary.network_unusable and not interrupted:
        write_analysed(path, path, options, summary)
    print_run(records, summary, path, len(jobs), datetime.now(UTC) - started)
    if missing := never_answered(records):
        listed = ", ".join(f"{address} ({failure})" for address, failure in missing.items())
        err.print(f"[yellow]note:[/] no usable answer from {listed}: verdicts that needed "
                  "them stay undetermined (see docs/helper.md)", highlight=False)  # fmt: skip
    if interrupted:
        err.print(f"[yellow]interrupted:[/] {writer.count} measurements kept in {path}")
        raise typer.Exit(EXIT_INTERRUPTED)
