"""`diff` on the direct path: two rule versions' plans compared as rows (issue 10).

Each version plans the cycle over the record files DuckDB reads itself (`direct.py`), its
plan left as rows (`plan_rows.PlanRows`). The rows are compared through the entry each
writes in SQL (`plan_text.py`, the JSON Lines record): a prospect whose two entries are the
same text has the same action, reason, target, writes, error and stages, so it has not
changed, and no `Outcome` is built for it. Only the prospects whose entries differ — or
whose entry SQL leaves to Python — get an `Outcome` per version, built by the reference's
code as the plan builds them, and `plan.compare_plans` decides on those exactly as it does
for whole plans. So the renderers get the same `Change`s as from two Python plans.

One case breaks "same text, same outcome": a field whose type differs between the versions
(a date in one, text in the other) writes one value as the same JSON text with two Python
types, which `compare_plans` tells apart. Then every row gets its Outcomes
(`PlanRows.plan()`): still no record loaded in Python.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine.bulk.plan_rows import PlanRows
from engine.check.model import CheckedRules
from engine.plan import Change, Outcome, Plan, compare_plans

Row = tuple[str | None, Outcome | None]  # an entry's text, or the Outcome Python built
CHUNK = 10_000  # rows whose Outcomes are built in one query


def compare(before: PlanRows, after: PlanRows) -> tuple[tuple[Change, ...], int]:
    """The Changes between two direct-path plans of one record set, and how many
    prospects were compared (as `api.diff` gives them from two Plans)."""
    if not same_types(before.rules, after.rules):
        return compare_plans(before.plan(), after.plan()), after.tally["prospects"]
    changes: list[Change] = []
    pending: list[tuple[int, Row, Row]] = []
    for rank, (a, b) in enumerate(zip(_rows(before), _rows(after), strict=True), 1):
        if a[0] is not None and a[0] == b[0]:
            continue  # the same entry: nothing compare_plans looks at differs
        pending.append((rank, a, b))
        if len(pending) >= CHUNK:
            changes.extend(_changed(before, after, pending))
            pending.clear()
    changes.extend(_changed(before, after, pending))
    # SPEC §3.9: the prospects each version creates from Salesforce, after the records'
    created = (Plan((), from_salesforce=rows.from_salesforce) for rows in (before, after))
    changes.extend(compare_plans(*created))
    return tuple(changes), after.tally["prospects"]


def same_types(old: CheckedRules, new: CheckedRules) -> bool:
    """Whether every field both versions declare on the synced objects has one kind in
    both (then an entry's text is the same only for equal values)."""
    for obj in ("prospect", "lead", "contact"):
        ours, theirs = old.object(obj), new.object(obj)
        for name in ours.fields.keys() & theirs.fields.keys():
            if ours.fields[name].type.kind is not theirs.fields[name].type.kind:
                return False
    return True


def _rows(rows: PlanRows) -> Iterator[Row]:
    """Each prospect's entry text (compact, as JSON Lines writes it), in prospect order,
    or the Outcome built in Python where the SQL does not write it."""
    for texts, built in rows.entries("jsonl"):
        for i, text in enumerate(texts):
            yield text, built.get(i)


def _changed(
    before: PlanRows, after: PlanRows, pending: list[tuple[int, Row, Row]]
) -> tuple[Change, ...]:
    """compare_plans over the pending rows' Outcomes, each built once."""
    if not pending:
        return ()
    old = _outcomes(before, [(rank, a) for rank, a, _ in pending])
    new = _outcomes(after, [(rank, b) for rank, _, b in pending])
    return compare_plans(Plan(old), Plan(new))


def _outcomes(rows: PlanRows, pending: list[tuple[int, Row]]) -> tuple[Outcome, ...]:
    """Each pending row's Outcome: the one already built, else built now (one query)."""
    missing = [rank for rank, (_, built) in pending if built is None]
    made = iter(rows._outcomes(missing) if missing else ())
    return tuple(built or next(made) for _, (_, built) in pending)


__all__ = ["compare", "same_types"]
