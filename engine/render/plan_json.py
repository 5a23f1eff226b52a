"""`dry-run --format json`: one object, exactly the shape SPEC §4 shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring as _string  # the C function
from typing import TYPE_CHECKING, Any

from engine.plan import (
    CREATE_PROSPECT,
    Action,
    CampaignLink,
    Failure,
    FormulaProblem,
    NewProspect,
    Outcome,
    Plan,
    PzOutcome,
    UserAccess,
)
from engine.render.values import json_value, write_value

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows


def _failure(failure: Failure) -> dict[str, Any]:
    return {
        "error_code": failure.code.value,
        "rule": failure.rule,
        "message": failure.message,
        "fields": list(failure.fields),
    }


def problem(p: FormulaProblem) -> dict[str, Any]:
    return {"rule": p.rule, "record": p.record, "message": p.message, "location": p.location}


def outcome(o: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"prospect": o.prospect, "action": o.action.value}
    if o.business_unit is not None:  # only when the rules declare business units
        entry = {"prospect": o.prospect, "business_unit": o.business_unit} | entry
    if o.reason is not None:
        entry["reason"] = o.reason.value
    if o.target is not None and o.action is not Action.SKIP:
        entry["target"] = {"object": o.target.object, "id": o.target.id}
        entry["matched_by"] = o.matched_by
    if o.error is not None:
        entry |= _failure(o.error)
        entry["errors"] = [_failure(f) for f in o.failures]
    entry["stages"] = list(o.stages)
    if o.action in (Action.UPDATE, Action.NO_CHANGE, Action.CREATE_LEAD):
        entry["to_salesforce"] = {k: write_value(v) for k, v in o.to_salesforce}
        entry["to_pardot"] = {k: write_value(v) for k, v in o.to_pardot}
    if o.action is not Action.SKIP:
        entry["dropped"] = [
            {"field": d.field, "code": d.code.value, "value": json_value(d.value)}
            for d in o.dropped
        ]
    if o.owner is not None:  # an owner decision beyond SPEC §3.4's (docs/design.md)
        entry["owner"] = {"decision": o.owner.decision.value, "id": o.owner.id}
    if o.problems:
        entry["formula_errors"] = [problem(p) for p in o.problems]
    return entry


def new_prospect(n: NewProspect) -> dict[str, Any]:
    """SPEC §4: `{"source", "action": "create_prospect", "to_pardot", "dropped"}`; with
    business units, `business_unit` (the unit that creates it) after `source`."""
    unit = {} if n.business_unit is None else {"business_unit": n.business_unit}
    return {
        "source": {"object": n.source.object, "id": n.source.id},
        **unit,
        "action": CREATE_PROSPECT,
        "to_pardot": {k: write_value(v) for k, v in n.to_pardot},
        "dropped": [
            {"field": d.field, "code": d.code.value, "value": json_value(d.value)}
            for d in n.dropped
        ],
    }


def as_dict(plan: Plan) -> dict[str, Any]:
    return _top(plan, [outcome(o) for o in plan.outcomes])


def _top(plan: Plan, records: object) -> dict[str, Any]:
    data: dict[str, Any] = {
        "summary": plan.counts(),
        "records": records,
        "prospects_from_salesforce": [new_prospect(n) for n in plan.from_salesforce],
    }
    if plan.business_units:  # docs/plan-formats.md, business units
        data["business_units"] = units(plan)
        data["business_unit_overlaps"] = overlaps(plan)
    if plan.problems:
        data["formula_errors"] = [problem(p) for p in plan.problems]
    if plan.personalization is not None:
        data["personalization"] = [personalization(p) for p in plan.personalization]
    if plan.user_sync is not None:
        data["user_sync"] = [user_access(u) for u in plan.user_sync]
    if plan.campaigns is not None:
        data["campaigns"] = [campaign(c) for c in plan.campaigns]
    return data


def units(plan: Plan) -> list[dict[str, Any]]:
    """Each business unit's summary, in the order the units ran."""
    return [{"name": name, "summary": plan.for_unit(name).counts()} for name in plan.business_units]


def overlaps(plan: Plan) -> list[dict[str, Any]]:
    """The Salesforce records prospects of more than one unit synced with."""
    return [
        {
            "target": {"object": o.target.object, "id": o.target.id},
            "units": list(o.units),
            "prospects": list(o.prospects),
        }
        for o in plan.overlaps
    ]


def user_access(u: UserAccess) -> dict[str, Any]:
    """`{"user", "name", "profile", "action", "role", "current_role", "reason"?}`; a role
    is null when the user has no AE user."""
    entry: dict[str, Any] = {
        "user": u.user,
        "name": u.name,
        "profile": u.profile,
        "action": u.action,
        "role": u.role,
        "current_role": u.current,
    }
    if u.reason is not None:
        entry["reason"] = u.reason
    return entry


def campaign(c: CampaignLink) -> dict[str, Any]:
    """`{"campaign", "action", "pardot_campaign", "salesforce_campaign", "declared", "reason"?}`."""
    entry: dict[str, Any] = {
        "campaign": c.name,
        "action": c.action,
        "pardot_campaign": c.pardot_campaign,
        "salesforce_campaign": c.salesforce_campaign,
        "declared": c.declared,
    }
    if c.reason is not None:
        entry["reason"] = c.reason
    return entry


def personalization(p: PzOutcome) -> dict[str, Any]:
    """SPEC §6: `{"user" | "account": ID, "action", "target", "matched_by", "reason"}`."""
    entry: dict[str, Any] = {p.kind: p.id, "action": p.action}
    if p.target is not None:
        entry["target"] = {"object": p.target.object, "id": p.target.id}
        entry["matched_by"] = p.matched_by
    if p.reason is not None:
        entry["reason"] = p.reason
    return entry


def render(plan: Plan, extra: dict[str, Any] | None = None) -> str:
    chunks: list[str] = []
    write(plan, chunks.append, extra)
    return "".join(chunks)


_STREAMED = object()  # where the records go: written one by one, never held as text


def write(plan: Plan, out: Callable[[str], object], extra: dict[str, Any] | None = None) -> None:
    """The JSON plan, byte for byte what `json.dumps(as_dict(plan) | extra, indent=2,
    ensure_ascii=False)` gives plus a newline, handed to `out` a record at a time: a plan
    of a million prospects streams to a file without its text ever being held whole."""
    data = _top(plan, _STREAMED) | (extra or {})
    sep = "{\n"
    for key, value in data.items():
        out(f"{sep}  {_string(key)}: ")
        sep = ",\n"
        if value is not _STREAMED:
            out(pretty(value, "  "))
        elif not plan.outcomes:
            out("[]")
        else:
            lead = "[\n    "
            for o in plan.outcomes:
                out(lead + pretty(outcome(o), "    "))
                lead = ",\n    "
            out("\n  ]")
    out("\n}\n" if data else "{}\n")


def write_rows(rows: PlanRows, out: Callable[[bytes | memoryview], object]) -> None:
    """`write` of a direct-path plan left as rows in DuckDB (bulk/plan_rows.py): the
    same bytes, handed to `out` as UTF-8 — each batch of records the bytes SQL wrote
    (`PlanRows.entry_bytes`), never decoded, and the few records SQL leaves to Python
    rendered here from their Outcome — then the prospects from Salesforce (few: built
    by the reference). The direct path has no formula errors or side plans."""
    out(("{\n  " + _string("summary") + ": " + pretty(rows.counts(), "  ")).encode())
    out((",\n  " + _string("records") + ": ").encode())
    first = True
    for pieces in rows.entry_bytes("json", _entry):
        for piece in pieces:
            if first:  # the first record's ",\n" opens the list
                out(b"[\n")
                piece = piece[2:]
                first = False
            out(piece)
    out(b"[]" if first else b"\n  ]")
    created = [new_prospect(n) for n in rows.from_salesforce]
    tail = ",\n  " + _string("prospects_from_salesforce") + ": " + pretty(created, "  ") + "\n}\n"
    out(tail.encode())


def _entry(o: Outcome) -> str:
    """A record of the JSON plan as `write_rows` writes it: its separator and indent."""
    return ",\n    " + pretty(outcome(o), "    ")


def pretty(value: Any, pad: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` nested at `pad`, with strings
    escaped by the json module's C encoder: for `indent`, json.dumps falls back to its
    pure-Python encoder, a generator per container (issue 10)."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = pad + "  "
        items = ",\n".join(f"{inner}{_string(k)}: {pretty(v, inner)}" for k, v in value.items())
        return f"{{\n{items}\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = pad + "  "
        items = ",\n".join(inner + pretty(v, inner) for v in value)
        return f"[\n{items}\n{pad}]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # floats (NaN, Infinity), int subclasses
