"""Every option of ``probe run``, declared once: its flag, environment variable, default and help.

The CLI builds its parameters from these declarations, the lab's ``environment()`` names its
variables through them, and the README configuration table is generated from them (a test keeps
the README in step), so adding an option is one entry here plus where its value is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from probe.net.location import Endpoints


@dataclass(frozen=True)
class Option:
    name: str
    """The Python name of the value, as the CLI hands it over."""
    kind: Any
    """The value's type, as typer reads it (``str | None``, ``list[str]``, ``bool``...)."""
    default: Any
    help: str
    flags: tuple[str, ...] = ()
    """Flag spellings; empty means ``--name-with-dashes``. ``--x/--no-x`` pairs for booleans."""
    env: str | None = None
    shown_default: str | None = None
    """The default as the README table says it; only options with ``env`` are in that table."""
    limits: Mapping[str, Any] = field(default_factory=dict)
    """Further click settings: ``min``, ``max``, ``exists``, ``dir_okay``, ``count``."""

    @property
    def flag(self) -> str:
        """The long flag, as written in help and docs."""
        spellings = self.flags or (f"--{self.name.replace('_', '-')}",)
        return spellings[0].split("/")[0]


ENV_RESOLVER = "PROBE_RESOLVER"
ENV_CA_BUNDLE = "PROBE_CA_BUNDLE"
ENV_HELPER_URL = "PROBE_HELPER_URL"
ENV_DOH_URLS = "PROBE_DOH_URLS"
ENV_INTERCEPTION_ROOTS = "PROBE_INTERCEPTION_ROOTS"
ENV_BOGON_EXEMPT = "PROBE_BOGON_EXEMPT"
ENV_LISTS_DIR = "PROBE_LISTS_DIR"
ENV_NO_DNS_ADDRESS = "PROBE_NO_DNS_ADDRESS"
ENV_TOR_AUTHORITIES = "PROBE_TOR_AUTHORITIES"
ENV_APP_ENDPOINTS = "PROBE_APP_ENDPOINTS"
ENV_GEOIP_MYADDR = "PROBE_GEOIP_MYADDR"
ENV_GEOIP_ASN_ZONE = "PROBE_GEOIP_ASN_ZONE"
ENV_GEOIP_NAME_ZONE = "PROBE_GEOIP_NAME_ZONE"
ENV_SYSTEM_DNS = "PROBE_SYSTEM_DNS"
ENV_YES = "PROBE_YES"
ENV_COLLECTOR_URL = "PROBE_COLLECTOR_URL"
ENV_UPLOAD_PROXY = "PROBE_UPLOAD_PROXY"
ENV_UPLOAD_QUEUE = "PROBE_UPLOAD_QUEUE"
ENV_STORE = "PROBE_STORE"
ENV_LOG_LEVEL = "PROBE_LOG_LEVEL"
ENV_LOG_FILE = "PROBE_LOG_FILE"
ENV_REPEAT = "PROBE_REPEAT"
ENV_REPEAT_GAP = "PROBE_REPEAT_GAP"

_FILE = {"exists": True, "dir_okay": False}
_SECONDS = {"min": 0.1}

BOGON_EXEMPT = Option(
    "bogon_exempt",
    str | None,
    None,
    "Comma-separated CIDRs not treated as bogons (contacted: only their own addresses, never "
    "the IPv4 a NAT64 or 6to4 address carries).",
    env=ENV_BOGON_EXEMPT,
    shown_default="none",
)
INTERCEPTION_ROOTS = Option(
    "interception_roots",
    str | None,
    None,
    "Extra interception roots: PEM files or folders, separated by the OS path separator.",
    env=ENV_INTERCEPTION_ROOTS,
    shown_default="the shipped Kazakh roots only",
)
CA_BUNDLE = Option(
    "ca_bundle",
    Path | None,
    None,
    "PEM roots to validate TLS against (default: certifi's Mozilla roots).",
    env=ENV_CA_BUNDLE,
    shown_default="certifi's Mozilla roots",
    limits=_FILE,
)
LISTS_DIR = Option(
    "lists_dir",
    Path | None,
    None,
    "Folder that holds named lists.",
    env=ENV_LISTS_DIR,
    shown_default="the shipped `targets/`",
    limits={"file_okay": False},
)

COLLECTOR = Option(
    "collector",
    str | None,
    None,
    "Collector to upload to (OONI collector protocol), e.g. https://collector.example/.",
    ("--collector",),
    env=ENV_COLLECTOR_URL,
    shown_default="none (upload is opt-in)",
    limits={"metavar": "URL"},
)
UPLOAD_PROXY = Option(
    "upload_proxy",
    str | None,
    None,
    "Send uploads through this proxy, e.g. socks5://127.0.0.1:9050 (Tor): the collector "
    "then does not learn your address.",
    ("--upload-proxy",),
    env=ENV_UPLOAD_PROXY,
    shown_default="none (direct)",
    limits={"metavar": "URL"},
)

RUN_OPTIONS: tuple[Option, ...] = (
    Option(
        "list_name",
        str | None,
        None,
        "A list name (see `probe lists`) or a path to a CSV/text list.",
        ("--list", "-l"),
    ),
    Option("url", list[str], [], "A URL to measure (repeatable).", ("--url", "-u")),
    Option(
        "test",
        list[str],
        [],
        "A nettest to run (repeatable; see `probe tests`) (default: the list's suite).",
        ("--test", "-t"),
    ),
    Option(
        "bridges",
        Path | None,
        None,
        "Tor bridges to test, one per line; their addresses never reach any output.",
        limits=_FILE,
    ),
    Option(
        "tor_authorities",
        Path | None,
        None,
        "TOML replacing the Tor directory authorities.",
        env=ENV_TOR_AUTHORITIES,
        shown_default="the shipped data file",
    ),
    Option(
        "app_endpoints",
        Path | None,
        None,
        "TOML replacing the messaging-app endpoints.",
        env=ENV_APP_ENDPOINTS,
        shown_default="the shipped data file",
    ),
    Option(
        "output",
        Path | None,
        None,
        "Results file (default: results/<UTC time>-<list>.jsonl).",
        ("--output", "-o"),
    ),
    Option(
        "parallel",
        int,
        32,
        "Targets at once.",
        ("--parallel", "-p"),
        limits={"min": 1, "max": 1024},
    ),
    Option(
        "repeat",
        int,
        0,
        "Measure every target that was not ok up to N more times, spread over the run "
        "(blocking rate).",
        env=ENV_REPEAT,
        shown_default="0",
        limits={"min": 0, "max": 100, "metavar": "N"},
    ),
    Option(
        "repeat_gap",
        float,
        60.0,
        "With --repeat: seconds at least between two measurements of one target.",
        env=ENV_REPEAT_GAP,
        shown_default="60",
        limits={"min": 1.0, "max": 3600.0, "metavar": "SECONDS"},
    ),
    Option(
        "resolver",
        str | None,
        None,
        "UDP resolver as host[:port] (default: the system's).",
        env=ENV_RESOLVER,
        shown_default="the system's first nameserver",
    ),
    CA_BUNDLE,
    Option(
        "helper",
        str | None,
        None,
        "Comma-separated OONI-compatible test helper URLs, tried in order until one answers;"
        " 'none' turns the helper off (default: OONI's https://0.th.ooni.org/ to 3.th.ooni.org).",
        env=ENV_HELPER_URL,
        shown_default="OONI's `https://0.th.ooni.org/` … `https://3.th.ooni.org/`, in order;"
        " `none` turns it off",
    ),
    Option(
        "doh_url",
        str | None,
        None,
        "Comma-separated DNS-over-HTTPS URLs, asked as an uncensored DNS control; 'none'"
        " turns it off (default: Google, Cloudflare and Quad9, see docs/helper.md).",
        env=ENV_DOH_URLS,
        shown_default="`https://dns.google/dns-query`, `https://cloudflare-dns.com/dns-query`,"
        " `https://dns.quad9.net/dns-query`; `none` turns it off",
    ),
    Option(
        "packet_tests",
        bool,
        False,
        "For blocked targets, also run DNS-injection, censor-location and RST tests (root).",
    ),
    Option(
        "no_dns_address",
        str | None,
        None,
        "An address that runs no DNS server, for the DNS-injection test.",
        env=ENV_NO_DNS_ADDRESS,
        shown_default="none (DNS-injection test)",
    ),
    Option(
        "neutral_host", str, "example.com", "SNI and Host for the self-control to the same address."
    ),
    BOGON_EXEMPT,
    INTERCEPTION_ROOTS,
    LISTS_DIR,
    Option("max_addresses", int, 4, "Resolved addresses to connect, per name.", limits={"min": 1}),
    Option(
        "system_dns",
        bool,
        True,
        "Also resolve with the OS resolver (getaddrinfo).",
        ("--system-dns/--no-system-dns",),
        env=ENV_SYSTEM_DNS,
        shown_default="on",
    ),
    Option("timeout_dns", float, 4.0, "DNS timeout, seconds.", limits=_SECONDS),
    Option("timeout_tcp", float, 10.0, "TCP connect timeout, seconds.", limits=_SECONDS),
    Option("timeout_tls", float, 10.0, "TLS handshake timeout, seconds.", limits=_SECONDS),
    Option("timeout_http", float, 10.0, "Total HTTP budget per request.", limits=_SECONDS),
    Option("no_progress", bool, False, "No progress bar."),
    Option(
        "log_level",
        str,
        "warning",
        "The probe's own log on stderr: debug, info, warning or error (addresses masked).",
        env=ENV_LOG_LEVEL,
        shown_default="warning",
    ),
    Option(
        "verbose",
        int,
        0,
        "More of the probe's own log: -v for info, -vv for debug (over --log-level).",
        ("--verbose", "-v"),
        limits={"count": True},
    ),
    Option(
        "log_file",
        Path | None,
        None,
        "Append the probe's own log to FILE instead of stderr (addresses masked).",
        env=ENV_LOG_FILE,
        shown_default="stderr",
        limits={"dir_okay": False},
    ),
    Option(
        "geoip",
        bool,
        True,
        "Look up your network's ASN and country (else AS0/ZZ).",
        ("--geoip/--no-geoip",),
    ),
    Option(
        "geoip_myaddr",
        str,
        Endpoints.myaddr,
        "NAME@SERVER whose TXT answer is your IP.",
        env=ENV_GEOIP_MYADDR,
        shown_default="Google's myaddr TXT",
    ),
    Option(
        "geoip_asn_zone",
        str,
        Endpoints.asn_zone,
        "IP-to-ASN TXT zone (Team Cymru).",
        env=ENV_GEOIP_ASN_ZONE,
        shown_default="Team Cymru's zone",
    ),
    Option(
        "geoip_name_zone",
        str,
        Endpoints.name_zone,
        "ASN-to-name TXT zone.",
        env=ENV_GEOIP_NAME_ZONE,
        shown_default="Team Cymru's zone",
    ),
    Option(
        "yes",
        bool,
        False,
        "Accept the consent notice (for scripts).",
        ("--yes", "-y"),
        env=ENV_YES,
        shown_default="ask once",
    ),
    Option(
        "resume",
        Path | None,
        None,
        "Continue an interrupted run: skip targets already in FILE and append to it (the "
        "run-level verdict judges each sitting's measurements on their own).",
        limits={"dir_okay": False},
    ),
    Option(
        "upload",
        bool,
        False,
        "Send the run's measurements to --collector once written (and what earlier runs "
        "left queued); see docs/collector.md.",
    ),
    COLLECTOR,
    UPLOAD_PROXY,
)
BY_NAME: Mapping[str, Option] = {option.name: option for option in RUN_OPTIONS}


def environment(values: Mapping[str, str]) -> dict[str, str]:
    """The variables that set these options (by name) for a child ``probe`` process."""
    return {_env_of(name): value for name, value in values.items()}


def _env_of(name: str) -> str:
    env = BY_NAME[name].env
    if env is None:
        raise KeyError(f"option {name!r} has no environment variable")
    return env


def readme_table() -> str:
    """The README's configuration table: every option an environment variable can set."""
    rows = ["| flag | environment | default |", "| --- | --- | --- |"]
    rows += [f"| `{o.flag}` | `{o.env}` | {o.shown_default} |" for o in RUN_OPTIONS if o.env]
    return "\n".join(rows) + "\n"
