"""The packet analysis on hand-built records: injection, forged resets, locating the censor."""

from __future__ import annotations

from typing import Any

import pytest

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
    assert found.placement == "in-path"
    assert found.test_answer == ["rst"]


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


def test_a_silent_drop_is_located_at_the_divergence() -> None:
    test = [*_control()[:3], _hop(4), _hop(5)]
    found = locate(test, _control())
    assert (found.divergence_ttl, found.censor_hop, found.censor_router) == (4, 4, ROUTERS[4])
    assert found.placement == "in-path"
    assert found.test_answer == ["none"]


def test_an_injected_ttl_that_fits_neither_hop_falls_back_to_the_divergence() -> None:
    test = [*_control()[:3], _hop(4, _packet("R", ip_ttl=200))]
    assert locate(test, _control()).censor_hop == 4


def test_one_silent_router_is_noise_not_a_censor() -> None:
    test = _control()
    test[1] = _hop(2)  # rate-limited ICMP at hop 2 in the test trace only
    assert divergence(test, _control()) is None
    found = locate(test, _control())
    assert found.divergence_ttl is None and found.placement is None and found.censor_hop is None
