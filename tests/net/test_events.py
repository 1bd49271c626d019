"""df-008 read events stay bounded per address, with the byte count and last arrival exact."""

from __future__ import annotations

from probe.net import events


def test_reads_past_the_cap_are_merged_into_the_last_kept_one() -> None:
    trace = events.Trace(t_zero=100.0)
    extra = 10
    for i in range(events.MAX_READS + extra):
        trace.add(events.READ, "192.0.2.1:443", None, 100.0 + i, 100.5 + i, 1000)
    trace.add(events.READ, "192.0.2.2:443", None, 100.0, 101.0, 7)
    trace.add(events.READ, "192.0.2.1:443", "generic_timeout_error", 500.0, 510.0)
    reads = [e for e in trace.events if e["address"] == "192.0.2.1:443"]
    assert len(reads) == events.MAX_READS + 1  # the failed read is always kept
    assert sum(e.get("num_bytes", 0) for e in reads) == (events.MAX_READS + extra) * 1000
    merged = reads[-2]
    assert merged["x_merged_reads"] == extra
    assert merged["t"] == events.MAX_READS + extra - 1 + 0.5
    assert reads[-1]["failure"] == "generic_timeout_error"
    assert trace.keys()["x_network_events_truncated"] is True
    assert trace.keys()["network_events"] is trace.events


def test_a_short_trace_has_no_truncation_flag() -> None:
    trace = events.Trace(t_zero=0.0)
    trace.add(events.READ, "192.0.2.1:443", None, 0.0, 0.1, 10)
    assert trace.keys() == {"network_events": trace.events}
    assert "x_merged_reads" not in trace.events[0]
