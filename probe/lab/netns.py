"""Thin wrappers over ``ip netns`` and setns(2).

Commands go through ``ip netns exec`` so each runs with the namespace's /etc/netns files.
``inside`` switches only the calling thread, which lets tests open sockets in a lab namespace
without a subprocess (a socket keeps the namespace it was created in).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from probe.lab.errors import LabError

CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/run/netns")


def sh(
    argv: Sequence[str], ns: str | None = None, input_text: str | None = None, check: bool = True
) -> str:
    """Run a command (in ``ns`` if given) and return its stdout; failures raise LabError."""
    full = ["ip", "netns", "exec", ns, *argv] if ns else list(argv)
    proc = subprocess.run(full, input=input_text, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        where = f" in {ns}" if ns else ""
        raise LabError(f"`{' '.join(argv)}`{where} failed: {proc.stderr.strip() or proc.stdout}")
    return proc.stdout


def names() -> list[str]:
    """Every network namespace on the machine."""
    return [line.split()[0] for line in sh(["ip", "netns", "list"]).splitlines() if line.strip()]


def add(name: str) -> None:
    sh(["ip", "netns", "add", name])
    sh(["ip", "link", "set", "lo", "up"], ns=name)


def kill_all_in(name: str) -> None:
    """SIGKILL whatever still runs in a namespace (daemons a crashed lab left behind)."""
    for pid in sh(["ip", "netns", "pids", name], check=False).split():
        with suppress(ProcessLookupError):
            os.kill(int(pid), 9)


def delete(name: str) -> None:
    kill_all_in(name)
    sh(["ip", "netns", "delete", name], check=False)


def spawn(ns: str, argv: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a daemon in ``ns`` in its own session, so a terminal's Ctrl-C reaches only us."""
    with log.open("ab") as out:
        return subprocess.Popen(
            ["ip", "netns", "exec", ns, *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextmanager
def inside(name: str) -> Iterator[None]:
    """Move the calling thread into namespace ``name`` for the duration of the block."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(NETNS_DIR / name, os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)
