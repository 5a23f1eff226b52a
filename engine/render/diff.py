"""`syncrules diff`: what a rule change does to each prospect, for review in a pull request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from engine.plan import Change, NewProspect, Outcome
from engine.render import plan_json
from engine.render.values import write_value


def _brief(o: Outcome | None) -> str:
    if o is None:
        return "absent"
    text = o.action.value
    if o.reason:
        text += f" ({o.reason.value})"
    if o.error:
        text += f" ({o.error.code.value} {o.error.rule or ''})".replace(" )", ")")
    if o.target and o.action.value != "skip":
        text += f" on {o.target.object} {o.target.id}"
    return text


def _writes(o: Outcome | None, attr: str) -> dict[str, object]:
    return {k: write_value(v) for k, v in getattr(o, attr)} if o else {}


def _stages(o: Outcome | None) -> str:
    return ", ".join(o.stages) if o and o.stages else "none"


def text(changes: Sequence[Change], prospects: int) -> str:
    """Each changed prospect: its outcome before ⇒ after (once, when only details change),
    then only what changed, one line each: `+` a new write, `-` a write that goes, `~` a
    write whose value changes."""
    created = [c for c in changes if c.created is not None]
    changes = [c for c in changes if c.created is None]
    if not changes and not created:
        return f"no prospect changes ({prospects} compared)\n"
    lines = (
        [f"{len(changes)} of {prospects} prospects change:"]
        if changes
        else [f"no prospect changes ({prospects} compared)"]
    )
    for c in changes:
        before, after = _brief(c.old), _brief(c.new)
        same = before == after
        lines.append(
            f"  {c.prospect}: {after} (unchanged)"
            if same
            else f"  {c.prospect}: {before}  ⇒  {after}"
        )
        lines.extend(f"      {line}" for line in details(c))
    if created:
        n = len(created)
        lines.append(
            f"{n} prospect from Salesforce changes:"
            if n == 1
            else f"{n} prospects from Salesforce change:"
        )
        lines.extend(line for c in created for line in _created(c))
    return "\n".join(lines) + "\n"


def _created(c: Change) -> list[str]:
    """A prospect from Salesforce (SPEC §3.9) one version creates, or creates otherwise."""
    assert c.created is not None
    old, new = c.created
    if old is None or new is None:
        said = "absent  ⇒  create_prospect" if old is None else "create_prospect  ⇒  absent"
        return [f"  {c.prospect}: {said}"]
    changed = _changed_writes("Account Engagement", _fields(old), _fields(new))
    return [f"  {c.prospect}: create_prospect (unchanged)", *(f"      {x}" for x in changed)]


def _fields(n: NewProspect) -> dict[str, object]:
    return {k: write_value(v) for k, v in n.to_pardot}


def details(c: Change) -> list[str]:
    """What changed besides the outcome: `+`/`-`/`~` per write, then the stages, the
    business unit and the owner decision."""
    lines = []
    for attr, side in (("to_salesforce", "Salesforce"), ("to_pardot", "Account Engagement")):
        if attr not in c.what:
            continue
        lines.extend(_changed_writes(side, _writes(c.old, attr), _writes(c.new, attr)))
    if "stages" in c.what:
        lines.append(f"stages: {_stages(c.old)} ⇒ {_stages(c.new)}")
    if "business_unit" in c.what:  # only when the versions declare different units
        units = [(o.business_unit if o else None) or "-" for o in (c.old, c.new)]
        lines.append(f"business unit: {units[0]} ⇒ {units[1]}")
    if "owner" in c.what:
        lines.append(f"owner: {_owner(c.old)} ⇒ {_owner(c.new)}")
    return lines


def _owner(o: Outcome | None) -> str:
    """An owner decision as the plan lists it ('assignment_rule', 'queue 00G1'); SPEC
    §3.4's own (the assigned user, or none sent) is 'default': `to_salesforce` shows it."""
    if o is None or o.owner is None:
        return "default"
    return f"{o.owner.decision.value} {o.owner.id}" if o.owner.id else o.owner.decision.value


def _changed_writes(side: str, old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """`+` a new write, `-` a write that goes, `~` a write whose value changes, by field."""
    lines = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            lines.append(f"+ {side} {key} = {json.dumps(new[key])}")
        elif key not in new:
            lines.append(f"- {side} {key} (was {json.dumps(old[key])})")
        elif old[key] != new[key]:
            lines.append(f"~ {side} {key}: {json.dumps(old[key])} ⇒ {json.dumps(new[key])}")
    return lines


def category(o: Outcome | None) -> str:
    """Where a prospect ends, coarsely: the action, a skip's reason, an error's code."""
    if o is None:
        return "absent"
    if o.reason is not None:
        return f"{o.action.value} ({o.reason.value})"
    if o.error is not None:
        return f"{o.action.value} ({o.error.code.value})"
    return o.action.value


def brief(o: Outcome | None) -> str:
    return _brief(o)


def as_json(changes: Sequence[Change], prospects: int) -> str:
    data = {
        "prospects": prospects,
        "changed": sum(1 for c in changes if c.created is None),
        "changes": [
            {
                "prospect": c.prospect,
                "changed": list(c.what),
                "old": plan_json.outcome(c.old) if c.old else None,
                "new": plan_json.outcome(c.new) if c.new else None,
            }
            for c in changes
            if c.created is None
        ],
        "prospects_from_salesforce": [
            {
                "source": c.prospect,
                "changed": list(c.what),
                "old": plan_json.new_prospect(c.created[0]) if c.created[0] else None,
                "new": plan_json.new_prospect(c.created[1]) if c.created[1] else None,
            }
            for c in changes
            if c.created is not None
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
