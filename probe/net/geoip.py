"""Which network the volunteer is on (ASN, country), learned over DNS.

Two steps, each a TXT query through dnspython: the volunteer's public address from a "what is my
address" name served by an authoritative server (default Google's ``o-o.myaddr.l.google.com``
at ``ns1.google.com``), then Team Cymru's IP-to-ASN zones. Every endpoint is configurable so the
lab can answer instead. The address itself is returned only so that it can be scrubbed; it is
never stored.
"""

from __future__ import annotations

import ipaddress

import dns.asyncquery
import dns.message
import dns.rdatatype
import dns.reversename
from dns.exception import DNSException

from probe.net.dns import split_hostport
from probe.net.location import Endpoints, Location


async def _ask(name: str, qtype: str, server: str, timeout: float) -> list[str]:
    host, port = split_hostport(server, 53)
    response = await dns.asyncquery.udp(
        dns.message.make_query(name, qtype),
        host,
        timeout=timeout,
        port=port,
        ignore_unexpected=True,
        ignore_errors=True,
    )
    wanted = dns.rdatatype.from_text(qtype)
    return [
        b"".join(rdata.strings).decode("utf-8", "replace") if qtype == "TXT" else rdata.address
        for rrset in response.answer
        if rrset.rdtype == wanted
        for rdata in rrset
    ]


async def _address_of(server: str, resolver: str, timeout: float) -> str:
    host, port = split_hostport(server, 53)
    if not _is_ip(host):
        addresses = await _ask(host, "A", resolver, timeout)
        if not addresses:
            raise LookupError(f"cannot resolve {host}")
        host = addresses[0]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _fields(txt: str) -> list[str]:
    return [part.strip() for part in txt.split("|")]


async def locate(endpoints: Endpoints, resolver: str, timeout: float = 4.0) -> Location:
    """Never raises: on any failure the run goes on as AS0/ZZ and says why."""
    try:
        name, _, server = endpoints.myaddr.partition("@")
        server_ip = await _address_of(server, resolver, timeout)
        answers = await _ask(name, "TXT", server_ip, timeout)
        ip = next(a for a in answers if _is_ip(a))
        origin = await _origin(ip, endpoints.asn_zone, resolver, timeout)
        asn, cc = origin[0].split()[0], origin[2].upper()
        described = await _ask(f"AS{asn}.{endpoints.name_zone}", "TXT", resolver, timeout)
        network = _fields(described[0])[-1] if described else ""
        network = network.removesuffix(f", {cc}")
    except (OSError, LookupError, StopIteration, IndexError, ValueError, DNSException) as exc:
        return Location(None, "AS0", "ZZ", "", f"{type(exc).__name__}: {exc}")
    return Location(ip, f"AS{asn}", cc, network)


async def _origin(ip: str, zone: str, resolver: str, timeout: float) -> list[str]:
    """Team Cymru's origin record of ``ip``: ``ASN | prefix | CC | registry | date``."""
    reverse = dns.reversename.from_address(ip).to_text(omit_final_dot=True)
    stem = reverse.removesuffix(".in-addr.arpa").removesuffix(".ip6.arpa")
    return _fields((await _ask(f"{stem}.{zone}", "TXT", resolver, timeout))[0])


async def asn_of(ip: str, zone: str, resolver: str, timeout: float = 4.0) -> int | None:
    """The AS announcing ``ip``, or None when the zone does not say (never raises)."""
    try:
        return int((await _origin(ip, zone, resolver, timeout))[0].split()[0])
    except (OSError, LookupError, IndexError, ValueError, DNSException):
        return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
