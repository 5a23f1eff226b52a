"""The schedule read off the evaluation graph is what every engine executes: phases in the
connector's order, a stage after the stages it names, ties in declaration order."""

from __future__ import annotations

import datetime as dt

from engine import api
from engine.bulk.duck import program_for
from engine.check.model import CheckedRules
from engine.graph import EvaluationGraph, Phase
from engine.records.load import load_records_text
from engine.runtime.context import Clock
from engine.runtime.cycle import run_cycle

# Hot is declared first but reads Warm, which reads Cold: evaluation order Cold, Warm, Hot;
# Other reads nothing and keeps its place among the ties.
RULES = """
object prospect { email: email score: number }
object lead { Email: email LastName: text(80) }
field email { lead: Email }
stage Hot when Warm and score >= 100
stage Other when score >= 1
stage Warm when Cold and score >= 50
stage Cold when score >= 10
create lead when Hot
validation Needs_Name on lead { error_if: ISBLANK(LastName) message: "name" }
duplicate lead by Email
"""


def _rules() -> CheckedRules:
    rules = api.check_text(RULES, "rules.sync")
    assert not rules.diagnostics
    return rules


def test_phases_come_in_the_connectors_order_with_their_nodes() -> None:
    schedule = EvaluationGraph(_rules()).schedule()
    assert [p for p, _ in schedule.phases] == [
        Phase.SHARING,
        Phase.STAGES,
        Phase.GATE,
        Phase.RESOLUTION,
        Phase.CHECKS,
    ]
    assert schedule.nodes(Phase.GATE) == ("gate:lead",)
    assert schedule.nodes(Phase.RESOLUTION) == ("mapping:email",)
    assert schedule.nodes(Phase.CHECKS) == ("validation:lead.Needs_Name", "duplicate:lead:Email")


def test_a_stage_comes_after_the_stages_it_reads_ties_as_declared() -> None:
    assert EvaluationGraph(_rules()).schedule().stages == ("Other", "Cold", "Warm", "Hot")


def test_the_reference_evaluates_stages_in_the_schedules_order() -> None:
    rules = _rules()
    records = load_records_text(
        "prospects: [{id: p1, email: a@b.io, score: 120}]\n", "records.yaml", rules
    )
    clock = Clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    result = run_cycle(rules, records, clock, explain="p1")
    steps = [s.step for s in result.explanation[0].steps if s.step.startswith("stage ")]
    assert steps == ["stage Other", "stage Cold", "stage Warm", "stage Hot"]
    # the plan still lists the stages that hold as the rule files declare them
    assert result.plan.outcomes[0].stages == ("Hot", "Other", "Warm", "Cold")


def test_the_sql_engines_compile_stages_in_the_schedules_order() -> None:
    assert program_for(_rules()).stages == ["Other", "Cold", "Warm", "Hot"]
