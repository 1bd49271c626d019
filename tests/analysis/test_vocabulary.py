"""The vocabulary's failure mapping: every failure string classified, nothing else ever blocking."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.builders import (
    LAB,
    OTHER,
    REAL,
    Json,
    connect,
    handshake,
    helper,
    measurement,
    neutral,
    query,
    request,
    verdict,
)
from probe.analysis import AnalysisOptions
from probe.analysis.vocabulary import (
    ADDRESS_TECHNIQUES,
    CERTIFICATE_FAILURES,
    LOCAL_FAILURES,
    NOT_EVIDENCE,
    TECHNIQUES,
    Category,
    Stage,
    Technique,
    category_of,
    technique_named,
)
from probe.net import errors

FAILURE_STRINGS = sorted(
    value
    for name, value in vars(errors).items()
    if name.isupper() and isinstance(value, str) and not name.startswith("_")
)
MAPPED = {failure for _, failure in TECHNIQUES}
HOST = "www.tumblr.com"


def test_every_failure_string_of_the_probe_is_classified_deliberately() -> None:
    classified = MAPPED | LOCAL_FAILURES | NOT_EVIDENCE | CERTIFICATE_FAILURES
    unclassified = [f for f in FAILURE_STRINGS if f not in classified]
    assert unclassified == [errors.UNKNOWN_FAILURE]  # a prefix: a bug, never evidence
    assert not (MAPPED & LOCAL_FAILURES) and not (MAPPED & NOT_EVIDENCE)


def test_enums_keep_the_stored_strings() -> None:
    assert Technique.TLS_RESET == "tls.reset" and f"{Technique.IP_TIMEOUT}" == "ip.timeout"
    assert [str(c) for c in Category] == ["ok", "down", "undetermined", "blocked"]
    assert technique_named("http.eof") is Technique.HTTP_EOF
    assert technique_named("tcp.unheard-of") is None and technique_named(None) is None
    assert category_of("tcp_ip", False) is Category.BLOCKED
    assert category_of(False, None) is Category.DOWN


# -- the property: only a mapped failure can be the evidence of blocking ----------------------

ARBITRARY_FAILURES = st.one_of(
    st.sampled_from([*FAILURE_STRINGS, "unknown_failure: ValueError: boom", "connect_error"]),
    st.text(max_size=30),
)


def _failing_at(stage: Stage, failure: str, neutral_result: str, helper_reached: bool) -> Json:
    """A target whose DNS is consistent and whose chain stops at ``stage`` with ``failure``,
    with controls as favourable to a "blocked" verdict as ``helper_reached`` allows."""
    scheme, port = ("https", 443) if stage is not Stage.HTTP else ("http", 80)
    url, ep = f"{scheme}://{HOST}/", f"{REAL}:{port}"
    neutral_failure = {"same": failure, "other": "generic_timeout_error"}.get(neutral_result)
    kwargs: dict[str, Any] = {
        "control": helper(
            tcp={ep: helper_reached},
            tls={ep: helper_reached} if scheme == "https" else None,
        )
    }
    if stage is Stage.DNS:
        return measurement(url, queries=[query(HOST, (), failure)], **kwargs)
    if stage is Stage.TCP:
        return measurement(
            url, queries=[query(HOST, [REAL])], tcp=[connect(REAL, port, failure)], **kwargs
        )
    if neutral_result != "none":
        code = 0 if neutral_failure else 200
        kwargs["self_control"] = neutral(
            [handshake(ep, "example.com", neutral_failure, no_verify=True)]
            if stage is Stage.TLS
            else [],
            [request("http://example.com/", ep, code, failure=neutral_failure)]
            if stage is Stage.HTTP
            else [],
        )
    tls = [handshake(ep, HOST, failure if stage is Stage.TLS else None)]
    requests = [request(url, ep, 0, failure=failure)] if stage is Stage.HTTP else []
    return measurement(
        url,
        queries=[query(HOST, [REAL])],
        tcp=[connect(REAL, port)],
        tls=tls if scheme == "https" else [],
        requests=requests,
        **kwargs,
    )


@settings(max_examples=400, deadline=None)
@given(
    stage=st.sampled_from(list(Stage)),
    failure=ARBITRARY_FAILURES,
    neutral_result=st.sampled_from(["none", "ok", "same", "other"]),
    helper_reached=st.booleans(),
)
def test_no_failure_outside_the_mapping_is_ever_blocking(
    stage: Stage, failure: str, neutral_result: str, helper_reached: bool
) -> None:
    keys = verdict(_failing_at(stage, failure, neutral_result, helper_reached))
    if (stage, failure) not in TECHNIQUES:
        assert keys["blocking"] is None or keys["blocking"] is False, keys["x_detail"]
        return
    if keys["blocking"]:
        allowed = {TECHNIQUES[(stage, failure)], ADDRESS_TECHNIQUES.get(failure)}
        assert keys["x_technique"] in allowed, keys["x_detail"]


@settings(max_examples=200, deadline=None)
@given(failures=st.lists(ARBITRARY_FAILURES, min_size=1, max_size=4))
def test_several_addresses_failing_differently_block_only_on_a_mapped_failure(
    failures: list[str],
) -> None:
    addresses = [f"203.0.113.{10 + i}" for i in range(len(failures))]
    m = measurement(
        f"http://{HOST}/",
        queries=[query(HOST, addresses)],
        tcp=[connect(a, 80, f) for a, f in zip(addresses, failures, strict=True)],
        control=helper(tuple(addresses), tcp={f"{a}:80": True for a in addresses}),
    )
    keys = verdict(m)
    if keys["blocking"]:
        assert keys["x_technique"] in {"tcp.reset", "tcp.timeout"}
        assert any((Stage.TCP, f) in TECHNIQUES for f in failures)


# -- the rules, one by one ---------------------------------------------------------------------


def test_network_unreachable_with_a_helper_that_connected_is_undetermined() -> None:
    m = _failing_at(Stage.TCP, errors.NETWORK_UNREACHABLE, "none", True)
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (None, None, None)
    assert "network_unreachable" in keys["x_detail"] and "own network" in keys["x_detail"]


def test_an_unreachable_ipv6_address_does_not_hide_the_ipv4_timeout() -> None:
    v6 = "2001:db8::10"
    m = measurement(
        f"http://{HOST}/",
        queries=[query(HOST, [REAL]), query(HOST, [], qtype="AAAA")],
        tcp=[
            connect(v6, 80, errors.NETWORK_UNREACHABLE),
            connect(REAL, 80, "generic_timeout_error"),
        ],
        control=helper(tcp={f"{REAL}:80": True}),
    )
    m["test_keys"]["queries"][1]["answers"] = [{"answer_type": "AAAA", "ipv6": v6, "ttl": 60}]
    m["test_keys"]["control"]["dns"]["addrs"].append(v6)
    keys = verdict(m, AnalysisOptions(bogon_exempt=(*LAB, "2001:db8::/32")))
    assert (keys["blocking"], keys["x_technique"]) == ("tcp_ip", "tcp.timeout")
    assert keys["http_experiment_failure"] == "generic_timeout_error"


def test_a_probe_bug_is_never_blocking() -> None:
    keys = verdict(_failing_at(Stage.TLS, "unknown_failure: KeyError: 'x'", "ok", True))
    assert keys["blocking"] is None and "inside the probe" in keys["x_detail"]


def test_dns_failing_locally_is_not_dns_blocking() -> None:
    m = measurement(
        f"https://{HOST}/",
        queries=[query(HOST, (), errors.NETWORK_UNREACHABLE)],
        control=helper(),
    )
    keys = verdict(m)
    assert keys["dns_consistency"] == "inconsistent"  # OONI's comparison, kept as observed
    assert (keys["blocking"], keys["x_technique"]) == (None, None)
    assert "network_unreachable" in keys["x_detail"]


def test_neutral_name_reset_too_at_an_address_the_helper_reached_is_ip_reset() -> None:
    keys = verdict(_failing_at(Stage.TLS, errors.CONNECTION_RESET, "same", True))
    assert (keys["blocking"], keys["accessible"], keys["x_technique"]) == (
        "tcp_ip",
        False,
        "ip.reset",
    )
    assert "is blocked, not the name" in keys["x_detail"]
    assert "triggered" not in keys["x_detail"]


def test_neutral_host_stalling_too_is_ip_timeout() -> None:
    keys = verdict(_failing_at(Stage.HTTP, errors.GENERIC_TIMEOUT, "same", True))
    assert (keys["blocking"], keys["x_technique"]) == ("tcp_ip", "ip.timeout")


def test_neutral_name_failing_too_without_the_helper_is_undetermined() -> None:
    m = _failing_at(Stage.TLS, errors.CONNECTION_RESET, "same", True)
    m["test_keys"]["control"] = {}
    m["test_keys"]["x_doh_queries"] = [query(HOST, [REAL], engine="doh")]
    keys = verdict(m)
    assert keys["blocking"] is None
    assert "not the name" in keys["x_detail"] and "no control reached" in keys["x_detail"]


def test_neutral_name_failing_differently_blames_neither() -> None:
    keys = verdict(_failing_at(Stage.TLS, errors.CONNECTION_RESET, "other", True))
    assert keys["blocking"] is None and "failed differently" in keys["x_detail"]


def test_neutral_name_completing_blames_the_name() -> None:
    keys = verdict(_failing_at(Stage.TLS, errors.CONNECTION_RESET, "ok", True))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "tls.reset")
    assert keys["x_detail"].endswith("the name triggered it")


def test_without_a_neutral_retry_the_detail_does_not_blame_the_name() -> None:
    keys = verdict(_failing_at(Stage.TLS, errors.GENERIC_TIMEOUT, "none", True))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "tls.timeout")
    assert "no neutral-name retry was made" in keys["x_detail"]
    assert "triggered" not in keys["x_detail"]


def test_a_close_is_eof_not_reset() -> None:
    assert verdict(_failing_at(Stage.TLS, errors.EOF_ERROR, "ok", True))["x_technique"] == (
        "tls.eof"
    )
    assert verdict(_failing_at(Stage.HTTP, errors.EOF_ERROR, "ok", True))["x_technique"] == (
        "http.eof"
    )


def test_a_garbled_exchange_names_no_technique() -> None:
    for stage, failure in (
        (Stage.TLS, errors.SSL_FAILED_HANDSHAKE),
        (Stage.HTTP, errors.HTTP_PROTOCOL_ERROR),
    ):
        keys = verdict(_failing_at(stage, failure, "ok", True))
        assert keys["blocking"] is None and "not the mark of any" in keys["x_detail"]


def test_dns_tampering_first_still_names_dns_whatever_failed_after() -> None:
    m = measurement(
        f"https://{HOST}/",
        queries=[query(HOST, [OTHER])],
        tcp=[connect(OTHER, 443, errors.NETWORK_UNREACHABLE)],
        control=helper(),
    )
    assert verdict(m)["x_technique"] == "dns.spoof"


def test_a_close_whatever_the_name_is_no_evidence_of_blocking() -> None:
    keys = verdict(_failing_at(Stage.TLS, errors.EOF_ERROR, "same", True))
    assert keys["blocking"] is None
    assert "the name is not the trigger" in keys["x_detail"]


def test_an_unmapped_failure_the_helper_shares_is_down_but_a_local_one_stays_unknown() -> None:
    shared = verdict(_failing_at(Stage.HTTP, "response_never_received", "none", False))
    assert (shared["blocking"], shared["accessible"]) == (False, False)
    assert "the helper could not get through" in shared["x_detail"]
    local = verdict(_failing_at(Stage.TCP, errors.HOST_UNREACHABLE, "none", False))
    assert (local["blocking"], local["accessible"]) == (None, None)


def test_a_certificate_failure_stored_in_the_request_follows_the_certificate_rule() -> None:
    m = _failing_at(Stage.HTTP, errors.SSL_INVALID_CERTIFICATE, "none", True)
    m["test_keys"]["control"]["http_request"] = helper(http_failure="unknown_error")["http_request"]
    keys = verdict(m)
    assert keys["blocking"] is None and "no control saw a genuine certificate" in keys["x_detail"]
