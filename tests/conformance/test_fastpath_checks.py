"""The checks OONI's fastpath makes before it scores a measurement, which otherwise discards it as
a probe bug (accuracy 0). Facts read from ooni/backend's fastpath/core.py; docs/conformance.md
has the run of fastpath's own scoring on this output."""

from __future__ import annotations

from packaging.version import Version

from conformance.corpus import Corpus


def test_tor_targets_carry_failure_and_network_events(corpus: Corpus) -> None:
    [tor] = corpus.of("tor")
    targets = tor["test_keys"]["targets"]
    assert isinstance(targets, dict) and targets
    for target in targets.values():
        assert "failure" in target and target["failure"] != ""
        assert isinstance(target["network_events"], list)


def test_signal_passes_the_version_and_failure_gates(corpus: Corpus) -> None:
    [signal] = corpus.of("signal")
    keys = signal["test_keys"]
    # fastpath reads a missing key as True, and any true value as a failed measurement.
    assert keys["failure"] is None and keys["failed_operation"] is None
    assert Version(signal["test_version"]) > Version("0.2.4")
    assert Version(signal["annotations"]["engine_version"]) >= Version("3.17.2")
    assert keys["signal_backend_status"] in ("ok", "blocked")


def test_web_connectivity_blocking_is_one_fastpath_scores(corpus: Corpus) -> None:
    for record in corpus.of("web_connectivity"):
        keys = record["test_keys"]
        assert keys["blocking"] in (False, None, "tcp_ip", "dns", "http-diff", "http-failure")
        assert keys["title_match"] in (True, False, None)


def test_app_tests_carry_the_urlgetter_keys(corpus: Corpus) -> None:
    for name in ("whatsapp", "telegram", "signal", "facebook_messenger"):
        [record] = corpus.of(name)
        keys = record["test_keys"]
        assert "failure" in keys and "failed_operation" in keys, name
        assert not any(
            str(v).startswith("unknown_failure") for k, v in keys.items() if k.endswith("_failure")
        ), name
        assert all("url" in r["request"] for r in keys["requests"]), name
