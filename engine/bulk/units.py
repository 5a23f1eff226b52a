"""Business units: one cycle per unit, in declaration order, over whichever engine runs.

Each Account Engagement business unit has its own prospects, its own connector and its own
Marketing Data Sharing rules, on one Salesforce org (docs/design.md, business units). A
unit's cycle is the cycle of SPEC §3 run by the chosen engine (`engines.run_engine`) over
that unit's prospects and every Salesforce record, with the unit's rules
(`CheckedRules.for_unit`: its connector and sharing), so the python, duckdb and spark
engines all give it and give the same plan. The units run one after another: each sees
the org as the units before it left it (their writes, the leads they created), as the
prospects of one cycle do (SPEC §3).

A rule set without units never comes here: `run_org` is then `run_engine` itself, and
the plan is byte for byte what it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from engine.bulk.engines import (
    DEFAULT_OPTIONS,
    EngineName,
    EngineOptions,
    EngineRun,
    run_engine,
)
from engine.check.model import BusinessUnit, CheckedRules
from engine.files import InputError
from engine.plan import FormulaProblem, NewProspect, Outcome, Plan, Target, UnitOverlap
from engine.records.model import Record, RecordSet
from engine.runtime.context import Clock

# the record-set field that names a prospect's business unit (docs/records.md)
UNIT_FIELD = "business_unit"


def unit_of(rules: CheckedRules, prospect: Record) -> BusinessUnit:
    """The unit a prospect belongs to: the one its `business_unit` names; blank means the
    first declared unit (where an org's prospects were before it had several). A name no
    unit has is an input error naming the file, the record and the field."""
    value = prospect.raw.get(UNIT_FIELD)
    if value is None or (isinstance(value, str) and not value.strip()):
        return rules.units[0]
    unit = rules.unit(value.strip()) if isinstance(value, str) else None
    if unit is None:
        declared = ", ".join(u.name for u in rules.units)
        raise InputError(
            f"{prospect.origin.describe(prospect.id)}: field {UNIT_FIELD}: no business unit "
            f"{value!r} is declared (business units: {declared})"
        )
    return unit


def prospects_by_unit(rules: CheckedRules, records: RecordSet) -> dict[str, list[Record]]:
    """Each unit's prospects, in file order; every unit is a key, in declaration order."""
    found: dict[str, list[Record]] = {u.name: [] for u in rules.units}
    for prospect in records.prospects:
        found[unit_of(rules, prospect).name].append(prospect)
    return found


@dataclass(frozen=True, slots=True)
class UnitRun:
    """One unit's cycle: the rules and record set it ran over, and what it gave."""

    unit: BusinessUnit
    rules: CheckedRules
    records: RecordSet  # the unit's prospects and the org as the earlier units left it
    run: EngineRun
    after: RecordSet  # every prospect and the org once this unit's cycle is applied


def run_units(
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    cycle: Callable[[CheckedRules, RecordSet], EngineRun],
) -> Iterator[UnitRun]:
    """Run `cycle` once per unit, in declaration order, each over the org as the units
    before it left it; yields each unit's run as it is done."""
    mine = prospects_by_unit(rules, records)
    state = records
    taken = {p.id for p in records.prospects}
    for unit in rules.units:
        lists = dict(state.lists)
        # a unit's prospects are changed by its own cycle only: as read is as they are
        lists["prospects"] = mine[unit.name]
        # the leads the units before it created are in the org under their own Ids: every
        # engine numbers this unit's new leads past them (runtime/cycle.py's numbering)
        seen = RecordSet(lists, state.layout)
        unit_rules = rules.for_unit(unit)
        run = cycle(unit_rules, seen)
        run = _own_new_ids(run, taken, unit.name)
        state = _after(state, run.records)
        yield UnitRun(unit, unit_rules, seen, run, state)


def _own_new_ids(run: EngineRun, taken: set[str], unit: str) -> EngineRun:
    """Prospects a unit creates from Salesforce get ids no prospect of any unit has (the
    engine only knew its own unit's), and name their unit so the next run keeps them there."""
    renamed: dict[str, str] = {}
    made: list[NewProspect] = []
    for new in run.plan.from_salesforce:
        fresh = new.id
        suffix = 2
        while fresh in taken:
            fresh, suffix = f"{new.id}-{suffix}", suffix + 1
        taken.add(fresh)
        renamed[new.id] = fresh
        made.append(dataclasses.replace(new, id=fresh, business_unit=unit))
    for prospect in run.records.prospects:
        if prospect.created and prospect.id in renamed:
            prospect.id = renamed[prospect.id]
            prospect.values[UNIT_FIELD] = unit
            prospect.changed.add(UNIT_FIELD)
    outcomes = tuple(dataclasses.replace(o, business_unit=unit) for o in run.plan.outcomes)
    plan = dataclasses.replace(run.plan, outcomes=outcomes, from_salesforce=tuple(made))
    return dataclasses.replace(run, plan=plan)


def _after(state: RecordSet, unit_records: RecordSet) -> RecordSet:
    """The org after a unit's cycle: its Salesforce records and its prospects as the cycle
    left them, the other units' prospects as they were, new prospects at the end."""
    lists = dict(unit_records.lists)
    updated = {p.id: p for p in unit_records.prospects if not p.created}
    created = [p for p in unit_records.prospects if p.created]
    kept = [updated.get(p.id, p) for p in state.prospects]
    lists["prospects"] = kept + created
    return RecordSet(lists, state.layout)


def python_cycle(clock: Clock) -> Callable[[CheckedRules, RecordSet], EngineRun]:
    """A unit's cycle on the Python reference: what `explain` and the report's traces
    replay to reach a unit's turn."""

    def cycle(unit_rules: CheckedRules, seen: RecordSet) -> EngineRun:
        return run_engine(unit_rules, seen, clock, EngineOptions(EngineName.PYTHON))

    return cycle


def turn_of(rules: CheckedRules, records: RecordSet, clock: Clock, unit: str) -> UnitRun:
    """The rules and record set a unit's cycle runs over: the earlier units' cycles
    applied first (on the Python reference)."""
    for unit_run in run_units(rules, records, clock, python_cycle(clock)):
        if unit_run.unit.name == unit:
            return unit_run
    raise AssertionError(f"no business unit {unit}")


def run_org(
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    options: EngineOptions = DEFAULT_OPTIONS,
    *,
    progress: Callable[[int], object] | None = None,
) -> EngineRun:
    """One cycle of the whole org: `run_engine` when the rules declare no business unit,
    else one cycle per unit (`run_units`), their plans joined in the order they ran."""
    if not rules.units:
        return run_engine(rules, records, clock, options, progress=progress)
    # `auto` picks one engine for the whole org, by its size, so every unit runs on it
    chosen = options
    if options.engine is EngineName.AUTO:
        from engine.bulk.engines import choose

        chosen = dataclasses.replace(options, engine=choose(options.engine, len(records.prospects)))
    done = 0

    def counted(n: int) -> None:
        if progress is not None:
            progress(done + n)

    def cycle(unit_rules: CheckedRules, seen: RecordSet) -> EngineRun:
        return run_engine(unit_rules, seen, clock, chosen, progress=counted)

    runs: list[UnitRun] = []
    for unit_run in run_units(rules, records, clock, cycle):
        runs.append(unit_run)
        done += len(unit_run.records.prospects)
    return _joined(rules, records, runs)


def _joined(rules: CheckedRules, records: RecordSet, runs: list[UnitRun]) -> EngineRun:
    from engine.bulk.engines import with_side_plans

    outcomes: tuple[Outcome, ...] = ()
    made: tuple[NewProspect, ...] = ()
    problems: list[FormulaProblem] = []
    for unit_run in runs:
        plan = unit_run.run.plan
        outcomes += plan.outcomes
        made += plan.from_salesforce
        problems += [p for p in plan.problems if p not in problems]
    joined = Plan(
        outcomes,
        problems=tuple(problems),
        from_salesforce=made,
        business_units=tuple(r.unit.name for r in runs),
    )
    joined = dataclasses.replace(joined, overlaps=overlaps(joined))
    # Personalization, User Sync and Campaigns are the org's, read as it was (cycle.py)
    joined = with_side_plans(rules, records, joined)
    fallback = tuple(reason for r in runs for reason in r.run.fallback)
    return EngineRun(joined, runs[-1].after, runs[-1].run.engine, fallback)


def overlaps(plan: Plan) -> tuple[UnitOverlap, ...]:
    """Salesforce records that prospects of two or more units sync with in this run: a
    matched or created record (any action with a target), or the source of a new prospect.
    In the order the records were first met."""
    seen: dict[Target, list[tuple[str, str]]] = {}
    for o in plan.outcomes:
        target = o.target or (Target("lead", o.created_id) if o.created_id else None)
        if target is not None and o.business_unit is not None:
            seen.setdefault(target, []).append((o.business_unit, o.prospect))
    for new in plan.from_salesforce:
        if new.business_unit is not None:
            seen.setdefault(new.source, []).append((new.business_unit, new.id))
    found = []
    for target, users in seen.items():
        if len({unit for unit, _ in users}) > 1:
            units = tuple(unit for unit, _ in users)
            found.append(UnitOverlap(target, units, tuple(p for _, p in users)))
    return tuple(found)


__all__ = [
    "UNIT_FIELD",
    "UnitRun",
    "overlaps",
    "prospects_by_unit",
    "python_cycle",
    "run_org",
    "run_units",
    "turn_of",
    "unit_of",
]
