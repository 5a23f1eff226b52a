"""`dry-run --format jsonl`: the plan as JSON Lines, for pipelines (docs/plan-formats.md).

One compact JSON object per line, each with `"section"` first: the summary, then one line
per entry of the JSON plan's lists in their order there (`records`,
`prospects_from_salesforce`, `formula_errors`, `personalization`, `user_sync`,
`campaigns`), each the same object as in the JSON plan. Lines are written one at a time by
the json module's C encoder, so a plan of a million prospects is never held as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from engine.plan import Outcome, Plan
from engine.render import plan_json

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _line(section: str, entry: dict[str, Any]) -> str:
    return _encode({"section": section} | entry) + "\n"


def write(plan: Plan, out: Callable[[str], object]) -> None:
    out(_line("summary", plan.counts()))
    sections: list[tuple[str, Iterable[dict[str, Any]]]] = [
        ("records", (plan_json.outcome(o) for o in plan.outcomes)),
        ("prospects_from_salesforce", map(plan_json.new_prospect, plan.from_salesforce)),
        *_units(plan),
        ("formula_errors", map(plan_json.problem, plan.problems)),
        ("personalization", map(plan_json.personalization, plan.personalization or ())),
        ("user_sync", map(plan_json.user_access, plan.user_sync or ())),
        ("campaigns", map(plan_json.campaign, plan.campaigns or ())),
    ]
    for section, entries in sections:
        for entry in entries:
            out(_line(section, entry))


def _units(plan: Plan) -> list[tuple[str, Iterable[dict[str, Any]]]]:
    """With business units: a line per unit (its summary) and per overlapping record."""
    if not plan.business_units:
        return []
    return [
        ("business_units", plan_json.units(plan)),
        ("business_unit_overlaps", plan_json.overlaps(plan)),
    ]


def write_rows(rows: PlanRows, out: Callable[[bytes | memoryview], object]) -> None:
    """`write` of a direct-path plan left as rows in DuckDB (bulk/plan_rows.py), handed
    to `out` as UTF-8: each batch's lines the bytes SQL wrote them in
    (`PlanRows.entry_bytes`), the few it leaves to Python from their Outcome."""
    out(_line("summary", rows.counts()).encode())
    for pieces in rows.entry_bytes("jsonl", _record):
        for piece in pieces:
            out(piece)
    for n in rows.from_salesforce:
        out(_line("prospects_from_salesforce", plan_json.new_prospect(n)).encode())


def _record(o: Outcome) -> str:
    return _line("records", plan_json.outcome(o))


def render(plan: Plan) -> str:
    chunks: list[str] = []
    write(plan, chunks.append)
    return "".join(chunks)
