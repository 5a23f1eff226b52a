"""`explain`: every step of the cycle for one prospect, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.plan import NewProspect, Outcome, PzOutcome, Step, UserAccess
from engine.render import plan_json


def text(outcome: Outcome, steps: Sequence[Step]) -> str:
    lines = [
        f"prospect {outcome.prospect}: {outcome.action.value}"
        + (f" ({outcome.reason.value})" if outcome.reason else "")
    ]
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


def _steps(steps: Sequence[Step]) -> list[str]:
    lines = []
    for number, step in enumerate(steps, 1):
        lines.append(f"{number:>2}. {step.step}: {step.summary}")
        lines.extend(f"      {detail}" for detail in step.details)
    return lines


def _sections(
    personalization: tuple[PzOutcome, Sequence[Step]] | None,
    user_sync: tuple[UserAccess, Sequence[Step]] | None,
) -> list[tuple[str, dict[str, object], Sequence[Step]]]:
    out: list[tuple[str, dict[str, object], Sequence[Step]]] = []
    if personalization is not None:
        out.append(
            ("personalization", plan_json.personalization(personalization[0]), personalization[1])
        )
    if user_sync is not None:
        out.append(("user_sync", plan_json.user_access(user_sync[0]), user_sync[1]))
    return out


def subject_text(
    kind: str,
    subject: str,
    personalization: tuple[PzOutcome, Sequence[Step]] | None,
    user_sync: tuple[UserAccess, Sequence[Step]] | None,
) -> str:
    """`explain --user/--account`: one section per part of the sync that knows the id."""
    lines: list[str] = []
    for title, result, steps in _sections(personalization, user_sync):
        if lines:
            lines.append("")
        heading = "Personalization" if title == "personalization" else "User Sync"
        lines.append(f"{kind} {subject} ({heading}): {result['action']}")
        lines.extend(_steps(steps))
        lines.append("result:")
        body = json.dumps(result, indent=2, ensure_ascii=False)
        lines.extend(f"  {line}" for line in body.splitlines())
    return "\n".join(lines) + "\n"


def subject_json(
    kind: str,
    subject: str,
    personalization: tuple[PzOutcome, Sequence[Step]] | None,
    user_sync: tuple[UserAccess, Sequence[Step]] | None,
) -> str:
    data: dict[str, object] = {kind: subject}
    for title, result, steps in _sections(personalization, user_sync):
        data[title] = {
            "outcome": result,
            "steps": [
                {"step": s.step, "summary": s.summary, "details": list(s.details)} for s in steps
            ],
        }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def record_text(
    obj: str, record_id: str, verdict: str, steps: Sequence[Step], created: NewProspect | None
) -> str:
    """`explain --lead/--contact`: whether the record gets a prospect, step by step."""
    lines = [f"{obj} {record_id}: {verdict}", *_steps(steps)]
    if created is not None:
        lines.append("result:")
        body = json.dumps(plan_json.new_prospect(created), indent=2, ensure_ascii=False)
        lines.extend(f"  {line}" for line in body.splitlines())
    return "\n".join(lines) + "\n"


def record_json(
    obj: str, record_id: str, verdict: str, steps: Sequence[Step], created: NewProspect | None
) -> str:
    data = {
        obj: record_id,
        "verdict": verdict,
        "prospect_from_salesforce": plan_json.new_prospect(created) if created else None,
        "steps": [
            {"step": s.step, "summary": s.summary, "details": list(s.details)} for s in steps
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
