"""``probability`` at socket level: a trigger rule at 0.5 resets some flows and spares others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.labkit import lab_tls_handshake_outcome, needs_root
from probe.lab import scenario
from probe.lab.lab import Lab, running

pytestmark = [pytest.mark.lab, needs_root]
BLOCKED = "www.tumblr.com"


@pytest.fixture(scope="module")
def half_reset() -> Iterator[Lab]:
    rule = {"action": "sni-reset", "domains": [BLOCKED], "probability": 0.5}
    loaded = scenario.parse({"name": "half-reset", "rule": [rule]}, Path("half-reset.toml"))
    with running(loaded) as lab:
        yield lab


def test_half_of_the_flows_are_reset(half_reset: Lab) -> None:
    address = half_reset.addresses[BLOCKED]
    outcomes = [lab_tls_handshake_outcome(half_reset, address, BLOCKED) for _ in range(40)]
    # 40 fair coins all landing the same way: 2 in 2**40.
    assert 0 < outcomes.count("reset") < 40
    assert set(outcomes) == {"reset", "ok"}
