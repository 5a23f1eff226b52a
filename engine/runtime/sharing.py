"""Which business units' Marketing Data Sharing admits each Salesforce record, read off the
record set as it is (no cycle run): what `lint --records` reports as overlaps."""

from __future__ import annotations

from engine.check.model import CheckedRules
from engine.records.model import RecordSet
from engine.runtime.context import Clock, RecordContext, directory
from engine.runtime.evaluate import evaluate, holds


def units_sharing(
    rules: CheckedRules, records: RecordSet, clock: Clock
) -> dict[tuple[str, str], tuple[str, ...]]:
    """(object, Id) of every lead and contact not in the recycle bin (and, for leads, not
    converted) → the units whose sharing admits it, in declaration order. A unit with no
    `share` rule for an object admits every record of it (SPEC §1); a rule that fails to
    evaluate does not hold, as in the cycle."""
    groups = directory(records.users)
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for record in (*records.leads, *records.contacts):
        if record.deleted or (record.object == "lead" and record.converted):
            continue
        ctx = RecordContext(rules, record, clock, groups)
        admitted = tuple(
            unit.name
            for unit in rules.units
            if not (shares := [s for s in unit.shares if s.object == record.object])
            or any(holds(evaluate(s.when, ctx)) for s in shares)
        )
        found[(record.object, record.id)] = admitted
    return found
