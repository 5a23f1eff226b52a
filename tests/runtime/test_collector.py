"""A cycle runs with the cyclic garbage collector paused and leaves it as it found it
(engine/deep.collector_paused; issue 10: collections walking every record and outcome
already built were a large share of a big dry-run's CPU)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.plan import Action, Plan
from engine.runtime import cycle
from engine.runtime.context import Clock

from .helpers import NOW, records_of, rules_of

RECORDS = """\
prospects:
  - {id: p1, email: ada@example.com, score: 120, last_name: Lovelace, company: Analytical}
"""


def test_the_cycle_runs_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = rules_of("stage MQL when score >= 100\ncreate lead when MQL\n")
    records = records_of(tmp_path, rules, RECORDS)
    seen: list[bool] = []
    run = cycle._Cycle.run

    def spy(self: cycle._Cycle, progress: Callable[[int], object] | None = None) -> Plan:
        seen.append(gc.isenabled())
        return run(self, progress)

    monkeypatch.setattr(cycle._Cycle, "run", spy)
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        result = cycle.run_cycle(rules, records, Clock(NOW))
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()
    assert seen == [False]
    assert [o.action for o in result.plan.outcomes] == [Action.CREATE_LEAD]
