"""Evaluation contexts: what a condition can read, for a prospect or a Salesforce record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from engine.check.model import CheckedRules
from engine.records.model import Record, Value
from engine.runtime.evaluate import Result, Trace, evaluate
from engine.runtime.fit import blank_of


@dataclass(frozen=True, slots=True)
class Clock:
    """The run's `TODAY()` and `NOW()`: an argument, so runs are reproducible."""

    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.date()


@dataclass(slots=True)
class Directory:
    """Users by Id and the public groups they belong to (for `in group`)."""

    groups: Mapping[str, frozenset[str]]

    def in_group(self, user_id: str, group: str) -> bool:
        # Salesforce Ids are 15 or 18 characters; the first 15 identify the record
        members = self.groups.get(user_id) or self.groups.get(user_id[:15])
        return members is not None and group in members


def directory(users: list[Record]) -> Directory:
    groups: dict[str, frozenset[str]] = {}
    for user in users:
        groups[user.id] = frozenset(user.groups)
        groups.setdefault(user.id[:15], frozenset(user.groups))
    return Directory(groups)


def field_value(rules: CheckedRules, record: Record | None, obj: str, name: str) -> Value:
    """A declared field's value on a record; blank when there is no record (SPEC §1)."""
    info = rules.object(obj).get(name)
    if record is None:
        return blank_of(info.type) if info else None
    if info is None:
        return None
    if info.name in record.values:
        return record.values[info.name]
    return blank_of(info.type)


@dataclass(slots=True)
class ProspectContext:
    """Stage and gate conditions: the prospect, and the record it matched (if any)."""

    rules: CheckedRules
    prospect: Record
    matched: Record | None
    clock: Clock
    groups: Directory
    trace_stage: Callable[[str, Result, Trace | None], None] | None = None
    traces: bool = False
    _stages: dict[str, Result] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)

    @property
    def today(self) -> dt.date:
        return self.clock.today

    @property
    def now(self) -> dt.datetime:
        return self.clock.now

    def field(self, obj: str, name: str) -> Value:
        if obj == "prospect":
            return field_value(self.rules, self.prospect, obj, name)
        record = self.matched if self.matched and self.matched.object == obj else None
        return field_value(self.rules, record, obj, name)

    def prior(self, obj: str, name: str) -> Value:
        return self.field(obj, name)

    def is_new(self) -> bool:
        return False

    def assigned(self) -> bool:
        return bool(self.prospect.assigned_user)

    def in_group(self, user_id: str, group: str) -> bool:
        return self.groups.in_group(user_id, group)

    def stage(self, name: str) -> Result:
        """A stage's value, computed once; stage cycles were refused by `check`."""
        if name in self._stages:
            return self._stages[name]
        if name in self._busy:  # defensive: check refuses stage cycles
            return None
        rule = next(s for s in self.rules.stages if s.name == name)
        self._busy.add(name)
        trace = Trace() if self.traces else None
        value = evaluate(rule.when, self, trace)
        self._busy.discard(name)
        self._stages[name] = value
        if self.trace_stage is not None:
            self.trace_stage(name, value, trace)
        return value


@dataclass(slots=True)
class RecordContext:
    """Share rules and validation rules: one Salesforce record, before and after a write."""

    rules: CheckedRules
    record: Record
    clock: Clock
    groups: Directory
    before: Record | None = None  # None: the write creates the record

    @property
    def today(self) -> dt.date:
        return self.clock.today

    @property
    def now(self) -> dt.datetime:
        return self.clock.now

    def field(self, obj: str, name: str) -> Value:
        return field_value(self.rules, self.record, obj, name)

    def prior(self, obj: str, name: str) -> Value:
        # SPEC §1: on create PRIORVALUE gives the new value
        return field_value(self.rules, self.before or self.record, obj, name)

    def is_new(self) -> bool:
        return self.before is None

    def stage(self, name: str) -> Result:
        return None  # check refuses stages in share and validation rules

    def assigned(self) -> bool:
        return False

    def in_group(self, user_id: str, group: str) -> bool:
        return self.groups.in_group(user_id, group)
