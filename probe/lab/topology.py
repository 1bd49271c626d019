"""Namespaces, links and routes: client → hop → censor → internet, with no way out.

Veth pairs are created directly inside their namespaces, so nothing of a lab ever appears in the
host namespace and interface names cannot collide between labs.

    client eth0 ── eth0 hop eth1 ── eth0 censor eth1 ── eth0 internet
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from probe.lab import netns, plan

_SYSCTLS = (
    "net.ipv6.conf.all.disable_ipv6=0",
    "net.ipv6.conf.default.disable_ipv6=0",
    "net.ipv4.conf.all.rp_filter=0",
    "net.ipv4.conf.default.rp_filter=0",
    # Addresses are unique by construction: no duplicate detection delaying their use.
    "net.ipv6.conf.all.accept_dad=0",
    "net.ipv6.conf.default.accept_dad=0",
    # Static routes only: nothing in a lab listens to router advertisements.
    "net.ipv6.conf.all.accept_ra=0",
    "net.ipv6.conf.default.accept_ra=0",
)


@dataclass(frozen=True)
class Names:
    """Namespace names for one lab: ``plab-<id>-<role>``."""

    lab_id: str

    @classmethod
    def fresh(cls) -> Names:
        return cls(secrets.token_hex(3))

    @property
    def prefix(self) -> str:
        return f"{plan.NS_PREFIX}{self.lab_id}"

    def ns(self, role: str) -> str:
        return f"{self.prefix}-{role}"

    @property
    def all(self) -> list[str]:
        return [self.ns(role) for role in plan.ROLES]


def _link(left: str, left_if: str, right: str, right_if: str) -> None:
    netns.sh(
        ["ip", "link", "add", left_if, "netns", left, "type", "veth",
         "peer", "name", right_if, "netns", right]
    )  # fmt: skip


def _ip(ns: str, commands: list[str]) -> None:
    netns.sh(["ip", "-n", ns, "-batch", "-"], input_text="\n".join(commands) + "\n")


def build(names: Names, client_ipv6: bool = True) -> None:
    """Create the four namespaces and wire them; the caller deletes them (see ``destroy``).

    Every namespace is dual-stack except the client of an IPv4-only line (``client_ipv6``
    false). That client keeps IPv6 on, as every common OS does, but has only its link-local
    address and no IPv6 route: connecting to an AAAA answer fails at once with "network
    unreachable", as on most volunteers' lines.
    """
    client, hop, censor, internet = (names.ns(r) for r in plan.ROLES)
    _create(names, routers=(hop, censor), internet=internet)
    _link(client, "eth0", hop, "eth0")
    _link(hop, "eth1", censor, "eth0")
    _link(censor, "eth1", internet, "eth0")
    _address(client, hop, censor, internet, client_ipv6)
    _guard(hop)


def _create(names: Names, routers: tuple[str, ...], internet: str) -> None:
    """The namespaces, with forwarding on in the routers only."""
    for ns in names.all:
        netns.add(ns)
        forward = "1" if ns in routers else "0"
        # IPv6 binds only local addresses, not every one a local route covers as IPv4 does:
        # nginx binds the web hosts' addresses of WEB_NET6.
        bind = ["net.ipv6.ip_nonlocal_bind=1"] if ns == internet else []
        netns.sh(
            ["sysctl", "-q", "-w", *_SYSCTLS, *bind,
             f"net.ipv4.ip_forward={forward}", f"net.ipv6.conf.all.forwarding={forward}"],
            ns=ns,
        )  # fmt: skip


def _address(client: str, hop: str, censor: str, internet: str, client_ipv6: bool) -> None:
    """Addresses and static routes of every namespace, in both families."""
    client_v6 = [
        f"addr add {plan.CLIENT6}/64 dev eth0 nodad",
        f"route add default via {plan.HOP6_CLIENT_SIDE}",
    ]
    _ip(client, [
        f"addr add {plan.CLIENT}/29 dev eth0", "link set eth0 up",
        f"route add default via {plan.HOP_CLIENT_SIDE}",
        *(client_v6 if client_ipv6 else []),
    ])  # fmt: skip
    _ip(hop, [
        f"addr add {plan.HOP_CLIENT_SIDE}/29 dev eth0", "link set eth0 up",
        f"addr add {plan.HOP_CENSOR_SIDE}/29 dev eth1", "link set eth1 up",
        f"route add default via {plan.CENSOR_HOP_SIDE}",
        f"addr add {plan.HOP6_CLIENT_SIDE}/64 dev eth0 nodad",
        f"addr add {plan.HOP6_CENSOR_SIDE}/64 dev eth1 nodad",
        f"route add default via {plan.CENSOR6_HOP_SIDE}",
    ])  # fmt: skip
    _ip(censor, [
        f"addr add {plan.CENSOR_HOP_SIDE}/29 dev eth0", "link set eth0 up",
        f"addr add {plan.ISP_RESOLVER}/32 dev lo",
        f"addr add {plan.CENSOR_INTERNET_SIDE}/30 dev eth1", "link set eth1 up",
        f"route add 192.0.2.0/29 via {plan.HOP_CENSOR_SIDE}",
        f"route add default via {plan.INTERNET_CENSOR_SIDE}",
        f"addr add {plan.CENSOR6_HOP_SIDE}/64 dev eth0 nodad",
        f"addr add {plan.CENSOR6_INTERNET_SIDE}/64 dev eth1 nodad",
        f"route add {plan.CLIENT_NET6} via {plan.HOP6_CENSOR_SIDE}",
        f"route add default via {plan.INTERNET6_CENSOR_SIDE}",
    ])  # fmt: skip
    _ip(internet, [
        f"addr add {plan.INTERNET_CENSOR_SIDE}/30 dev eth0", "link set eth0 up",
        f"addr add {plan.HONEST_RESOLVER}/32 dev lo",
        f"addr add {plan.HELPER}/32 dev lo",
        f"addr add {plan.COLLECTOR}/32 dev lo",
        f"addr add {plan.SOCKS}/32 dev lo",
        f"route add local {plan.WEB_NET} dev lo",
        f"route add 192.0.2.0/24 via {plan.CENSOR_INTERNET_SIDE}",
        f"addr add {plan.INTERNET6_CENSOR_SIDE}/64 dev eth0 nodad",
        f"route add local {plan.WEB_NET6} dev lo",
        f"route add {plan.ISP_SIDE_NET6} via {plan.CENSOR6_INTERNET_SIDE}",
    ])  # fmt: skip


def _guard(hop: str) -> None:
    """The first router rejects anything not addressed to the lab's ranges, in both families."""
    for restore, ranges, reject in (
        ("iptables-restore", plan.LAB_RANGES_V4, "icmp-net-prohibited"),
        ("ip6tables-restore", (plan.LAB_RANGE_V6,), "icmp6-adm-prohibited"),
    ):
        rules = "*filter\n" + "".join(f"-A FORWARD -d {r} -j ACCEPT\n" for r in ranges)
        rules += f"-A FORWARD -j REJECT --reject-with {reject}\nCOMMIT\n"
        netns.sh([restore], ns=hop, input_text=rules)
