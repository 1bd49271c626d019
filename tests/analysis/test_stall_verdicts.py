"""A stall after data began to flow is throttling; the neutral name's pull tells name from volume.

Measurements are crafted as the probe stores them: df-008 read events on the connection, the
request that timed out (over HTTPS nothing decrypted: status 0), and the self-control with its
``x_volume`` pull from the same address.
"""

from __future__ import annotations

from typing import Any

from tests.analysis.builders import (
    REAL,
    Json,
    connect,
    handshake,
    helper,
    measurement,
    query,
    verdict,
)

URL = "https://www.tumblr.com/"
ADDRESS = f"{REAL}:443"
TIMEOUT = 10.0


def reads(start: float, chunks: int, size: int, every: float) -> list[Json]:
    return [
        {
            "address": ADDRESS,
            "failure": None,
            "operation": "read",
            "proto": "tcp",
            "num_bytes": size,
            "t0": round(start + i * every, 6),
            "t": round(start + i * every + every / 2, 6),
            "tags": [],
        }
        for i in range(chunks)
    ]


def timed_out(t0: float, t: float, code: int = 0) -> Json:
    return {
        "address": ADDRESS,
        "failure": "generic_timeout_error",
        "request": {"method": "GET", "url": URL, "headers": {}},
        "response": {"code": code, "headers": {}, "body": None}
        if code == 0
        else {
            "code": code,
            "headers": {},
            "body": "",
            "x_body_length": 0,
            "x_transfer_seconds": t - t0,
        },
        "t0": t0,
        "t": t,
    }


def connected(t0: float) -> Json:
    return connect(REAL, 443) | {"t0": t0, "t": t0 + 0.01}


def frozen(self_control: Json, events: list[Json], **control: Any) -> Json:
    """Handshake bytes, 12 KB fast after the request at t=0.1, then nothing until the timeout."""
    m = measurement(
        URL,
        queries=[query("www.tumblr.com", [REAL])],
        tcp=[connected(0.0)],
        tls=[handshake(ADDRESS, "www.tumblr.com")],
        requests=[timed_out(0.1, 0.1 + TIMEOUT)],
        control=helper(tls={ADDRESS: True}, body_length=65536, **control),
        self_control=self_control,
    )
    handshake_reads = reads(0.01, 1, 4000, 0.02)
    m["test_keys"]["network_events"] = handshake_reads + reads(0.1, 4, 3000, 0.01) + events
    return m


def self_control(volume: Json | None, t0: float = 11.0) -> Json:
    control: Json = {
        "server_name": "example.com",
        "host": "example.com",
        "tcp_connect": [connected(t0), connected(t0 + 0.2)],
        "tls_handshakes": [handshake(ADDRESS, "example.com", no_verify=True)],
        "requests": [
            {
                "address": ADDRESS,
                "failure": None,
                "request": {"method": "GET", "url": "https://example.com/", "headers": {}},
                "response": {"code": 404, "headers": {}, "body": "", "x_body_length": 150},
                "t0": t0 + 0.05,
                "t": t0 + 0.1,
            }
        ],
    }
    if volume is not None:
        control["x_volume"] = volume
    return control


def volume(received: int, failure: str | None, t0: float = 11.25, t: float = 11.5) -> Json:
    return {
        "address": ADDRESS,
        "failure": failure,
        "x_requests": 100,
        "x_received": received,
        "t0": t0,
        "t": t,
    }


def test_a_freeze_on_the_address_is_volume_based_throttling_not_the_name() -> None:
    neutral_reads = reads(11.01, 1, 300, 0.02) + reads(11.21, 1, 4000, 0.02)
    neutral_reads += reads(11.25, 4, 3000, 0.01)
    control = self_control(volume(11000, "generic_timeout_error", 11.25, 11.25 + TIMEOUT))
    keys = verdict(frozen(control, neutral_reads))
    assert keys["x_technique"] == "throttle"
    assert keys["blocking"] == "tcp_ip"
    assert keys["x_detail"].startswith("stalled after 16000 bytes, a freeze")
    assert "volume-based freeze on the address, not the name" in keys["x_detail"]
    assert "triggered" not in keys["x_detail"]


def test_a_freeze_the_neutral_name_passes_is_by_name() -> None:
    neutral_reads = reads(11.21, 1, 4000, 0.02) + reads(11.25, 10, 3300, 0.01)
    keys = verdict(frozen(self_control(volume(32768, None)), neutral_reads))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "throttle")
    assert "a freeze" in keys["x_detail"]
    assert "went on to 37000 bytes: the name triggered it" in keys["x_detail"]


def test_a_small_neutral_page_cannot_tell_name_from_volume() -> None:
    keys = verdict(frozen(self_control(None), reads(11.01, 1, 1500, 0.02)))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "throttle")
    assert "name and volume cannot be told apart" in keys["x_detail"]
    assert "finished after 1500 bytes" in keys["x_detail"]


def test_a_frozen_site_the_helper_cannot_fetch_either_is_down() -> None:
    control = self_control(volume(11000, "generic_timeout_error", 11.25, 11.25 + TIMEOUT))
    m = frozen(control, reads(11.25, 4, 3000, 0.01), http_failure="generic_timeout_error")
    m["test_keys"]["control"]["tls_handshake"] = {}
    keys = verdict(m)
    assert (keys["blocking"], keys["accessible"]) == (False, False)
    assert "stalled too" in keys["x_detail"]


def rate_limited(neutral_reads: list[Json], control: Json) -> Json:
    """1000 bytes every 0.5 s (about 16 kbit/s) from the request to its timeout."""
    m = frozen(control, neutral_reads)
    events = reads(0.01, 1, 4000, 0.02) + reads(0.1, 20, 1000, 0.5)
    m["test_keys"]["network_events"] = events + neutral_reads
    return m


def test_a_low_steady_rate_is_a_rate_limit_and_ten_times_faster_neutral_blames_the_name() -> None:
    neutral_reads = reads(11.25, 33, 1000, 0.01)  # 33 KB in 0.33 s: about 800 kbit/s
    keys = verdict(rate_limited(neutral_reads, self_control(volume(33000, None, 11.25, 11.6))))
    assert keys["x_technique"] == "throttle"
    assert keys["blocking"] == "http-failure"
    assert "a rate limit: 16.4 kbit/s" in keys["x_detail"]
    assert "the name triggered it" in keys["x_detail"]


def test_a_rate_limit_the_neutral_name_meets_too_is_on_the_address() -> None:
    neutral_reads = reads(11.25, 20, 1000, 0.5)
    control = self_control(volume(20000, "generic_timeout_error", 11.25, 11.25 + TIMEOUT))
    keys = verdict(rate_limited(neutral_reads, control))
    assert (keys["blocking"], keys["x_technique"]) == ("tcp_ip", "throttle")
    assert "a rate limit on the address" in keys["x_detail"]


def test_session_tickets_alone_are_no_flow_so_a_silent_server_is_a_timeout() -> None:
    m = frozen(self_control(None), [])
    m["test_keys"]["network_events"] = reads(0.01, 1, 4000, 0.02) + reads(0.1, 1, 500, 0.01)
    keys = verdict(m)
    assert keys["x_technique"] != "throttle"
    assert "stalled" not in keys["x_detail"]


def test_a_rate_limit_the_neutral_name_is_no_faster_under_is_on_the_address() -> None:
    neutral_reads = reads(11.25, 20, 1000, 0.4)  # finished 20 KB at about 20 kbit/s
    keys = verdict(rate_limited(neutral_reads, self_control(volume(20000, None, 11.25, 19.3))))
    assert (keys["blocking"], keys["x_technique"]) == ("tcp_ip", "throttle")
    assert "was no faster" in keys["x_detail"]
    assert "a rate limit on the address, not the name" in keys["x_detail"]


def test_a_neutral_pull_faster_but_not_ten_times_tells_neither_name_nor_address() -> None:
    """Five times the stalled rate: not the limit's rate, so not on the address, and not the 10x
    that shows the name (over a long path a 32 KiB pull cannot show more, see SAME_RATE)."""
    neutral_reads = reads(11.25, 20, 1000, 0.1)  # 20 KB in 2 s: about 80 kbit/s
    keys = verdict(rate_limited(neutral_reads, self_control(volume(20000, None, 11.25, 13.25))))
    assert (keys["blocking"], keys["x_technique"]) == ("http-failure", "throttle")
    assert "ran at 80.0 kbit/s, 4.9 times the stalled rate but not 10 times" in keys["x_detail"]
    assert "so name and volume cannot be told apart" in keys["x_detail"]
    assert "on the address" not in keys["x_detail"]


def test_a_retry_held_up_behind_a_rate_limit_is_not_called_residual() -> None:
    control = self_control(None)
    control["tcp_connect"] = [connect(REAL, 443, "generic_timeout_error") | {"t0": 11.0}]
    control["tls_handshakes"], control["requests"] = [], []
    keys = verdict(rate_limited([], control))
    assert "a rate limit" in keys["x_detail"]
    assert "residual" not in keys["x_detail"]
    assert "the neutral-name retry failed (generic_timeout_error)" in keys["x_detail"]
    frozen_keys = verdict(frozen(control, []))
    assert "residual blocking suspected" in frozen_keys["x_detail"]
