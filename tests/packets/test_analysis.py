"""The packet analysis on hand-built records: injection, forged resets, locating the censor."""

from __future__ import annotations

from typing import Any

import pytest

from probe.analysis import analyze_measurement, analyze_run
from probe.analysis.packets import (
    answers,
    divergence,
    dns_injection,
    judge_reset,
    judge_resets,
    locate,
    sender_hop,
)

SERVER_TTL = 52  # the server is 13 hops away (64 - 52 + 1)


def _a(*addresses: str) -> list[dict[str, Any]]:
    return [{"answer_type": "A", "ipv4": a, "ttl": 60} for a in addresses]


def _entry(*responses: list[str], silent: bool = False) -> dict[str, Any]:
    return {
        "hostname": "www.azattyq.org",
        "resolver_address": "192.0.2.53:53",
        "x_no_dns_server": silent,
        "responses": [{"x_rcode": "NOERROR", "answers": _a(*r)} for r in responses],
    }


def test_any_reply_from_an_address_without_dns_is_injection() -> None:
    evidence = dns_injection({"x_dns_duplicate_responses": [_entry(["10.10.34.35"], silent=True)]})
    assert evidence is not None and "runs no DNS server" in evidence and "10.10.34.35" in evidence


def test_silence_at_the_address_without_dns_is_not_injection() -> None:
    assert dns_injection({"x_dns_duplicate_responses": [_entry(silent=True)]}) is None


def test_differing_replies_to_one_query_are_injection() -> None:
    keys = {"x_dns_duplicate_responses": [_entry(["203.0.113.1"], ["203.0.113.10"])]}
    evidence = dns_injection(keys)
    assert evidence is not None and "203.0.113.1 then 203.0.113.10" in evidence


def test_identical_duplicates_and_single_replies_are_not_injection() -> None:
    keys = {"x_dns_duplicate_responses": [_entry(["203.0.113.10"], ["203.0.113.10"]), _entry()]}
    assert dns_injection(keys) is None
    assert dns_injection({}) is None


@pytest.mark.parametrize(
    ("ttl", "hop"), [(64, 1), (63, 2), (52, 13), (128, 1), (120, 9), (250, 6), (30, 3)]
)
def test_sender_hop_counts_from_the_usual_initial_ttls(ttl: int, hop: int) -> None:
    assert sender_hop(ttl) == hop


def _packet(
    flags: str, ip_ttl: int = SERVER_TTL, ip_id: int = 0, window: int = 0, data: int = 0
) -> dict[str, Any]:
    return {
        "flags": flags,
        "ip_ttl": ip_ttl,
        "ip_id": ip_id,
        "tcp_window": window,
        "payload_len": data,
    }


SYN_ACK = _packet("SA", window=65160)


def test_a_reset_from_another_hop_count_is_injected() -> None:
    verdict = judge_reset(_packet("R", ip_ttl=SERVER_TTL + 1), SYN_ACK)
    assert verdict["likely_injected"] is True
    assert verdict["reasons"] == ["ip_ttl"]
    assert verdict["syn_ack"] == {"ip_ttl": SERVER_TTL, "ip_id": 0, "tcp_window": 65160}


def test_the_servers_own_reset_is_not_injected() -> None:
    verdict = judge_reset(_packet("RA"), SYN_ACK)
    assert (verdict["likely_injected"], verdict["reasons"]) == (False, [])


def test_ip_id_and_window_telltales_count_only_together() -> None:
    counter = {**SYN_ACK, "ip_id": 1000}
    jumped = judge_reset(_packet("R", ip_id=40000), counter)
    assert (jumped["likely_injected"], jumped["reasons"]) == (False, ["ip_id"])
    near = judge_reset(_packet("R", ip_id=1003, window=512), counter)
    assert (near["likely_injected"], near["reasons"]) == (False, ["tcp_window"])
    both = judge_reset(_packet("R", ip_id=40000, window=512), counter)
    assert (both["likely_injected"], both["reasons"]) == (True, ["ip_id", "tcp_window"])


def test_without_a_syn_ack_nothing_is_claimed() -> None:
    verdict = judge_reset(_packet("R", ip_ttl=99), None)
    assert verdict["likely_injected"] is None and verdict["syn_ack"] is None


def test_a_refused_connection_is_judged_against_the_reference_syn_ack() -> None:
    record = {
        "exchange": {"syn_ack": None, "packets": [_packet("RA")]},
        "reference": {"syn_ack": SYN_ACK, "packets": []},
    }
    assert [v["likely_injected"] for v in judge_resets(record)] == [False]
    forged = {**record, "exchange": {"syn_ack": None, "packets": [_packet("RA", ip_ttl=60)]}}
    assert [v["likely_injected"] for v in judge_resets(forged)] == [True]
    # Only resets are judged: data and FINs of the exchange are not.
    with_data = {"exchange": {"syn_ack": SYN_ACK, "packets": [_packet("PA", data=10)]}}
    assert judge_resets(with_data) == []


# -- traces --------------------------------------------------------------------------------------

ROUTERS = {1: "192.0.2.1", 2: "192.0.2.10", 3: "198.51.100.1", 4: "198.51.100.9"}
SERVER_HOP = 5
SERVER_HOP_TTL = 64 - SERVER_HOP + 1


def _hop(ttl: int, *packets: dict[str, Any], routers: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "ttl": ttl,
        "failure": None,
        "syn_ack": _packet("SA", ip_ttl=SERVER_HOP_TTL, window=65160),
        "packets": list(packets),
        "time_exceeded": [{"router": r, "ip_ttl": 64} for r in routers],
    }


def _control() -> list[dict[str, Any]]:
    trace = [_hop(t, routers=(r,)) for t, r in ROUTERS.items()]
    return [*trace, _hop(SERVER_HOP, _packet("PA", ip_ttl=SERVER_HOP_TTL, data=800))]


def _reset_from(hop: int) -> dict[str, Any]:
    return _packet("R", ip_ttl=64 - hop + 1)


def test_answers_name_what_came_back() -> None:
    assert answers(_hop(1, routers=("192.0.2.1",))) == {"icmp:192.0.2.1"}
    assert answers(_hop(2)) == {"none"}
    assert answers(_hop(3, _packet("A"), _packet("FA", data=5))) == {"fin", "data"}
    assert answers({"ttl": 1, "failure": "connection_refused"}) == {"failed:connection_refused"}


def test_a_censoring_router_is_found_one_hop_before_the_divergence() -> None:
    """Like the lab: hop 3 filters after decrementing the TTL, so probes with TTL 3 expire there
    as for the control, and the RST (sent from hop 3) shows first at TTL 4."""
    test = [*_control()[:3], _hop(4, _reset_from(3))]
    found = locate(test, _control())
    assert found.divergence_ttl == 4
    assert found.divergence_router == ROUTERS[4]
    assert (found.censor_hop, found.censor_router) == (3, ROUTERS[3])
    assert found.placement == "in-path" and found.located_by == "forged_packet"
    assert found.test_answer == ["rst"] and not found.may_be_server


def test_an_on_path_injector_lets_the_trigger_travel_on() -> None:
    """A tap beside hop 4: its RST arrives, and so does hop 4's ICMP about the same trigger."""
    test = [*_control()[:3], _hop(4, _reset_from(4), routers=(ROUTERS[4],))]
    found = locate(test, _control())
    assert (found.divergence_ttl, found.censor_hop, found.censor_router) == (4, 4, ROUTERS[4])
    assert found.placement == "on-path"
    assert found.test_answer == ["icmp:198.51.100.9", "rst"]


def test_an_on_path_injector_racing_the_server() -> None:
    test = [
        *_control()[:4],
        _hop(5, _reset_from(4), _packet("PA", ip_ttl=SERVER_HOP_TTL, data=800)),
    ]
    found = locate(test, _control())
    assert (found.divergence_ttl, found.placement, found.censor_hop) == (5, "on-path", 4)


def test_a_silent_drop_is_after_the_last_router_both_traces_saw() -> None:
    """Silence at TTL 4 where the control's trigger expired at hop 4: whatever dropped it sits
    at or after hop 3, whose router expired both, and before hop 4's."""
    test = [*_control()[:3], _hop(4), _hop(5)]
    found = locate(test, _control())
    assert (found.divergence_ttl, found.divergence_router) == (4, ROUTERS[4])
    assert (found.censor_hop, found.censor_router) == (3, ROUTERS[3])
    assert found.located_by == "last_common_router" and not found.may_be_server
    assert found.placement == "in-path" and found.test_answer == ["none"]
    assert "at or after hop 3 (198.51.100.1)" in found.detail
    assert f"before hop 4 ({ROUTERS[4]})" in found.detail


def test_silence_where_the_control_reached_the_server_may_be_the_server() -> None:
    """The lab's sni-drop: the censor filters after decrementing the TTL, and the next hop is
    the server, so the trigger's trace goes silent exactly where the control's gets the page."""
    test = [*_control()[:4], _hop(5)]
    found = locate(test, _control())
    assert (found.divergence_ttl, found.divergence_router) == (5, None)
    assert (found.censor_hop, found.censor_router) == (4, ROUTERS[4])
    assert found.may_be_server and found.residual is None
    assert "cannot tell it from a filter on the server itself" in found.detail
    assert found.as_dict()["may_be_server"] is True


def test_silence_from_the_first_hop_names_no_router() -> None:
    test = [_hop(t) for t in range(1, 6)]
    found = locate(test, _control())
    assert found.divergence_ttl == 1 and found.censor_hop is None and found.censor_router is None
    assert found.located_by is None and "nearer than the first router" in found.detail


def test_an_injected_ttl_that_fits_neither_hop_falls_back_to_the_last_common_router() -> None:
    test = [*_control()[:3], _hop(4, _packet("R", ip_ttl=200))]
    found = locate(test, _control())
    assert (found.censor_hop, found.located_by) == (3, "last_common_router")


def test_one_silent_router_is_noise_not_a_censor() -> None:
    test = _control()
    test[1] = _hop(2)  # rate-limited ICMP at hop 2 in the test trace only
    assert divergence(test, _control()) is None
    found = locate(test, _control())
    assert found.divergence_ttl is None and found.placement is None and found.censor_hop is None


# -- residual blocking -----------------------------------------------------------------------


def _timed(trace: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Send times as the nettest has them: at each TTL the test, then the control, 1 s apart."""
    return [{**h, "t0": 2.0 * h["ttl"] + (name == "control")} for h in trace]


def _failed(ttl: int) -> dict[str, Any]:
    return {"ttl": ttl, "failure": "generic_timeout_error", "syn_ack": None, "packets": [],
            "time_exceeded": []}  # fmt: skip


@pytest.mark.parametrize("timed", [True, False])
def test_a_control_failing_after_a_silent_trigger_is_residual_blocking(timed: bool) -> None:
    """The censor at hop 4 drops the trigger at TTL 5 and then every new connection to the
    address: the control at TTL 5 fails before it can reach the server."""
    test = [*_control()[:4], _hop(5)]
    control = [*_control()[:4], _failed(5)]
    if timed:
        test, control = _timed(test, "test"), _timed(control, "control")
    found = locate(test, control)
    assert found.residual is not None
    assert (found.residual.trace, found.residual.ttl, found.residual.trigger_ttl) == (
        "control",
        5,
        5,
    )
    assert found.residual.seconds == (1.0 if timed else None)
    assert (found.divergence_ttl, found.censor_hop, found.censor_router) == (5, 4, ROUTERS[4])
    assert not found.may_be_server  # the control never got there
    assert "residual blocking suspected" in found.detail
    assert "the control's connection at TTL 5 failed (generic_timeout_error)" in found.detail
    assert found.as_dict()["residual_blocking"]["failure"] == "generic_timeout_error"


def test_residual_blocking_after_a_forged_reset_keeps_the_resets_hop() -> None:
    test = _timed([*_control()[:2], _hop(3, _reset_from(2))], "test")
    control = _timed([*_control()[:2], _failed(3)], "control")
    found = locate(test, control)
    assert (found.censor_hop, found.censor_router) == (2, ROUTERS[2])
    assert found.located_by == "forged_packet" and found.residual is not None


def test_probes_after_residual_blocking_began_do_not_place_the_censor() -> None:
    """The trigger at TTL 3 is dropped past hop 2; both probes at TTL 4 then fail alike, which
    would otherwise make the traces agree again and hide the censor."""
    test = _timed([*_control()[:2], _hop(3), _failed(4)], "test")
    control = _timed([*_control()[:3], _failed(4)], "control")
    assert divergence(test, control) is None  # read naively, the traces agree
    found = locate(test, control)
    assert found.residual is not None and found.residual.trace == "test"
    assert (found.residual.ttl, found.residual.trigger_ttl) == (4, 3)
    assert (found.divergence_ttl, found.censor_hop) == (3, 2)
    assert f"before hop 3 ({ROUTERS[3]})" in found.detail


def test_a_failure_before_any_trigger_passed_the_routers_is_not_residual() -> None:
    control = _timed([*_control()[:1], _failed(2)], "control")
    test = _timed(_control()[:2], "test")
    assert locate(test, control).residual is None


def test_no_connection_at_all_locates_nothing() -> None:
    found = locate([_failed(1)], [_failed(1)])
    assert found.censor_hop is None and found.residual is None
    assert "no connection to the address opened" in found.detail


# -- a censor_locate measurement of its own ------------------------------------------------------


def _standalone(test: list[dict[str, Any]], failure: str | None = None) -> dict[str, Any]:
    keys = {"x_trigger": "tls_sni", "x_failure": failure, "x_test_trace": test,
            "x_control_trace": [] if failure else _control()}  # fmt: skip
    return {"input": "https://soundcloud.com/", "test_name": "censor_locate", "test_keys": keys}


def test_a_standalone_trace_is_judged_like_one_under_packet_tests() -> None:
    measurement = _standalone([*_control()[:4], _hop(5)])
    analysed, summary = analyze_run([measurement])
    keys = analysed[0]["test_keys"]
    assert (keys["x_blocking"], keys["x_accessible"], keys["x_technique"]) == (
        "http-failure", False, "tls.timeout")  # fmt: skip
    assert keys["x_censor_location"] == locate(*_traces(measurement)).as_dict()
    assert keys["x_censor_location"]["censor_hop"] == 4
    assert summary.unanalysed == {} and summary.total == 0  # not a web target
    assert summary.apps == [
        f"censor_locate https://soundcloud.com/: blocked (censor at or after hop 4, {ROUTERS[4]})"
    ]


def _traces(measurement: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    keys = measurement["test_keys"]
    return keys["x_test_trace"], keys["x_control_trace"]


def test_a_standalone_trace_that_matches_the_control_is_ok() -> None:
    keys = analyze_measurement(_standalone(_control()))
    assert (keys["x_blocking"], keys["x_accessible"]) == (False, True)
    assert keys["x_censor_location"]["censor_hop"] is None


def test_a_standalone_measurement_that_traced_nothing_is_undetermined() -> None:
    keys = analyze_measurement(_standalone([], failure="needs root: packet tests ..."))
    assert (keys["x_blocking"], keys["x_accessible"], keys["x_censor_location"]) == (None, None, None)
    assert keys["x_detail"] == "not traced: needs root: packet tests ..."


def test_a_standalone_forged_reset_is_blocking_even_without_the_server() -> None:
    """Residual blocking failed the control before it reached the server; the forged RST is
    evidence enough."""
    test = _timed([*_control()[:2], _hop(3, _reset_from(2))], "test")
    control = _timed([*_control()[:2], _failed(3)], "control")
    measurement = _standalone(test)
    measurement["test_keys"]["x_control_trace"] = control
    keys = analyze_measurement(measurement)
    assert (keys["x_blocking"], keys["x_technique"]) == ("http-failure", "tls.reset")
    assert keys["x_censor_location"]["residual_blocking"]["trace"] == "control"


def test_a_standalone_silence_cut_by_residual_blocking_is_undetermined() -> None:
    test = _timed([*_control()[:4], _hop(5)], "test")
    control = _timed([*_control()[:4], _failed(5)], "control")
    measurement = _standalone(test)
    measurement["test_keys"]["x_control_trace"] = control
    keys = analyze_measurement(measurement)
    assert keys["x_blocking"] is None
    assert "residual blocking suspected" in keys["x_detail"]
    assert keys["x_censor_location"]["censor_hop"] == 4
