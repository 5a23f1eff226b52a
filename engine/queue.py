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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Entry = dict[str, Any]
Key = tuple[str, str, str]


class QueueFormatError(ValueError):
    """A file that is not an error queue: the message says where (entry and field)."""


def key(entry: Mapping[str, Any]) -> Key:
    return (str(entry["prospect"]), str(entry["error_code"]), str(entry.get("rule") or ""))


class _Entry(BaseModel):
    """What the history and `queue diff` read of an entry; other fields pass through."""

    model_config = ConfigDict(strict=True, extra="allow")
    prospect: str
    error_code: str
    rule: str | None = None
    cycles: int = Field(default=1, ge=1)


class _Queue(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")
    errors: list[_Entry]
    resolved: list[_Entry] = []


_WHAT = {
    "string_type": "must be text",
    "int_type": "must be a whole number ≥ 1",
    "greater_than_equal": "must be a whole number ≥ 1",
    "missing": "is missing",
    "model_type": "not an object",
    "dict_type": "not an object",
    "list_type": "is not a list",
}


def validate(data: object) -> dict[str, Any]:
    """The queue's data as it is, or QueueFormatError naming the first entry and field
    that is wrong (pydantic checks the shape; strict: `7` is not text, `true` no count)."""
    if not isinstance(data, dict) or not isinstance(data.get("errors"), list):
        raise QueueFormatError('not an error queue: expected an object with an "errors" list')
    try:
        _Queue.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        what = _WHAT.get(first["type"], first["msg"])
        raise QueueFormatError(_place(first["loc"], what)) from None
    return data


def _place(loc: tuple[int | str, ...], what: str) -> str:
    """`errors[3]: "cycles" must be …` from pydantic's location ("errors", 3, "cycles")."""
    where = "".join(f"[{part}]" if isinstance(part, int) else part for part in loc[:2])
    if len(loc) <= 1:
        return f'"{loc[0]}" {what}'
    if len(loc) == 2:
        return f"{where}: {what}"
    return f'{where}: "{loc[2]}" {what}'


def carry_history(
    errors: Sequence[Entry], previous: Mapping[str, Any] | None, now: str
) -> tuple[list[Entry], list[Entry]]:
    """This cycle's entries with `first_seen`, `last_seen` and `cycles`, and the resolved
    list: earlier resolved entries plus those that failed before and do not now."""
    history = History(previous, now)
    current = [history.carry(entry) for entry in errors]
    return current, history.resolved()


class History:
    """`carry_history` an entry at a time, for a queue written as it is made (`run` on
    the direct path: half a million failing prospects are never a list of entries)."""

    def __init__(self, previous: Mapping[str, Any] | None, now: str) -> None:
        self.now = now
        self.before = {key(e): e for e in (previous or {}).get("errors", [])}
        self.resolved_before = list((previous or {}).get("resolved", []))
        # the last time each entry was fixed, by key (a dict: no scan of the list per entry)
        self.fixed = {key(r): r for r in self.resolved_before}
        self.failing: set[Key] = set()  # of the keys the previous queue holds

    def carry(self, entry: Entry) -> Entry:
        found = key(entry)
        old = self.before.get(found)
        if old is not None or found in self.fixed:
            self.failing.add(found)
        history: Entry = {
            "first_seen": str(old.get("first_seen", self.now)) if old else self.now,
            "last_seen": self.now,
            "cycles": int(old.get("cycles", 1)) + 1 if old else 1,
        }
        if old is None:
            again = self.fixed.get(found)
            if again is not None:  # it had been fixed, and fails again
                history["fixed_before"] = str(again.get("fixed", ""))
        return {**entry, **history}

    def resolved(self) -> list[Entry]:
        """After every entry is carried: the earlier resolved entries that do not fail
        now, then those that failed before and do not now, fixed now."""
        failing = self.failing
        resolved = [r for r in self.resolved_before if key(r) not in failing]
        resolved += [
            {**old, "fixed": self.now} for k, old in sorted(self.before.items()) if k not in failing
        ]
        return resolved


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
