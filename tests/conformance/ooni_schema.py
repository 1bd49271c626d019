"""JSON Schemas of OONI's measurement format, written for the probe from ooni/spec.

Sources (read for facts, nothing copied): data-formats/df-000 (base keys, annotations),
df-001 (HTTP), df-002 (DNS), df-005 (TCP connect), df-006 (TLS), df-007 (failure strings, plus
the names OONI's engine defines in netxlite/errno.go), df-008 (network events), and the nettest
specs ts-012 (dns_injection), ts-017 (web_connectivity), ts-018 (whatsapp), ts-019
(facebook_messenger), ts-020 (telegram), ts-023 (tor), ts-029 (signal).

Every object accepts the keys the spec names, with their types and allowed values, and any key
that starts with ``x_`` (OONI's mark for keys outside the spec, whatever their content); any
other key is a mismatch. Viber and censor_locate have no OONI spec: their test keys are the
shared df lists and ``x_`` keys only.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

DF_007_FAILURES = frozenset(
    {
        "android_dns_cache_no_data",
        "connection_aborted",
        "connection_already_closed",
        "connection_refused",
        "connection_reset",
        "dns_bogon_error",
        "dns_no_answer",
        "dns_non_recoverable_failure",
        "dns_nxdomain_error",
        "dns_reply_with_wrong_query_id",
        "dns_refused_error",
        "dns_server_misbehaving",
        "dns_servfail_error",
        "dns_temporary_failure",
        "eof_error",
        "http_invalid_redirect_location_host",
        "http_request_failed",
        "host_unreachable",
        "generic_timeout_error",
        "http_unexpected_redirect_url",
        "http_unexpected_status_code",
        "interrupted",
        "json_parse_error",
        "network_down",
        "network_reset",
        "network_unreachable",
        "quic_incompatible_version",
        "ssl_failed_handshake",
        "ssl_invalid_hostname",
        "ssl_unknown_authority",
        "ssl_invalid_certificate",
    }
)
"""The current (non-legacy) table of df-007."""
NETXLITE_FAILURES = frozenset(
    {
        "address_family_not_supported",
        "address_in_use",
        "address_not_available",
        "already_connected",
        "bad_address",
        "bad_file_descriptor",
        "connection_already_in_progress",
        "destination_address_required",
        "invalid_argument",
        "message_size",
        "no_buffer_space",
        "no_protocol_option",
        "not_a_socket",
        "not_connected",
        "operation_would_block",
        "permission_denied",
        "protocol_not_supported",
        "timed_out",
        "wrong_protocol_type",
    }
)
"""Failure names OONI's engine writes beyond df-007's table (system-call errors)."""
FAILURE_STRINGS = DF_007_FAILURES | NETXLITE_FAILURES

STRING: Schema = {"type": "string"}
NUMBER: Schema = {"type": "number"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
NULL: Schema = {"type": "null"}
TAGS: Schema = {"type": "array", "items": STRING}
FAILURE: Schema = {
    "anyOf": [
        NULL,
        {"enum": sorted(FAILURE_STRINGS)},
        {"type": "string", "pattern": "^unknown_failure"},
    ]
}
"""df-007: null, one of the defined strings, or ``unknown_failure`` and a description."""


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [NULL, schema]}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def mapping(values: Schema) -> Schema:
    return {"type": "object", "additionalProperties": values}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these keys (and ``x_`` ones), nothing else."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "patternProperties": {"^x_": {}},
        "additionalProperties": False,
    }


BINARY_DATA = obj({"format": {"const": "base64"}, "data": STRING})
MAYBE_BINARY = {"anyOf": [STRING, BINARY_DATA]}
TIMED = {"t0": NUMBER, "t": NUMBER}
TRACED = {"tags": TAGS, "transaction_id": INTEGER}

# df-002
ANSWER = obj(
    {"answer_type": STRING},
    {
        "ipv4": STRING,
        "ipv6": STRING,
        "hostname": STRING,
        "ttl": nullable(INTEGER),
        "asn": INTEGER,
        "as_org_name": STRING,
    },
)
ENGINES = [
    "unknown",
    "system",
    "getaddrinfo",
    "golang_net_resolver",
    "go",
    "udp",
    "tcp",
    "dot",
    "doh",
]
QUERY_KEYS = obj(
    {
        "answers": nullable(array(ANSWER)),
        "failure": FAILURE,
        "hostname": STRING,
        "query_type": STRING,
        **TIMED,
    },
    {
        "engine": {"enum": ENGINES},
        "resolver_address": STRING,
        "raw_response": STRING,
        "rcode": INTEGER,
        "getaddrinfo_error": INTEGER,
        "resolver_hostname": NULL,
        "resolver_port": NULL,
        **TRACED,
    },
)
QUERY = {
    **QUERY_KEYS,
    "if": {"properties": {"engine": {"const": "getaddrinfo"}}, "required": ["engine"]},
    "then": {"properties": {"query_type": {"const": "ANY"}}},
}
"""df-002: getaddrinfo asks for every family at once, so it is one ``ANY`` query."""
# df-005
TCP_CONNECT = obj(
    {
        "ip": STRING,
        "port": INTEGER,
        "status": obj({"success": BOOLEAN, "failure": FAILURE}, {"blocked": BOOLEAN}),
        **TIMED,
    },
    TRACED,
)
# df-006
TLS_HANDSHAKE = obj(
    {
        "address": STRING,
        "cipher_suite": STRING,
        "failure": FAILURE,
        "negotiated_protocol": STRING,
        "no_tls_verify": BOOLEAN,
        "peer_certificates": nullable(array(BINARY_DATA)),
        "tls_version": STRING,
        **TIMED,
    },
    {"network": {"enum": ["tcp", "udp"]}, "server_name": STRING, "so_error": FAILURE, **TRACED},
)
# df-001
HEADERS = mapping(MAYBE_BINARY)
HEADERS_LIST = array(
    {"type": "array", "prefixItems": [STRING, MAYBE_BINARY], "minItems": 2, "maxItems": 2}
)
HTTP_REQUEST = obj(
    {"url": STRING, "method": STRING, "headers": HEADERS, "body": MAYBE_BINARY},
    {
        "headers_list": HEADERS_LIST,
        "body_is_truncated": BOOLEAN,
        "tor": obj({"is_tor": BOOLEAN, "exit_ip": nullable(STRING), "exit_name": nullable(STRING)}),
        "x_transport": STRING,
    },
)
HTTP_RESPONSE = obj(
    {"body": nullable(MAYBE_BINARY), "code": INTEGER, "headers": HEADERS},
    {"headers_list": HEADERS_LIST, "body_is_truncated": BOOLEAN},
)
HTTP_TRANSACTION = obj(
    {"failure": FAILURE, "request": HTTP_REQUEST, "response": HTTP_RESPONSE, **TIMED},
    {
        "network": {"enum": ["tcp", "udp"]},
        "address": STRING,
        "alpn": STRING,
        "response_length": nullable(INTEGER),
        **TRACED,
    },
)
# df-008
NETWORK_EVENT = obj(
    {"failure": FAILURE, "operation": STRING, "t": NUMBER},
    {
        "address": STRING,
        "num_bytes": INTEGER,
        "proto": {"enum": ["tcp", "udp"]},
        "t0": NUMBER,
        **TRACED,
    },
)
DATA_FORMATS: dict[str, Schema] = {
    "queries": nullable(array(QUERY)),
    "tcp_connect": nullable(array(TCP_CONNECT)),
    "tls_handshakes": nullable(array(TLS_HANDSHAKE)),
    "requests": nullable(array(HTTP_TRANSACTION)),
    "network_events": nullable(array(NETWORK_EVENT)),
}
"""The df lists any nettest may carry (each spec names its parent data formats)."""

# df-000
ANNOTATIONS = {
    "type": "object",
    "properties": {
        "architecture": {"enum": ["arm", "arm64", "386", "amd64"]},
        "platform": {
            "enum": ["android", "freebsd", "ios", "lepidopter", "linux", "macos", "windows"]
        },
        "network_type": {"enum": ["mobile", "wifi"]},
    },
    "required": ["architecture", "engine_name", "engine_version", "platform"],
    "additionalProperties": STRING,
}
TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"}
ASN = {"type": "string", "pattern": r"^AS\d+$"}
VERSION = {"type": "string", "pattern": r"^\d+\.\d+\.\d+"}
TEST_HELPERS = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [STRING, obj({"address": STRING, "type": STRING})],
    },
}


def envelope(test_name: str, test_keys: Schema) -> Schema:
    return obj(
        {
            "annotations": ANNOTATIONS,
            "data_format_version": {"const": "0.2.0"},
            "input": nullable(STRING),
            "measurement_start_time": TIME,
            "probe_asn": ASN,
            "probe_cc": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "probe_ip": STRING,
            "report_id": STRING,
            "software_name": STRING,
            "software_version": VERSION,
            "test_helpers": TEST_HELPERS,
            "test_keys": test_keys,
            "test_name": {"const": test_name},
            "test_runtime": NUMBER,
            "test_start_time": TIME,
            "test_version": VERSION,
            "resolver_asn": ASN,
            "resolver_ip": STRING,
            "resolver_network_name": STRING,
        },
        {
            "extensions": mapping(INTEGER),
            "id": STRING,
            "options": array(STRING),
            "probe_network_name": STRING,
        },
    )


# ts-017
CONTROL = obj(
    {},
    {
        "dns": obj({"failure": nullable(STRING), "addrs": nullable(array(STRING))}),
        "tcp_connect": mapping(obj({"status": BOOLEAN, "failure": nullable(STRING)})),
        "tls_handshake": mapping(
            obj({"status": BOOLEAN, "failure": nullable(STRING)}, {"server_name": STRING})
        ),
        "quic_handshake": mapping(
            obj({"status": BOOLEAN, "failure": nullable(STRING)}, {"server_name": STRING})
        ),
        "http_request": obj(
            {},
            {
                "body_length": INTEGER,
                "discovered_h3_endpoint": STRING,
                "failure": nullable(STRING),
                "title": STRING,
                "headers": mapping(STRING),
                "status_code": INTEGER,
            },
        ),
        "http3_request": nullable({"type": "object"}),
        "ip_info": mapping(obj({"asn": INTEGER, "flags": INTEGER})),
    },
)
"""The helper's answer; its failure strings are the helper's own vocabulary, not df-007's."""
BLOCKING = {
    "anyOf": [NULL, {"const": False}, {"enum": ["tcp_ip", "dns", "http-diff", "http-failure"]}]
}
WEB_CONNECTIVITY = obj(
    {
        **DATA_FORMATS,
        "agent": {"enum": ["agent", "redirect"]},
        "client_resolver": STRING,
        "control": CONTROL,
        "control_failure": nullable(STRING),
        "socksproxy": NULL,
        "retries": nullable(INTEGER),
    },
    {
        "dns_experiment_failure": FAILURE,
        "http_experiment_failure": FAILURE,
        "dns_consistency": nullable({"enum": ["consistent", "reverse_match", "inconsistent"]}),
        "body_length_match": nullable(BOOLEAN),
        "body_proportion": nullable(NUMBER),
        "headers_match": nullable(BOOLEAN),
        "status_code_match": nullable(BOOLEAN),
        "title_match": nullable(BOOLEAN),
        "accessible": nullable(BOOLEAN),
        "blocking": BLOCKING,
    },
)
# ts-023
TOR_TARGET = obj(
    {
        **DATA_FORMATS,
        "agent": {"enum": ["agent", "redirect"]},
        "failure": FAILURE,
        "summary": mapping(obj({"failure": FAILURE})),
        "target_address": STRING,
        "target_protocol": {
            "anyOf": [
                {"enum": ["dir_port", "or_port", "or_port_dirauth", "obfs4"]},
                {"type": "string", "pattern": "^x_"},
            ]
        },
    },
    {"target_name": nullable(STRING), "target_source": STRING, "source": STRING},
)
TOR = obj(
    {
        f"{protocol}_{count}": INTEGER
        for protocol in ("dir_port", "or_port", "or_port_dirauth", "obfs4")
        for count in ("total", "accessible")
    }
    | {"targets": mapping(TOR_TARGET)}
)
# ts-018, ts-020, ts-029, and the urlgetter keys they share
APP_RUN = {
    "agent": {"enum": ["agent", "redirect"]},
    "failure": FAILURE,
    "failed_operation": nullable(STRING),
}
STATUS = nullable({"enum": ["ok", "blocked"]})
WHATSAPP = obj(
    {
        **DATA_FORMATS,
        **APP_RUN,
        "registration_server_failure": FAILURE,
        "registration_server_status": STATUS,
        "whatsapp_endpoints_blocked": array(STRING),
        "whatsapp_endpoints_dns_inconsistent": array(STRING),
        "whatsapp_endpoints_status": STATUS,
        "whatsapp_web_failure": FAILURE,
        "whatsapp_web_status": STATUS,
    }
)
TELEGRAM = obj(
    {
        **DATA_FORMATS,
        **APP_RUN,
        "telegram_http_blocking": nullable(BOOLEAN),
        "telegram_tcp_blocking": nullable(BOOLEAN),
        "telegram_web_failure": FAILURE,
        "telegram_web_status": STATUS,
    }
)
SIGNAL = obj(
    {
        **DATA_FORMATS,
        **APP_RUN,
        "signal_backend_failure": FAILURE,
        "signal_backend_status": STATUS,
    }
)
# ts-019
FACEBOOK_ROLES = ("b_api", "b_graph", "edge", "external_cdn", "scontent_cdn", "star", "stun")
FACEBOOK_MESSENGER = obj(
    {
        "facebook_dns_blocking": nullable(BOOLEAN),
        "facebook_tcp_blocking": nullable(BOOLEAN),
        **{f"facebook_{role}_dns_consistent": nullable(BOOLEAN) for role in FACEBOOK_ROLES},
        **{f"facebook_{role}_reachable": nullable(BOOLEAN) for role in FACEBOOK_ROLES},
        "agent": APP_RUN["agent"],
        "socksproxy": NULL,
    },
    {**DATA_FORMATS, **APP_RUN},
)
# ts-012
DNS_INJECTION = obj({"queries": DATA_FORMATS["queries"], "injected": nullable(BOOLEAN)})
VIBER = obj(APP_RUN, DATA_FORMATS)
"""No OONI spec: only what every test may carry."""
CENSOR_LOCATE = obj({}, {"queries": DATA_FORMATS["queries"]})
"""No OONI spec: the target's DNS query (df-002) and ``x_`` keys (docs/packet-tests.md)."""
DOH_REACHABILITY = obj({"queries": DATA_FORMATS["queries"]})
"""No OONI spec: one DoH query (df-002, engine ``doh``) per resolver and ``x_`` keys."""

TEST_KEYS: dict[str, Schema] = {
    "web_connectivity": WEB_CONNECTIVITY,
    "tor": TOR,
    "whatsapp": WHATSAPP,
    "telegram": TELEGRAM,
    "signal": SIGNAL,
    "facebook_messenger": FACEBOOK_MESSENGER,
    "dns_injection": DNS_INJECTION,
    "viber": VIBER,
    "censor_locate": CENSOR_LOCATE,
    "doh_reachability": DOH_REACHABILITY,
}


def measurement_schema(test_name: str) -> Schema:
    return envelope(test_name, TEST_KEYS[test_name])
