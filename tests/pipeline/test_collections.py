"""While a run measures, start-up's objects are left out of collections and the youngest
generation is collected less often; afterwards the collector is as it was."""

from __future__ import annotations

import gc

from probe.pipeline.run import YOUNG_THRESHOLD, fewer_collections


def test_a_run_collects_less_often_and_restores_the_collector() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # cycles made while measuring are still collected
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
