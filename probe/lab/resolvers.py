"""Unbound configuration for the two resolvers.

The honest resolver in the internet namespace answers for every served lab domain (local data
under a static root zone, so anything else, including sites that are down, is NXDOMAIN) and
serves DoH on :443. It also answers the probe's geolocation
queries, so measurements say which (lab) network they came from. The ISP resolver at the censor
forwards to it through a Response Policy Zone,
which is how ISPs implement DNS blocking.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from probe.lab import plan
from probe.lab.scenario import Network, Scenario

TTL = 60
GEOIP_MYADDR = f"o-o.myaddr.lab@{plan.HONEST_RESOLVER}"
GEOIP_ASN_ZONE = "origin.asn.lab"
GEOIP_NAME_ZONE = "asn.lab"
_CLIENT_REVERSED = ".".join(reversed(plan.CLIENT.split(".")))


def geoip_txt(network: Network) -> tuple[tuple[str, str], ...]:
    """What the probe's DNS geolocation (Team Cymru style) finds for the client: the
    scenario's ISP (a Kazakh lab ISP, AS64500, unless ``[lab]`` says otherwise)."""
    asn, cc = network.asn, network.cc
    return (
        (GEOIP_MYADDR.partition("@")[0], plan.CLIENT),
        (f"{_CLIENT_REVERSED}.{GEOIP_ASN_ZONE}", f"{asn} | 192.0.2.0/24 | {cc} | lab | 2016-01-01"),
        (f"AS{asn}.{GEOIP_NAME_ZONE}", f"{asn} | {cc} | lab | 2016-01-01 | {network.name}"),
    )


RPZ_ZONE = "rpz.lab."


def _server(workdir: Path, interfaces: list[str], modules: str) -> list[str]:
    lines = [
        "server:",
        '  username: ""',
        '  chroot: ""',
        f'  directory: "{workdir}"',
        f'  pidfile: "{workdir}/unbound.pid"',
        "  use-syslog: no",
        '  logfile: ""',
        "  verbosity: 0",
        "  num-threads: 1",
        "  do-ip6: no",
        "  access-control: 0.0.0.0/0 allow",
        f'  module-config: "{modules}"',
        "  qname-minimisation: no",
    ]
    return lines + [f"  interface: {i}" for i in interfaces]


def honest_conf(
    workdir: Path,
    addresses: Mapping[str, str],
    addresses6: Mapping[str, str],
    doh_pem: Path,
    doh_key: Path,
    network: Network,
) -> str:
    lines = _server(
        workdir, [f"{plan.HONEST_RESOLVER}@53", f"{plan.HONEST_RESOLVER}@443"], "iterator"
    )
    lines += [
        "  https-port: 443",
        f'  tls-service-pem: "{doh_pem}"',
        f'  tls-service-key: "{doh_key}"',
        '  local-zone: "." static',
    ]
    lines += [f'  local-data: "{d}. {TTL} IN A {a}"' for d, a in sorted(addresses.items())]
    lines += [f'  local-data: "{d}. {TTL} IN AAAA {a}"' for d, a in sorted(addresses6.items())]
    lines += [
        f"  local-data: '{name}. {TTL} IN TXT \"{text}\"'" for name, text in geoip_txt(network)
    ]
    lines += ["remote-control:", "  control-enable: no"]
    return "\n".join(lines) + "\n"


def isp_conf(workdir: Path, rpz_file: Path) -> str:
    lines = _server(workdir, [f"{plan.ISP_RESOLVER}@53"], "respip iterator")
    lines += [
        "forward-zone:",
        '  name: "."',
        f"  forward-addr: {plan.HONEST_RESOLVER}",
        "rpz:",
        f'  name: "{RPZ_ZONE}"',
        f'  zonefile: "{rpz_file}"',
        "remote-control:",
        "  control-enable: no",
    ]
    return "\n".join(lines) + "\n"


def rpz_zone(scenario: Scenario) -> str:
    """The policy zone: NXDOMAIN is ``CNAME .``, drop is ``CNAME rpz-drop.``, spoof is an A."""
    lines = [
        f"$ORIGIN {RPZ_ZONE}",
        f"$TTL {TTL}",
        "@ IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 60",
        "@ IN NS localhost.",
    ]
    for rule in scenario.rules_for("dns-nxdomain", "dns-spoof", "dns-drop"):
        data = {
            "dns-nxdomain": "CNAME .",
            "dns-drop": "CNAME rpz-drop.",
            "dns-spoof": f"A {rule.address}",
        }[rule.action]
        lines += [f"{domain} IN {data}" for domain in rule.domains]
    return "\n".join(lines) + "\n"
