"""whatsapp: the app's chat endpoints, its registration server and WhatsApp Web (OONI ts-018)."""

from __future__ import annotations

from probe.nettests.messaging.app import AppKeys, measure_app
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "whatsapp"
TEST_VERSION = "0.11.0"  # OONI's version of the experiment this follows (docs/data-format.md)
DESCRIPTION = "WhatsApp: chat endpoints e1-e16.whatsapp.net, the registration server, WhatsApp Web"


async def measure(input: str, session: Session) -> AppKeys:
    """Measure WhatsApp; ``input`` is unused (the endpoints are built in)."""
    return await measure_app(TEST_NAME, session)


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
