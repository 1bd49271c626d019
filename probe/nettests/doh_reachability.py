"""doh_reachability: does each configured DNS-over-HTTPS resolver answer from this network?

A volunteer who wants encrypted DNS needs to know which public resolvers get through. Each
``--doh-url`` resolver is asked for the neutral name (``--neutral-host``, A record); the reply,
or why none came, is stored as a df-002 query with engine ``doh``. The helper is then asked about
the resolvers that did not answer, so the analysis (``probe.analysis.doh_reachability``) can tell
a blocked resolver from one that is down.
"""

from __future__ import annotations

import asyncio
from typing import TypedDict
from urllib.parse import urlsplit

from probe.control.attempts import AttemptRecord
from probe.control.doh import doh_query
from probe.net.records import DNSQuery
from probe.nettests.app_control import ControlView, Unreached, ask
from probe.nettests.nettest import Nettest
from probe.nettests.session import Session

TEST_NAME = "doh_reachability"
TEST_VERSION = "0.1.0"
DESCRIPTION = "DNS over HTTPS: does each --doh-url resolver answer from this network?"
NO_RESOLVER = "no_doh_resolver"
"""``x_failure`` when the run has no DoH resolver to ask (``--doh-url none``)."""


class DoHReachabilityKeys(TypedDict):
    x_name: str
    """The name every resolver was asked for."""
    queries: list[DNSQuery]
    """One per resolver, in ``--doh-url`` order; ``resolver_address`` is its URL."""
    x_failure: str | None
    x_control: ControlView
    """The helper's view of the resolvers that did not answer (``app_control.ask``)."""
    x_controls: list[AttemptRecord]


async def measure(input: str, session: Session) -> DoHReachabilityKeys:
    """Ask every resolver at once; ``input`` is unused (the resolvers are the run's)."""
    settings = session.settings
    name = settings.neutral_host
    keys = DoHReachabilityKeys(
        x_name=name, queries=[], x_failure=None, x_control=ControlView(), x_controls=[]
    )
    if not settings.doh_urls:
        keys["x_failure"] = NO_RESOLVER
        return keys
    t_zero = asyncio.get_running_loop().time()
    queries = await asyncio.gather(
        *(
            doh_query(
                url,
                name,
                "A",
                settings.timeouts.http,
                t_zero,
                ca_bundle=settings.ca_bundle,
                client=session.doh_client,
            )
            for url in settings.doh_urls
        )
    )
    keys["queries"] = [q.as_ooni() for q in queries]
    unreached = [_unreached(q.resolver_address) for q in queries if q.rcode is None]
    keys["x_control"], keys["x_controls"] = await ask(unreached, session)
    return keys


def _unreached(url: str) -> Unreached:
    parts = urlsplit(url)
    return Unreached(parts.hostname, parts.port or 443, None)


NETTEST = Nettest(TEST_NAME, TEST_VERSION, DESCRIPTION, True, measure)
