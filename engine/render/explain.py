"""`explain`: every step of the cycle for one prospect, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.plan import Outcome, Step
from engine.render import plan_json


def text(outcome: Outcome, steps: Sequence[Step]) -> str:
    lines = [f"prospect {outcome.prospect}: {outcome.action.value}"
             + (f" ({outcome.reason.value})" if outcome.reason else "")]
    for number, step in enumerate(steps, 1):
        lines.append(f"{number:>2}. {step.step}: {step.summary}")
        lines.extend(f"      {detail}" for detail in step.details)
    lines.append("result:")
    body = json.dumps(plan_json.outcome(outcome), indent=2, ensure_ascii=False)
    lines.extend(f"  {line}" for line in body.splitlines())
    return "\n".join(lines) + "\n"


def as_json(outcome: Outcome, steps: Sequence[Step]) -> str:
    data = {
        "prospect": outcome.prospect,
        "outcome": plan_json.outcome(outcome),
        "steps": [
            {"step": s.step, "summary": s.summary, "details": list(s.details)} for s in steps
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
