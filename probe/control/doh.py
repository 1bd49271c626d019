"""DNS over HTTPS (RFC 8484) as a control resolver the local network cannot rewrite.

The answer is recorded as a :class:`probe.net.dns.Query` with engine ``doh``, so analysis reads it
exactly like the local lookups it is compared with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Final

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from probe.control.attempts import DOH, Attempt, Health
from probe.control.transport import TooLarge, control_client, read_capped
from probe.net import errors
from probe.net.dns import Query, from_message

if TYPE_CHECKING:
    import httpx

# The two private names above turn a DNS message into answers and a failure exactly as the UDP
# engine does; they should become one public ``probe.net.dns`` function (asked of the core).

ENGINE: Final = "doh"
MEDIA_TYPE: Final = "application/dns-message"
MAX_MESSAGE_BYTES: Final = 65535
HTTP_REQUEST_FAILED: Final = "http_request_failed"
"""The DoH server answered with a non-200 status."""
ANSWER_FAILURES: Final = frozenset({HTTP_REQUEST_FAILED, errors.DNS_REPLY_MALFORMED})
"""The server was reached but gave no usable DNS message: it is up, so it stays in the run."""


def control_failure(query: Query) -> str | None:
    """Why ``query`` got no DNS reply from its server, or None when it got one (whatever its
    rcode: an NXDOMAIN from the resolver is an answer about the name, not a broken control)."""
    return query.failure if query.rcode is None else None


async def doh_queries(
    urls: Sequence[str],
    hostname: str,
    qtypes: Sequence[str],
    timeout: float,
    t_zero: float,
    health: Health,
    *,
    client: httpx.AsyncClient | None = None,
) -> tuple[list[Query], list[Attempt]]:
    """Ask every resolver at once that has not been unreachable earlier in the run.

    A resolver that cannot be reached is remembered in ``health`` and skipped by later targets.
    """
    skipped = {url: failure for url in urls if (failure := health.down(url)) is not None}
    live = [url for url in urls if url not in skipped]
    queries = await asyncio.gather(
        *(
            doh_query(url, hostname, qtype, timeout, t_zero, client=client)
            for url in live
            for qtype in qtypes
        )
    )
    attempts = []
    for url in urls:
        if url in skipped:
            attempts.append(Attempt(DOH, url, skipped[url], skipped=True))
            continue
        failures = [f for q in queries if q.resolver_address == url and (f := control_failure(q))]
        failure = failures[0] if failures else None
        attempts.append(Attempt(DOH, url, failure))
        if failure is None or failure in ANSWER_FAILURES:
            health.reached(url)
        else:
            health.unreachable(url, failure)
    return list(queries), attempts


async def doh_query(
    doh_url: str,
    hostname: str,
    qtype: str,
    timeout: float,
    t_zero: float,
    *,
    ca_bundle: Path | None = None,
    client: httpx.AsyncClient | None = None,
) -> Query:
    """One POST query; ``hostname`` must already be ASCII (IDNA). Never raises for network or
    server trouble: that is the query's ``failure``."""
    import httpx  # with the first query, not at start-up: docs/performance.md, "Start-up"

    loop = asyncio.get_running_loop()
    t0 = loop.time() - t_zero
    request = dns.message.make_query(hostname, qtype)
    request.id = 0  # RFC 8484 4.1: cache-friendly, the HTTP exchange already pairs the reply

    def done(failure: str | None, response: dns.message.Message | None = None) -> Query:
        return _record(hostname, qtype, doh_url, failure, response, t0, loop.time() - t_zero)

    try:
        async with AsyncExitStack() as stack, asyncio.timeout(timeout):
            if client is None:
                client = await stack.enter_async_context(control_client(ca_bundle, timeout))
            reply = await stack.enter_async_context(
                client.stream(
                    "POST",
                    doh_url,
                    content=request.to_wire(),
                    headers={"Content-Type": MEDIA_TYPE, "Accept": MEDIA_TYPE},
                )
            )
            if reply.status_code != 200:
                return done(HTTP_REQUEST_FAILED)
            media = reply.headers.get("content-type", "").split(";")[0].strip().lower()
            wire = await read_capped(reply, MAX_MESSAGE_BYTES)
    except TooLarge:
        return done(errors.DNS_REPLY_MALFORMED)
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        return done(errors.classify(exc))
    if media != MEDIA_TYPE:
        return done(errors.DNS_REPLY_MALFORMED)
    try:
        response = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return done(errors.DNS_REPLY_MALFORMED)
    if not request.is_response(response):
        return done(errors.DNS_REPLY_MALFORMED)
    return done(None, response)


def _record(
    hostname: str,
    qtype: str,
    doh_url: str,
    failure: str | None,
    response: dns.message.Message | None,
    t0: float,
    t: float,
) -> Query:
    if response is None:
        return Query(hostname, qtype, ENGINE, doh_url, failure, (), None, t0, t)
    return from_message(hostname, qtype, ENGINE, doh_url, response, t0, t)
