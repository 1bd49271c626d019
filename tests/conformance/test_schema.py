"""Every key the probe writes has the name, type and values ooni/spec gives it (or ``x_``)."""

from __future__ import annotations

import copy

from conformance.checks import mismatches
from conformance.corpus import NETTESTS, Corpus
from conformance.ooni_schema import FAILURE_STRINGS, TEST_KEYS
from probe.net import errors


def test_every_nettest_has_a_schema() -> None:
    assert set(TEST_KEYS) == set(NETTESTS)


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
