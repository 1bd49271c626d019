"""signal: the Signal servers the apps talk to over HTTPS (OONI ts-029)."""

from __future__ import annotations

from probe.nettests.messaging.app import AppKeys, measure_app
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "signal"
TEST_VERSION = "0.2.5"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Signal: its chat, storage, CDN and calling servers over HTTPS"


async def measure(input: str, session: Session) -> AppKeys:
    """Measure Signal; ``input`` is unused (the servers are built in)."""
    return await measure_app(TEST_NAME, session)


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
