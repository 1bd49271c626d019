"""viber: Viber's web site, REST API and media host (no OONI test exists; keys are ``x_``)."""

from __future__ import annotations

from probe.nettests.messaging.app import AppKeys, measure_app
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "viber"
TEST_VERSION = "0.1.0"
DESCRIPTION = "Viber: its web site, REST API host and media host"


async def measure(input: str, session: Session) -> AppKeys:
    """Measure Viber; ``input`` is unused (the hosts are built in)."""
    return await measure_app(TEST_NAME, session)


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
