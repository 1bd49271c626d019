"""telegram: the data centres the apps connect to, and Telegram Web (OONI ts-020)."""

from __future__ import annotations

from probe.nettests.messaging.app import AppKeys, measure_app
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "telegram"
TEST_VERSION = "0.3.1"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "Telegram: its data-centre addresses on ports 80 and 443, and Telegram Web"


async def measure(input: str, session: Session) -> AppKeys:
    """Measure Telegram; ``input`` is unused (the DC addresses are built in)."""
    return await measure_app(TEST_NAME, session)


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
