"""`dry-run --format html` / `run --report`: the plan of one cycle as one self-contained page.

A pure function of the plan and plain data the API prepares (explain traces, the fields
each rule reads): this module never runs a cycle or reads the rules itself.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from engine.plan import Action, Outcome, Plan, Step
from engine.render import flow, html, plan_json


@dataclass(frozen=True, slots=True)
class ReportOptions:
    title: str = "syncrules dry-run"
    subtitle: str = ""  # e.g. the rules and records it was made from
    traces: Mapping[str, Sequence[Step]] = field(default_factory=dict)
    rule_reads: Mapping[str, Sequence[str]] = field(default_factory=dict)
    explain_command: str = "syncrules explain RULES --records PATH --prospect {id}"
    page_size: int = 50
    # past this many prospects, only the traced ones carry their full result in the page
    # (the rest: the table's columns and the explain command), so 100,000 rows stay small
    detail_limit: int = 20_000


# Where each skip reason leaves the cycle (SPEC §3): the column of the flow it ends in.
_EXITS = {"paused": "paused", "crm_deleted": "deleted", "not_shared": "not_shared"}

_NODES: tuple[tuple[str, int, str, str, str], ...] = (
    ("all", 0, "prospects", "neutral", "every prospect of the record set"),
    ("paused", 1, "paused", "skip", "the connector is paused: nothing syncs"),
    ("running", 1, "running", "neutral", "the connector is not paused"),
    ("deleted", 2, "deleted in SF", "skip", "crm_deleted, or the linked record is"),
    ("present", 2, "not deleted", "neutral", ""),
    ("not_shared", 3, "not shared", "skip", "the linked record is outside its share rule"),
    ("visible", 3, "visible", "neutral", ""),
    ("crm_id", 4, "by CRM id", "neutral", "matched by crm_contact_fid / crm_lead_fid"),
    ("email", 4, "by email", "neutral", "matched by email (match: email)"),
    ("unmatched", 4, "unmatched", "neutral", ""),
    ("existing", 5, "matched", "neutral", "a matched record: no gate"),
    ("gated", 5, "gated", "skip", "the create gate does not hold"),
    ("gate", 5, "gate holds", "neutral", "the create gate holds: a new lead"),
    ("error", 6, "error", "error", "a Salesforce check rejects the write"),
    ("passed", 6, "checks pass", "neutral", ""),
    ("create_lead", 7, "create_lead", "create_lead", ""),
    ("update", 7, "update", "update", ""),
    ("no_change", 7, "no_change", "no_change", ""),
)


def _path(o: Outcome) -> list[str]:
    """The flow nodes one prospect passes through, in cycle order."""
    reason = o.reason.value if o.reason is not None else None
    path = ["all"]
    for exit_node, before in (("paused", "running"), ("deleted", "present")):
        if reason is not None and _EXITS.get(reason) == exit_node:
            return [*path, exit_node]
        path.append(before)
    if reason == "not_shared":
        return [*path, "not_shared"]
    path.append("visible")
    if o.target is not None and o.action is not Action.SKIP and o.matched_by:
        path += [o.matched_by if o.matched_by in ("crm_id", "email") else "email", "existing"]
    else:
        path.append("unmatched")
        if o.action is Action.SKIP:
            return [*path, "gated"]
        path.append("gate")
    if o.action is Action.ERROR:
        return [*path, "error"]
    return [*path, "passed", o.action.value]


def cycle_flow(plan: Plan) -> tuple[list[flow.FlowNode], list[flow.FlowLink]]:
    visits: Counter[str] = Counter()
    steps: Counter[tuple[str, str]] = Counter()
    for o in plan.outcomes:
        path = _path(o)
        visits.update(path)
        steps.update(itertools.pairwise(path))
    nodes = [
        flow.FlowNode(node_id, column, label, visits[node_id], tone, note)
        for node_id, column, label, tone, note in _NODES
    ]
    order = {n[0]: i for i, n in enumerate(_NODES)}
    links = [
        flow.FlowLink(a, b, n)
        for (a, b), n in sorted(steps.items(), key=lambda s: (order[s[0][0]], order[s[0][1]]))
    ]
    return nodes, links


def _detail(entry: Mapping[str, Any]) -> str:
    if "reason" in entry:
        return str(entry["reason"])
    return str(entry.get("error_code", ""))


def _row(o: Outcome, entry: Mapping[str, Any], traced: bool) -> list[object]:
    target = entry.get("target")
    return [
        o.prospect,
        o.action.value,
        _detail(entry),
        entry.get("rule") or "",
        f"{target['object']} {target['id']}" if target else "",
        entry.get("matched_by") or "",
        ", ".join(o.stages),
        len(o.to_salesforce),
        len(o.to_pardot),
        len(o.dropped),
        _owner(entry),
        1 if traced else 0,
    ]


def _owner(entry: Mapping[str, Any]) -> str:
    """The plan's owner decision ('queue 00G1', 'assignment_rule'); '' for SPEC §3.4's own,
    which the OwnerId written already shows."""
    owner = entry.get("owner")
    if not owner:
        return ""
    return f"{owner['decision']} {owner['id']}" if owner.get("id") else str(owner["decision"])


def _errors(plan: Plan, options: ReportOptions) -> list[dict[str, object]]:
    """Errors by code, then by rule: counts, the fields each rule reads and reports."""
    by_code: dict[str, dict[str, list[Outcome]]] = {}
    for o in plan.outcomes:
        if o.error is not None:
            per_rule = by_code.setdefault(o.error.code.value, {})
            per_rule.setdefault(o.error.rule or "", []).append(o)
    groups: list[dict[str, object]] = []
    for code in sorted(by_code):
        rules: list[dict[str, object]] = []
        total = 0
        for rule in sorted(by_code[code]):
            hits = by_code[code][rule]
            total += len(hits)
            first = hits[0].error
            rules.append(
                {
                    "rule": rule,
                    "count": len(hits),
                    "reads": list(options.rule_reads.get(rule, ())),
                    "fields": sorted({f for o in hits if o.error for f in o.error.fields}),
                    "message": first.message if first else "",
                }
            )
        groups.append({"code": code, "count": total, "rules": rules})
    return groups


def _unit_rows(plan: Plan) -> list[list[object]]:
    """Each business unit's counts, in the order the units ran (none without units)."""
    rows: list[list[object]] = []
    for name in plan.business_units:
        counts = plan.for_unit(name).counts()
        rows.append([name, counts["prospects"], *(counts[a.value] for a in Action)])
        rows[-1].append(counts["create_prospect"])
    return rows


def _traces(options: ReportOptions) -> dict[str, list[list[object]]]:
    return {
        prospect: [[s.step, s.summary, list(s.details)] for s in steps]
        for prospect, steps in sorted(options.traces.items())
    }


def render(plan: Plan, options: ReportOptions | None = None) -> str:
    """The whole report page (HTML5, UTF-8), byte for byte the same for the same input."""
    options = options or ReportOptions()
    data = plan_json.as_dict(plan)
    entries = data["records"]
    rows = [
        _row(o, entry, o.prospect in options.traces)
        for o, entry in zip(plan.outcomes, entries, strict=True)
    ]
    nodes, links = cycle_flow(plan)
    picture = flow.svg(nodes, links, title="How the prospects go through the cycle")
    counts = plan.counts()
    from_sf = data.get("prospects_from_salesforce", [])
    return html.render(
        "report.html.j2",
        title=options.title,
        subtitle=options.subtitle,
        counts=counts,
        actions=[a.value for a in Action],
        reasons=plan.reasons(),
        flow_svg=Markup(picture),
        errors=_errors(plan, options),
        formula_errors=[
            [p["rule"], p["record"], p["message"], p["location"]]
            for p in data.get("formula_errors", [])
        ],
        from_salesforce=from_sf,
        business_units=_unit_rows(plan),
        unit_overlaps=[
            [f"{o.target.object} {o.target.id}", ", ".join(o.units), ", ".join(o.prospects)]
            for o in plan.overlaps
        ],
        personalization=data.get("personalization"),
        user_sync=data.get("user_sync"),
        campaigns=data.get("campaigns"),
        traced=len(options.traces),
        payload=html.embed_json(
            {
                "rows": rows,
                "outcomes": {
                    o.prospect: entry
                    for o, entry in zip(plan.outcomes, entries, strict=True)
                    if len(entries) <= options.detail_limit or o.prospect in options.traces
                },
                "traces": _traces(options),
                "explain": options.explain_command,
                "pageSize": options.page_size,
            }
        ),
    )
