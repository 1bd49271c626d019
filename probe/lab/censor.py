"""Kernel rules at the censor: iptables for blocking, tc for throttling.

eth0 faces the client (through the hop), eth1 the internet. Rules match the client's side of
each exchange, as a DPI box on the ISP's uplink does. String matches are written against the
exact wire encoding (the SNI extension with its length fields, ``\\r\\nHost: name\\r\\n``, the DNS
qname in labels), so ``tumblr.com`` never catches ``www.tumblr.com`` or ``nottumblr.com``.
"""

from __future__ import annotations

from collections.abc import Mapping

from probe.lab import plan
from probe.lab.rules import Rule
from probe.lab.scenario import Scenario

DROP_MARK = "0x1"
INJECT_QUEUE = 1
DELAY_QUEUE = 2
INJECTOR_READY = "injector ready"
DELAY_READY = "delay ready"
"""Lines the NFQUEUE helpers print once bound, so the lab knows no packet will be missed."""
_MAX_SNI = 255


def sni_pattern(domain: str) -> str:
    """Hex-string for a server_name extension carrying exactly ``domain`` (RFC 6066)."""
    n = len(domain)
    if n > _MAX_SNI:
        raise ValueError(f"domain too long for an SNI match: {domain}")
    # extension type 0, extension length, list length, name type 0 (host_name), name length.
    return f"|0000{n + 5:04x}{n + 3:04x}00{n:04x}|{domain}"


def host_pattern(domain: str) -> str:
    return f"|0d0a|Host: {domain}|0d0a|"


def qname_pattern(domain: str) -> str:
    """The DNS wire form of a name, as it appears in a query."""
    return "".join(f"|{len(label):02x}|{label}" for label in domain.split(".")) + "|00|"


def _string(pattern: str) -> str:
    return f'-m string --algo bm --icase --hex-string "{pattern}"'


_DROP_FLOW = (
    ":LAB_DROPFLOW - [0:0]",
    f"-A LAB_DROPFLOW -j CONNMARK --set-xmark {DROP_MARK}/{DROP_MARK}",
    "-A LAB_DROPFLOW -j DROP",
    f"-A FORWARD -m connmark --mark {DROP_MARK}/{DROP_MARK} -j DROP",
)
"""A chain that marks a flow and drops it, and the rule that drops the rest of a marked flow."""
PICKED_MARK = "0x2"
"""Connmark bit of a flow that an ``ip-drop`` with ``probability`` picked."""
THROTTLE_MASK = 0xFF00
"""Connmark bits holding which ``sni-throttle`` rule (1-255) a flow fell under."""
_FIRST_PACKET = "-m conntrack ! --ctstatus CONFIRMED"
"""The packet that opens a flow: the kernel confirms a connection once its first packet leaves,
so a dropped first packet leaves no state and its retransmission opens the flow again."""
CLIENT_HELLO = "|160301|"
"""The record header that opens every ClientHello (handshake, legacy version TLS 1.0)."""


def _addresses(rule: Rule, addresses: Mapping[str, str], v6: bool = False) -> list[str]:
    """The rule's addresses of one family: its own, and those of its domains in ``addresses``."""
    own = {a for a in rule.addresses if (":" in a) == v6}
    return sorted(own | {addresses[d] for d in rule.domains if d in addresses})


def iptables(
    scenario: Scenario, addresses: Mapping[str, str], blockpage_ports: Mapping[str, int]
) -> str:
    """iptables-restore input for every rule of the scenario."""
    nat: list[str] = []
    flt = list(_DROP_FLOW)
    mangle: list[str] = []
    if scenario.latency_ms > 0:
        queue = f"-j NFQUEUE --queue-num {DELAY_QUEUE} --queue-bypass"
        mangle += [f"-A FORWARD {queue}", f"-A INPUT -i eth0 {queue}", f"-A OUTPUT -o eth0 {queue}"]
    mangle += _sni_throttle_marks(scenario)
    for i, rule in enumerate(scenario.rules, 1):
        flt += _filter(rule, i, addresses, v6=False)
    for rule in scenario.rules_for("dns-inject"):
        for domain in rule.domains:
            match = f"-i eth0 -p udp --dport 53 {_string(qname_pattern(domain))}"
            queue = f"-j NFQUEUE --queue-num {INJECT_QUEUE}"
            flt.insert(0, f"-A FORWARD {match} {queue}")
            flt.insert(0, f"-A INPUT {match} {queue}")
    for address, port in sorted(blockpage_ports.items()):
        nat.append(f"-A PREROUTING -i eth0 -p tcp -d {address} --dport 80 "
                   f"-j REDIRECT --to-ports {port}")  # fmt: skip
    for rule in scenario.rules_for("tls-mitm"):
        for address in _addresses(rule, addresses):
            nat.append(f"-A PREROUTING -i eth0 -p tcp -d {address} --dport 443 "
                       f"-j REDIRECT --to-ports {plan.MITM_PORT}")  # fmt: skip
    tables = {"filter": flt, "nat": nat, "mangle": mangle}
    return "".join(f"*{name}\n" + "".join(f"{r}\n" for r in rs) + "COMMIT\n"
                   for name, rs in tables.items())  # fmt: skip


def ip6tables(scenario: Scenario, addresses6: Mapping[str, str]) -> str:
    """ip6tables-restore input: the IPv6 twin of every filter rule (the other actions are
    IPv4-only, which the scenario parser enforces for dual-stack sites)."""
    flt = list(_DROP_FLOW)
    for i, rule in enumerate(scenario.rules, 1):
        flt += _filter(rule, i, addresses6, v6=True)
    return "*filter\n" + "".join(f"{r}\n" for r in flt) + "COMMIT\n"


def _filter(rule: Rule, index: int, addresses: Mapping[str, str], v6: bool) -> list[str]:
    tcp = "-A FORWARD -i eth0 -p tcp"
    chance = ""
    if rule.probability is not None:
        chance = f" -m statistic --mode random --probability {rule.probability}"
    reset = "-j REJECT --reject-with tcp-reset"
    match rule.action:
        case "ip-drop" if rule.probability is not None:
            # The picked flow's first packet passes, so the kernel keeps the flow and its mark;
            # its answer and every later packet, retransmissions included, are dropped.
            pick = f"{_FIRST_PACKET}{chance} -j CONNMARK --set-xmark {PICKED_MARK}/{PICKED_MARK}"
            marked = f"-m connmark --mark {PICKED_MARK}/{PICKED_MARK} -m conntrack --ctstatus"
            return [
                line
                for a in _addresses(rule, addresses, v6)
                for line in (
                    f"{tcp} -d {a} {pick}",
                    f"-A FORWARD -p tcp -d {a} {marked} CONFIRMED -j DROP",
                    f"-A FORWARD -p tcp -s {a} {marked} CONFIRMED -j DROP",
                )
            ]
        case "ip-drop":
            return [f"{tcp} -d {a} -j DROP" for a in _addresses(rule, addresses, v6)]
        case "ip-reset":
            # A reset flow ends at its first packet: the draw on that packet decides the flow.
            first = f" {_FIRST_PACKET}{chance}" if rule.probability is not None else ""
            return [f"{tcp} -d {a}{first} {reset}" for a in _addresses(rule, addresses, v6)]
        case "tls-reset":
            hello = f"{chance} {_string(CLIENT_HELLO)} {reset}"
            if not rule.domains and not rule.addresses:
                return [f"{tcp}{hello}"]
            return [f"{tcp} -d {a}{hello}" for a in _addresses(rule, addresses, v6)]
        case "sni-reset" | "sni-drop" | "host-reset" | "host-drop":
            # The trigger packet opens the flow's verdict once, so a random match on it picks flows.
            pattern = sni_pattern if rule.action.startswith("sni") else host_pattern
            verdict = reset if rule.action.endswith("reset") else "-j LAB_DROPFLOW"
            if rule.residual is None:
                return [f"{tcp}{chance} {_string(pattern(d))} {verdict}" for d in rule.domains]
            chain = f"LAB_RESIDUAL{index}"
            recent = f"-m recent --name {chain} --rdest"
            return [
                f":{chain} - [0:0]",
                f"-A {chain} {recent} --set",
                f"-A {chain} -p tcp {verdict}",
                *(f"{tcp}{chance} {_string(pattern(d))} -j {chain}" for d in rule.domains),
                # Keyed by the server's address (the lab has one client): any name, any port.
                f"-A FORWARD -i eth0 -m conntrack --ctstate NEW {recent} --rcheck "
                f"--seconds {rule.residual} -j DROP",
            ]
        case "freeze":
            # Past ``bytes`` from the server, every further packet of the flow is dropped.
            count = f"-m connbytes --connbytes {rule.bytes}: --connbytes-dir reply"
            count += " --connbytes-mode bytes"
            return [
                f"-A FORWARD -p tcp -s {a} {count} -j DROP" for a in _addresses(rule, addresses, v6)
            ]
        case "shutdown":
            return ["-A INPUT -i eth0 -j DROP", "-A FORWARD -j DROP"]
    return []


def _sni_throttle_marks(scenario: Scenario) -> list[str]:
    """Mangle rules that put a flow whose ClientHello names a throttled domain in its class.

    The ClientHello marks the connection; the mark is restored onto the packets coming back from
    the server, and CLASSIFY sends those into the rule's htb class on eth0 (see ``tc_commands``).
    """
    rules: list[str] = []
    first = len(scenario.rules_for("throttle")) + 2
    for n, rule in enumerate(scenario.rules_for("sni-throttle"), 1):
        mark = f"{n << 8:#x}/{THROTTLE_MASK:#x}"
        rules += [
            f"-A PREROUTING -i eth0 -p tcp {_string(sni_pattern(d))} -j CONNMARK --set-xmark {mark}"
            for d in rule.domains
        ]
        rules.append(f"-A POSTROUTING -o eth0 -m mark --mark {mark} "
                     f"-j CLASSIFY --set-class 1:{first + n - 1}")  # fmt: skip
    if rules:
        rules.insert(
            0, f"-A PREROUTING -i eth1 -j CONNMARK --restore-mark --mask {THROTTLE_MASK:#x}"
        )
    return rules


def tc_commands(scenario: Scenario, addresses: Mapping[str, str]) -> list[list[str]]:
    """htb on the censor's interfaces: a throttled class per rule, unshaped default.

    Egress on eth0 shapes downloads, egress on eth1 uploads. ``throttle`` classes take packets
    by address (u32 filters, both ways); ``sni-throttle`` classes come after them and take the
    downloads that CLASSIFY put there (see ``_sni_throttle_marks``).
    """
    by_address = scenario.rules_for("throttle")
    by_name = scenario.rules_for("sni-throttle")
    commands: list[list[str]] = []
    for dev, direction in (("eth0", "src"), ("eth1", "dst")):
        named = by_name if dev == "eth0" else []
        if not by_address and not named:
            continue
        commands.append(["tc", "qdisc", "add", "dev", dev, "root", "handle", "1:",
                         "htb", "default", "1", "r2q", "1"])  # fmt: skip
        commands.append(["tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:1",
                         "htb", "rate", "10gbit"])  # fmt: skip
        for i, rule in enumerate([*by_address, *named], start=2):
            rate = rule.rate or ""
            commands.append(["tc", "class", "add", "dev", dev, "parent", "1:",
                             "classid", f"1:{i}", "htb", "rate", rate, "ceil", rate])  # fmt: skip
            if rule.action != "throttle":
                continue
            targets = (
                _addresses(rule, addresses) if rule.domains or rule.addresses else ["0.0.0.0/0"]
            )
            for address in targets:
                commands.append(["tc", "filter", "add", "dev", dev, "parent", "1:", "protocol",
                                 "ip", "prio", str(i), "u32", "match", "ip", direction, address,
                                 "flowid", f"1:{i}"])  # fmt: skip
    return commands
