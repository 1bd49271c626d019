"""The OONI records the network steps write, typed: mypy then catches a misspelt key.

Each is built in one place (the step's ``as_ooni``) and stays a plain dict at the JSON boundary,
so a record is written and read back as it always was (docs/data-format.md names the keys).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class TCPStatus(TypedDict):
    success: bool
    failure: str | None


class TCPConnect(TypedDict):
    """df-005."""

    ip: str
    port: int
    status: TCPStatus
    t0: float
    t: float


class PeerCertificate(TypedDict):
    data: str
    format: str


class TLSHandshake(TypedDict):
    """df-006, with the verification result the probe adds."""

    address: str
    server_name: str
    failure: str | None
    peer_certificates: list[PeerCertificate]
    tls_version: str
    cipher_suite: str
    negotiated_protocol: str
    no_tls_verify: bool
    network: str
    x_verify_code: int | None
    x_verify_message: str | None
    t0: float
    t: float


class DNSAnswer(TypedDict):
    """One answer of df-002: ``ipv4``, ``ipv6`` or ``hostname`` by its type."""

    answer_type: str
    ttl: int | None
    ipv4: NotRequired[str]
    ipv6: NotRequired[str]
    hostname: NotRequired[str]


class DNSQuery(TypedDict):
    """df-002."""

    hostname: str
    query_type: str
    engine: str
    resolver_address: str
    failure: str | None
    answers: list[DNSAnswer]
    x_rcode: str | None
    t0: float
    t: float
    x_truncated: NotRequired[bool]
    x_late_answers: NotRequired[list[DNSAnswer]]
    x_answers_truncated: NotRequired[bool]


class Tor(TypedDict):
    is_tor: bool
    exit_ip: str | None
    exit_name: str | None


class HTTPRequestPart(TypedDict):
    method: str
    url: str
    headers: dict[str, str]
    headers_list: list[list[str]]
    body: str
    body_is_truncated: bool
    tor: Tor
    x_transport: str


class HTTPResponsePart(TypedDict):
    """The response of df-001; ``code`` 0 and no ``x_`` keys when none arrived."""

    code: int
    headers: dict[str, str]
    headers_list: list[list[str]]
    body: str | dict[str, str] | None
    body_is_truncated: NotRequired[bool]
    x_body_length: NotRequired[int]
    x_body_wire_length: NotRequired[int]
    x_content_decoded: NotRequired[list[str]]
    x_transfer_seconds: NotRequired[float]
    x_headers_truncated: NotRequired[bool]
    x_content_decoding_failure: NotRequired[str]
    x_title: NotRequired[str | None]


class HTTPRequest(TypedDict):
    """df-001."""

    network: str
    address: str
    failure: str | None
    request: HTTPRequestPart
    response: HTTPResponsePart
    t0: float
    t: float


class NetworkEvent(TypedDict):
    """df-008."""

    address: str
    failure: str | None
    operation: str
    proto: str
    t0: float
    t: float
    tags: list[str]
    num_bytes: NotRequired[int]
    x_merged_reads: NotRequired[int]


class VolumeRecord(TypedDict):
    """``x_self_control.x_volume``: bytes one neutral connection carried (``probe.net.volume``)."""

    address: str
    failure: str | None
    x_requests: int
    x_received: int
    t0: float
    t: float


class TraceKeys(TypedDict):
    """The test keys that carry a measurement's df-008 events."""

    network_events: list[NetworkEvent]
    x_network_events_truncated: NotRequired[bool]
    """Present (true) when reads were merged past the cap (``probe.net.events``)."""


class VolumeKeys(TypedDict):
    x_volume: NotRequired[VolumeRecord]


class SegmentRecord(TypedDict):
    """One TCP segment from the peer (``probe.net.raw.capture.Segment``)."""

    flags: str
    ip_ttl: int
    ip_id: int
    tcp_window: int
    payload_len: int
    t: float


class TimeExceededRecord(TypedDict):
    """A router's ICMP time-exceeded about one of our segments."""

    router: str
    ip_ttl: int
    t: float


class ExchangeRecord(TypedDict):
    """One raw-socket connection and what came back (``probe.net.raw.exchange.Exchange``)."""

    address: str
    ttl: int | None
    failure: str | None
    syn_ack: SegmentRecord | None
    packets: list[SegmentRecord]
    time_exceeded: list[TimeExceededRecord]
    t0: float
    t: float


class RSTForensics(TypedDict):
    """``rst_forensics`` entry: the replayed exchange and, when refused, a reference one."""

    address: str
    failure: str | None
    exchange: ExchangeRecord | None
    reference: ExchangeRecord | None
