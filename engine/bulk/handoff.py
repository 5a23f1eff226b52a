"""Explain's hand-off from the bulk engines: one prospect's turn, by the reference.

`explain` is the reference's account of one prospect (SPEC §4). On a big record set the
reference need not run the whole cycle for it: the bulk engines plan in rounds over
components (duck.py), and a prospect sees only what its component reaches — its
records by CRM id and email key, as the component's earlier prospects left them. So the
reference runs on the prospect's component: every Salesforce record as the record set
holds it, the component's prospects (all of them: one linked to a merge's master counts
whatever its id), those up to the prospect evaluated in id order. Created leads take the
Ids the bulk plan gives them: before each prospect, the next Id is one past the last
the plan created before it (duck.LeadIds: skipping the Ids existing leads hold). What
other components write cannot reach this prospect — the engines decline a cycle where it
could (a write to an email or duplicate key, created leads sharing a duplicate key) — so
the outcome is the bulk plan's row, and the steps are the reference's
(tests/bulk/test_handoff.py holds the two equal).
"""

from __future__ import annotations

from engine.bulk.duck import DuckEngine, LeadIds, Links, by_email, components
from engine.check.model import CheckedRules
from engine.plan import Action, Outcome, Plan, Step
from engine.records.model import RecordSet
from engine.runtime.context import Clock
from engine.runtime.cycle import _Cycle, _working_copy
from engine.runtime.person import person_view


def explain(
    rules: CheckedRules, records: RecordSet, prospect: str, clock: Clock
) -> tuple[Outcome, tuple[Step, ...]]:
    """DuckDB's plan, then the reference on `prospect`'s turn (CannotEvaluate: DuckDB
    cannot evaluate this cycle)."""
    seen, view = person_view(rules, records)
    plan = DuckEngine(seen).plan(view, clock)
    return at_turn(rules, records, plan, prospect, clock)


def at_turn(
    rules: CheckedRules, records: RecordSet, plan: Plan, prospect: str, clock: Clock
) -> tuple[Outcome, tuple[Step, ...]]:
    """The reference's outcome and steps for `prospect`, on its component of the record
    set as a bulk `plan` left it at that prospect's turn."""
    seen, view = person_view(rules, records)  # as run_engine hands the bulk engines
    links = Links(view)
    resolved = {p.id: links.resolve(p) for p in view.prospects}
    component = components(seen, view, by_email(seen), resolved)
    mine = component[prospect]
    before: dict[str, int] = {}
    created = 0
    for o in plan.outcomes:  # in prospect id order
        before[o.prospect] = created
        created += o.action is Action.CREATE_LEAD
    ids = LeadIds.of(view.leads)
    group = [p for p in view.prospects if component[p.id] == mine]
    small = RecordSet({**view.lists, "prospects": group}, view.layout)
    cycle = _Cycle(seen, _working_copy(small), clock, prospect)
    outcome: Outcome | None = None
    for p in sorted(cycle.records.prospects, key=lambda r: r.id):
        if p.id > prospect:
            break
        # one past the Id of the last lead the plan created before it (none: the first)
        cycle.next_lead = ids.number(before[p.id]) + 1 if before[p.id] else 1
        outcome = cycle.prospect(p)
    assert outcome is not None
    assert outcome.prospect == prospect
    steps = tuple(cycle.explainers[0].steps) if cycle.explainers else ()
    return outcome, steps
