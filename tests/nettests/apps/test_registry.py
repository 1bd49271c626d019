"""The registry the CLI reads: names, descriptions, built-in inputs, suites."""

from __future__ import annotations

import subprocess
import sys

import pytest

from probe.nettests import registry, tor, web_connectivity
from probe.nettests.messaging import telegram


def test_every_test_is_registered_with_its_module_metadata() -> None:
    names = list(registry.nettests())
    assert names == sorted(names)
    assert set(names) >= {
        "censor_locate",
        "dns_injection",
        "facebook_messenger",
        "signal",
        "telegram",
        "tor",
        "viber",
        "web_connectivity",
        "whatsapp",
    }
    assert not registry.get("censor_locate").builtin_inputs
    entry = registry.get("telegram")
    assert (entry.version, entry.description) == (telegram.TEST_VERSION, telegram.DESCRIPTION)
    assert entry.measure is telegram.measure and entry.builtin_inputs
    assert registry.get("tor").measure is tor.measure
    assert not registry.get("web_connectivity").builtin_inputs
    assert registry.get("web_connectivity").measure is web_connectivity.measure


def test_select_prefers_explicit_tests_then_the_lists_suite() -> None:
    names = [t.name for t in registry.select(["tor", "signal", "tor"], "kz")]
    assert names == ["tor", "signal"]
    assert [t.name for t in registry.select([], "kz")] == list(registry.SUITES["kz"])
    assert [t.name for t in registry.select([], "global")] == ["web_connectivity"]
    assert [t.name for t in registry.select([], None)] == ["web_connectivity"]


def test_unknown_test_lists_the_known_ones() -> None:
    with pytest.raises(registry.UnknownNettest) as caught:
        registry.select(["wechat"], None)
    assert "unknown test 'wechat'" in str(caught.value) and "facebook_messenger" in str(
        caught.value
    )


def test_starting_the_cli_does_not_load_scapy() -> None:
    """censor_locate's raw-packet parsing is imported on use; every command starts fast."""
    code = "import sys, probe.cli.app; sys.exit('scapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
