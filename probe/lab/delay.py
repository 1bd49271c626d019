"""Latency at the censor (run as ``python -m probe.lab.delay``).

This kernel has no netem qdisc, so packets crossing the censor are queued to userspace with
NFQUEUE and each verdict is issued ``delay`` after arrival. Every packet waits the same time, so
order is kept and a FIFO is enough.
"""

from __future__ import annotations

import argparse
import select
import socket
import sys
import time
from collections import deque

from netfilterqueue import COPY_META, NetfilterQueue, Packet

from probe.lab.censor import DELAY_READY

QUEUE_LENGTH = 65536


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("--ms", type=float, required=True, help="one-way delay")
    args = parser.parse_args(argv)
    delay = args.ms / 1000
    held: deque[tuple[float, Packet]] = deque()

    def hold(packet: Packet) -> None:  # no payload to retain: the verdict needs only the id
        held.append((time.monotonic() + delay, packet))

    queue = NetfilterQueue()
    # The payload is never looked at: copying only the metadata to userspace costs least.
    queue.bind(args.queue, hold, max_len=QUEUE_LENGTH, mode=COPY_META)
    events = socket.fromfd(queue.get_fd(), socket.AF_NETLINK, socket.SOCK_RAW)
    print(DELAY_READY, flush=True)
    try:
        while True:
            wait = max(0.0, held[0][0] - time.monotonic()) if held else None
            if select.select([events], [], [], wait)[0]:
                queue.run(block=False)
            now = time.monotonic()
            while held and held[0][0] <= now:
                held.popleft()[1].accept()
    finally:
        queue.unbind()


if __name__ == "__main__":
    main(sys.argv[1:])
