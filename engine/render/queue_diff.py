"""`syncrules queue diff OLD NEW`: errors that are new, fixed and still failing, by rule
and code, as text, JSON or a page."""

from __future__ import annotations

import json
from typing import Any

from engine.queue import Entry, QueueDiff, by_rule
from engine.render import html

SECTIONS = (("new", "new"), ("fixed", "fixed"), ("still_failing", "still failing"))


def _entries(diff: QueueDiff, name: str) -> tuple[Entry, ...]:
    entries: tuple[Entry, ...] = getattr(diff, name)
    return entries


def _since(entry: Entry) -> str:
    if "cycles" not in entry:
        return ""
    cycles = int(entry["cycles"])
    since = f", since {entry['first_seen']}" if entry.get("first_seen") else ""
    return f" ({cycles} cycle{'s' if cycles != 1 else ''}{since})"


def text(diff: QueueDiff) -> str:
    lines = [
        f"error queue: {len(diff.new)} new, {len(diff.fixed)} fixed, "
        f"{len(diff.still_failing)} still failing"
    ]
    for name, title in SECTIONS:
        entries = _entries(diff, name)
        if not entries:
            continue
        lines.append(f"{title} ({len(entries)}):")
        group: tuple[str, str] | None = None
        for entry in entries:
            here = (str(entry["error_code"]), str(entry.get("rule") or ""))
            if here != group:
                group = here
                count = sum(
                    1 for e in entries if (str(e["error_code"]), str(e.get("rule") or "")) == here
                )
                lines.append(f"  {here[0]} {here[1] or '(no rule)'}: {count}")
            record = f" {entry['object']} {entry['record']}" if entry.get("record") else ""
            lines.append(f"    {entry['prospect']}{record}{_since(entry)}")
    return "\n".join(lines) + "\n"


def as_dict(diff: QueueDiff) -> dict[str, Any]:
    return {
        "summary": {
            "new": len(diff.new),
            "fixed": len(diff.fixed),
            "still_failing": len(diff.still_failing),
        },
        "by_rule": by_rule(diff),
        "new": list(diff.new),
        "fixed": list(diff.fixed),
        "still_failing": list(diff.still_failing),
    }


def as_json(diff: QueueDiff) -> str:
    return json.dumps(as_dict(diff), indent=2, ensure_ascii=False) + "\n"


def page(diff: QueueDiff, old: str, new: str) -> str:
    return html.render(
        "queue.html.j2",
        title=f"syncrules queue diff: {len(diff.new)} new, {len(diff.fixed)} fixed, "
        f"{len(diff.still_failing)} still failing",
        subtitle=f"older queue {old} · newer queue {new}",
        by_rule=by_rule(diff),
        sections=[(name, title, _entries(diff, name)) for name, title in SECTIONS],
    )
