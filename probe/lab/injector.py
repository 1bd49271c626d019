"""On-path DNS injection at the censor (run as ``python -m probe.lab.injector``).

iptables queues only queries whose qname is targeted (NFQUEUE). For each, the forged answer is
sent first and the query released afterwards, so the forgery wins every race and the real
answer still arrives later, as with injectors in the wild.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netfilterqueue import NetfilterQueue, Packet
from scapy.config import conf
from scapy.layers.dns import DNS, DNSRR
from scapy.layers.inet import IP, UDP

from probe.lab.censor import INJECTOR_READY

A_RECORD = 1


def forge(query: Any, answers: dict[str, str]) -> Any | None:
    """The forged response to ``query`` (a scapy IP packet), or None if it is not targeted."""
    if not query.haslayer(DNS) or query[DNS].qr != 0 or not query[DNS].qd:
        return None
    question = query[DNS].qd[0]
    name = question.qname.decode("ascii", "replace").rstrip(".").lower()
    if name not in answers or question.qtype != A_RECORD:
        return None
    return (
        IP(src=query[IP].dst, dst=query[IP].src)
        / UDP(sport=query[UDP].dport, dport=query[UDP].sport)
        / DNS(
            id=query[DNS].id,
            qr=1,
            rd=query[DNS].rd,
            ra=1,
            qd=[question],
            an=[DNSRR(rrname=question.qname, type="A", ttl=300, rdata=answers[name])],
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("answer", nargs="+", help="domain=address")
    args = parser.parse_args(argv)
    answers = dict(item.split("=", 1) for item in args.answer)
    sock = conf.L3socket()

    def handle(packet: Packet) -> None:
        forged = forge(IP(packet.get_payload()), answers)
        if forged is not None:
            sock.send(forged)
        packet.accept()

    queue = NetfilterQueue()
    queue.bind(args.queue, handle)
    print(INJECTOR_READY, flush=True)
    try:
        queue.run()
    finally:
        queue.unbind()


if __name__ == "__main__":
    main(sys.argv[1:])
