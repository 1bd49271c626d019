"""Which network the volunteer is on, and whom to ask: plain values, so that the CLI's option
defaults and the pipeline can name them without loading the DNS client (:mod:`probe.net.geoip`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    myaddr: str = "o-o.myaddr.l.google.com@ns1.google.com"
    """``NAME@SERVER``: a TXT name whose answer is the asker's address, and who to ask."""
    asn_zone: str = "origin.asn.cymru.com"
    name_zone: str = "asn.cymru.com"


@dataclass(frozen=True)
class Location:
    ip: str | None
    asn: str
    cc: str
    network_name: str
    failure: str | None = None


UNKNOWN = Location(None, "AS0", "ZZ", "")
