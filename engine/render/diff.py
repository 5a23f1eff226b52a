"""`syncrules diff`: what a rule change does to each prospect, for review in a pull request."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.plan import Change, Outcome
from engine.render import plan_json
from engine.render.values import json_value


def _brief(o: Outcome | None) -> str:
    if o is None:
        return "absent"
    text = o.action.value
    if o.reason:
        text += f" ({o.reason.value})"
    if o.error:
        text += f" ({o.error.code.value} {o.error.rule or ''})".replace(" )", ")")
    if o.target and o.action.value != "skip":
        text += f" → {o.target.object} {o.target.id}"
    return text


def _writes(o: Outcome | None, attr: str) -> dict[str, object]:
    return {k: json_value(v) for k, v in getattr(o, attr)} if o else {}


def text(changes: Sequence[Change], prospects: int) -> str:
    if not changes:
        return f"no prospect changes ({prospects} compared)\n"
    lines = [f"{len(changes)} of {prospects} prospects change:"]
    for c in changes:
        lines.append(f"  {c.prospect}: {_brief(c.old)}  ⇒  {_brief(c.new)}")
        for attr in ("to_salesforce", "to_pardot"):
            if attr in c.what:
                old, new = _writes(c.old, attr), _writes(c.new, attr)
                for key in sorted(old.keys() | new.keys()):
                    if old.get(key) != new.get(key):
                        lines.append(
                            f"      {attr} {key}: {json.dumps(old.get(key))} ⇒ "
                            f"{json.dumps(new.get(key))}"
                        )
        if "stages" in c.what:
            lines.append(
                f"      stages: {list(c.old.stages) if c.old else []} ⇒ "
                f"{list(c.new.stages) if c.new else []}"
            )
    return "\n".join(lines) + "\n"


def as_json(changes: Sequence[Change], prospects: int) -> str:
    data = {
        "prospects": prospects,
        "changed": len(changes),
        "changes": [
            {
                "prospect": c.prospect,
                "changed": list(c.what),
                "old": plan_json.outcome(c.old) if c.old else None,
                "new": plan_json.outcome(c.new) if c.new else None,
            }
            for c in changes
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
