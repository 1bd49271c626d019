"""Before anything is built: root is required, and missing software is named with its fix."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from probe.lab import requirements, scenario
from probe.lab.errors import LabError
from probe.lab.lab import running


def _scenario(text: str, tmp_path: Path) -> scenario.Scenario:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return scenario.load(path)


def test_only_root_may_build_a_lab(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(LabError, match="needs root"), running(_scenario('name = "x"', tmp_path)):
        pass


def test_missing_programs_and_modules_print_the_install_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absent = {"unbound", "mitmdump"}
    real_which, real_spec = shutil.which, importlib.util.find_spec
    monkeypatch.setattr(shutil, "which", lambda p: None if p in absent else real_which(p))
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda m: None if m == "netfilterqueue" else real_spec(m)
    )
    needs_all = _scenario(
        'name = "x"\nlatency = "10ms"\n[[rule]]\naction = "tls-mitm"\ndomains = ["a.kz"]\n',
        tmp_path,
    )
    with pytest.raises(LabError) as caught:
        requirements.check(needs_all)
    message = str(caught.value)
    assert "apt-get install -y build-essential libnetfilter-queue-dev mitmproxy unbound" in message
    assert "-m pip install netfilterqueue" in message


def test_optional_software_is_only_required_by_scenarios_that_use_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda p: None if p == "mitmdump" else real_which(p))
    monkeypatch.setattr(importlib.util, "find_spec", lambda m: None)
    plain = _scenario('name = "x"\n[[rule]]\naction = "sni-reset"\ndomains = ["a.kz"]\n', tmp_path)
    requirements.check(plain)  # neither mitmproxy nor any Python extra is needed
    with pytest.raises(LabError, match="scapy netfilterqueue"):
        requirements.check(
            _scenario('name = "x"\n[[rule]]\naction = "dns-inject"\ndomains = ["a.kz"]\n', tmp_path)
        )
