"""The error queue across runs: each entry's history, and what changed between two queues.

An entry is one failing Salesforce check of one prospect, keyed by (prospect, error
code, rule). `run --out DIR` over a DIR that already holds a queue carries each entry's
`first_seen` forward and counts the cycles it has failed in a row (`cycles`); an entry
that stops failing moves to `resolved` with the time it was fixed, so a record's history
is readable from the queue alone. Pure functions over the queue's JSON data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Entry = dict[str, Any]
Key = tuple[str, str, str]


class QueueFormatError(ValueError):
    """A file that is not an error queue: the message says where (entry and field)."""


def key(entry: Mapping[str, Any]) -> Key:
    return (str(entry["prospect"]), str(entry["error_code"]), str(entry.get("rule") or ""))


def validate(data: object) -> dict[str, Any]:
    """The queue's data, or QueueFormatError naming the first entry and field that is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("errors"), list):
        raise QueueFormatError('not an error queue: expected an object with an "errors" list')
    for name in ("errors", "resolved"):
        entries = data.get(name, [])
        if not isinstance(entries, list):
            raise QueueFormatError(f'"{name}" is not a list')
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise QueueFormatError(f"{name}[{index}]: not an object")
            for field in ("prospect", "error_code"):
                if not isinstance(entry.get(field), str):
                    raise QueueFormatError(f'{name}[{index}]: "{field}" must be text')
            cycles = entry.get("cycles", 1)
            if not isinstance(cycles, int) or isinstance(cycles, bool) or cycles < 1:
                raise QueueFormatError(f'{name}[{index}]: "cycles" must be a whole number ≥ 1')
    return data


def carry_history(
    errors: Sequence[Entry], previous: Mapping[str, Any] | None, now: str
) -> tuple[list[Entry], list[Entry]]:
    """This cycle's entries with `first_seen`, `last_seen` and `cycles`, and the resolved
    list: earlier resolved entries plus those that failed before and do not now."""
    before = {key(e): e for e in (previous or {}).get("errors", [])}
    resolved_before = list((previous or {}).get("resolved", []))
    current: list[Entry] = []
    for entry in errors:
        old = before.get(key(entry))
        history: Entry = {
            "first_seen": str(old.get("first_seen", now)) if old else now,
            "last_seen": now,
            "cycles": int(old.get("cycles", 1)) + 1 if old else 1,
        }
        if old is None:
            again = [r for r in resolved_before if key(r) == key(entry)]
            if again:  # it had been fixed, and fails again
                history["fixed_before"] = str(again[-1].get("fixed", ""))
        current.append({**entry, **history})
    failing = {key(e) for e in current}
    resolved = [r for r in resolved_before if key(r) not in failing]
    resolved += [{**old, "fixed": now} for k, old in sorted(before.items()) if k not in failing]
    return current, resolved


@dataclass(frozen=True, slots=True)
class QueueDiff:
    new: tuple[Entry, ...]
    fixed: tuple[Entry, ...]
    still_failing: tuple[Entry, ...]  # as the newer queue has them (cycles, first_seen)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> QueueDiff:
    """Entries new in `new`, gone from it (fixed) and in both, each in (rule, code,
    prospect) order."""
    before = {key(e): e for e in old["errors"]}
    after = {key(e): e for e in new["errors"]}

    def order(entry: Entry) -> tuple[str, str, str]:
        prospect, code, rule = key(entry)
        return (code, rule, prospect)

    return QueueDiff(
        tuple(sorted((e for k, e in after.items() if k not in before), key=order)),
        tuple(sorted((e for k, e in before.items() if k not in after), key=order)),
        tuple(sorted((e for k, e in after.items() if k in before), key=order)),
    )


def by_rule(diff: QueueDiff) -> list[dict[str, Any]]:
    """Per (error code, rule): how many entries are new, fixed and still failing."""
    tally: dict[tuple[str, str], dict[str, int]] = {}
    for name, entries in (
        ("new", diff.new),
        ("fixed", diff.fixed),
        ("still_failing", diff.still_failing),
    ):
        for entry in entries:
            _, code, rule = key(entry)
            counts = tally.setdefault((code, rule), {"new": 0, "fixed": 0, "still_failing": 0})
            counts[name] += 1
    return [
        {"error_code": code, "rule": rule or None, **counts}
        for (code, rule), counts in sorted(tally.items())
    ]
