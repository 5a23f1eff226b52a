"""The bulk engines against the Python reference: the same plan, byte for byte."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from engine.bulk.duck import DuckEngine
from engine.bulk.engines import with_side_plans
from engine.bulk.sql import CannotEvaluate
from engine.check.model import CheckedRules
from engine.plan import Plan
from engine.records.model import RecordSet
from engine.render import plan_json, plan_table
from engine.runtime.context import Clock
from engine.runtime.cycle import run_cycle
from engine.runtime.person import person_view


def python_plan(rules: CheckedRules, records: RecordSet, now: dt.datetime) -> Plan:
    return run_cycle(rules, records, Clock(now)).plan


class BulkEngine(Protocol):
    def plan(self, records: RecordSet, clock: Clock) -> Plan: ...


def bulk_plan(
    engine: Callable[[CheckedRules], BulkEngine],
    rules: CheckedRules,
    records: RecordSet,
    now: dt.datetime,
) -> Plan | None:
    """A bulk engine's plan as run_engine makes it (person accounts as contacts, the side
    plans from the org as it was), or None when it says it cannot evaluate this cycle."""
    seen, view = person_view(rules, records)
    try:
        return with_side_plans(rules, records, engine(seen).plan(view, Clock(now)))
    except CannotEvaluate:
        return None


def duckdb_plan(rules: CheckedRules, records: RecordSet, now: dt.datetime) -> Plan | None:
    """DuckDB's plan, or None when it says it cannot evaluate this cycle."""
    return bulk_plan(DuckEngine, rules, records, now)


def assert_same_plans(rules: CheckedRules, records: RecordSet, now: dt.datetime) -> bool:
    """DuckDB's plan renders exactly as the reference's (JSON and table); False when
    DuckDB declined (it said what it cannot evaluate)."""
    reference = python_plan(rules, records, now)
    bulk = duckdb_plan(rules, records, now)
    if bulk is None:
        return False
    assert plan_json.render(bulk) == plan_json.render(reference)
    assert plan_table.render(bulk, False) == plan_table.render(reference, False)
    return True
