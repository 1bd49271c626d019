"""Every key the probe writes has the name, type and values ooni/spec gives it (or ``x_``)."""

from __future__ import annotations

import copy

from conformance.checks import mismatches
from conformance.corpus import NETTESTS, Corpus
from conformance.ooni_schema import FAILURE_STRINGS, TEST_KEYS
from probe.net import errors
from probe.nettests.registry import nettests

LAB_ONLY = {"censor_locate"}
"""Raw packets need root and a path with routers: its files are checked in the lab
(tests/packets/test_run_packet_tests.py)."""


def test_every_nettest_has_a_schema_and_real_output_checked() -> None:
    """Every test `probe run --test` accepts has a schema, and real output checked (loopback or
    lab)."""
    assert set(TEST_KEYS) == set(nettests())
    assert set(NETTESTS) | LAB_ONLY == set(nettests())


def test_every_measurement_matches_ooni_spec(corpus: Corpus) -> None:
    assert [m for record in corpus.records for m in mismatches(record)] == []


def test_every_failure_string_of_the_probe_is_ooni_s() -> None:
    written = {
        value
        for name, value in vars(errors).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }
    prefixed = {f for f in written if f.startswith(errors.UNKNOWN_FAILURE)}
    assert written - prefixed <= FAILURE_STRINGS
    assert prefixed == {errors.UNKNOWN_FAILURE, *errors.KNOWN_UNKNOWNS}


def test_the_schema_finds_what_ooni_would_not_read(corpus: Corpus) -> None:
    """The check can fail: an unknown key, a failure string df-007 lacks, a null port."""
    record = copy.deepcopy(next(r for r in corpus.of("tor")))
    target = next(iter(record["test_keys"]["targets"].values()))
    target["blocked"] = True
    target["failure"] = "dns_server_failure"
    target["tcp_connect"][0]["port"] = None
    found = mismatches(record)
    assert len(found) == 3, found
    assert any("'blocked' does not match" in m for m in found)
    assert any(m.endswith("tcp_connect.0.port: None is not of type 'integer'") for m in found)


def test_the_schema_wants_one_any_query_from_getaddrinfo(corpus: Corpus) -> None:
    record = copy.deepcopy(
        next(r for r in corpus.of("web_connectivity") if r["test_keys"]["queries"])
    )
    query = record["test_keys"]["queries"][0]
    query["engine"], query["query_type"] = "getaddrinfo", "A"
    assert mismatches(record) == [
        "web_connectivity test_keys.queries.0.query_type: 'ANY' was expected"
    ]
