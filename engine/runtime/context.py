"""Evaluation contexts: what a condition can read, for a prospect or a Salesforce record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.check.model import CheckedRules
from engine.fieldtypes import TEXT_LIKE, VType
from engine.formula.functions import number_text, parse_number
from engine.records.model import Record, Value
from engine.runtime.evaluate import Missing, Result, Trace, evaluate, holds
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
    """Users by Id, the public groups they belong to (for `in group`), and their records
    (for `Owner.Name`, and the connector user's `$User`/`$Profile`/`$Setup` values)."""

    groups: Mapping[str, frozenset[str]]
    users: Mapping[str, Record] = field(default_factory=dict)

    def in_group(self, user_id: str, group: str) -> bool:
        # Salesforce Ids are 15 or 18 characters; the first 15 identify the record
        members = self.groups.get(user_id) or self.groups.get(user_id[:15])
        return members is not None and group in members

    def user(self, user_id: str) -> Record | None:
        return self.users.get(user_id) or self.users.get(user_id[:15])

    def find_user(self, key: str) -> Record | None:
        """The user a connector `user:` setting names: by Id, Username, Email or Name."""
        found = self.user(key)
        if found is not None:
            return found
        wanted = key.strip().casefold()
        for record in self.users.values():
            for attr in ("Username", "Email", "Name"):
                value = _raw(record, attr)
                if isinstance(value, str) and value.strip().casefold() == wanted:
                    return record
        return None


def directory(users: list[Record]) -> Directory:
    groups: dict[str, frozenset[str]] = {}
    records: dict[str, Record] = {}
    for user in users:
        groups[user.id] = frozenset(user.groups)
        groups.setdefault(user.id[:15], frozenset(user.groups))
        records[user.id] = user
        records.setdefault(user.id[:15], user)
    return Directory(groups, records)


def field_value(rules: CheckedRules, record: Record | None, obj: str, name: str) -> Value:
    """A declared field's value on a record; blank when there is no record (SPEC §1)."""
    declared, blank = _declared(rules, obj, name)
    if record is None or declared is None:
        return blank
    return record.values.get(declared, blank)


# Per rule set: (object, name as written) → (the declared name, the type's blank), or
# (None, None) for a field the object does not declare. field_value is the hot path of
# every evaluation, and finding the field by name (case-folded on Salesforce objects) and
# working out its blank on every read was a tenth of a cycle (issue 10). The rule sets
# last read are kept by identity: checked rules never change.
_Declared = dict[tuple[str, str], tuple[str | None, Value]]
_DECLARED: list[tuple[CheckedRules, _Declared]] = []
_RULE_SETS_KEPT = 4


def _declared(rules: CheckedRules, obj: str, name: str) -> tuple[str | None, Value]:
    last = _DECLARED[0] if _DECLARED else None
    table = last[1] if last is not None and last[0] is rules else _table(rules)
    found = table.get((obj, name))
    if found is None:
        info = rules.object(obj).get(name)
        found = (None, None) if info is None else (info.name, blank_of(info.type))
        table[(obj, name)] = found
    return found


def _table(rules: CheckedRules) -> _Declared:
    """The rule set's table, first in `_DECLARED` from now on."""
    kept = next((entry for entry in _DECLARED if entry[0] is rules), None)
    entry = kept if kept is not None else (rules, {})
    if kept is not None:
        _DECLARED.remove(kept)
    _DECLARED.insert(0, entry)
    del _DECLARED[_RULE_SETS_KEPT:]
    return entry[1]


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

    def merge_field(self, reference: str, vtype: VType) -> Value | Missing:
        return Missing("stage and gate conditions have no Salesforce record or running user")

    def stage(self, name: str) -> Result:
        """Whether a stage holds, computed once: `true` or `false`, never null (SPEC §1:
        `not MQL` holds when MQL's condition is null); stage cycles were refused by
        `check`. `trace_stage` is told the condition's own value."""
        if name in self._stages:
            return holds(self._stages[name])
        if name in self._busy:  # defensive: check refuses stage cycles
            return False
        rule = next(s for s in self.rules.stages if s.name == name)
        self._busy.add(name)
        trace = Trace() if self.traces else None
        value = evaluate(rule.when, self, trace)
        self._busy.discard(name)
        self._stages[name] = value
        if self.trace_stage is not None:
            self.trace_stage(name, value, trace)
        return holds(value)


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

    def merge_field(self, reference: str, vtype: VType) -> Value | Missing:
        """A global merge field or a cross-object reference (docs/sfdx-import.md)."""
        return MergeFields(self.rules, self.groups).value(self.record, reference, vtype)


# -- merge fields ---------------------------------------------------------------------------

# relationship → the field holding the related record's Id, for the standard ones
_ID_FIELDS = {
    "owner": "OwnerId",
    "createdby": "CreatedById",
    "lastmodifiedby": "LastModifiedById",
    "recordtype": "RecordTypeId",
    "account": "AccountId",
    "contact": "ContactId",
    "lead": "LeadId",
    "campaign": "CampaignId",
    "parent": "ParentId",
    "manager": "ManagerId",
    "reportsto": "ReportsToId",
    "profile": "ProfileId",
    "userrole": "UserRoleId",
    "convertedaccount": "ConvertedAccountId",
    "convertedcontact": "ConvertedContactId",
    "partneraccount": "PartnerAccountId",
    "masterrecord": "MasterRecordId",
}
_USER_RELATIONSHIPS = frozenset({"owner", "createdby", "lastmodifiedby", "manager"})


@dataclass(frozen=True, slots=True)
class MergeFields:
    """Where merge field values come from.

    A record's related values (`RecordType.DeveloperName`, `Account.Name`) are data: the
    record carries them under that name, as a data export names the column. Users are in
    the record set, so `Owner.Name` follows `OwnerId` to the user. The running user of a
    connector write is the connector user — the `users` entry the connector's `user:`
    names — so `$User.X` is that record's field and `$Profile.Name`, `$UserRole.Name`,
    `$Permission.X`, `$Setup.…`, `$Label.…` are keys of that record (`Profile.Name`,
    `permissions: [...]`, or the reference spelled as in the formula).
    """

    rules: CheckedRules
    users: Directory

    def value(self, record: Record, reference: str, vtype: VType) -> Value | Missing:
        if not reference.startswith("$"):
            return self.related(record, reference, vtype)
        head, _, rest = reference.partition(".")
        scope = head.casefold()
        if scope == "$recordtype":
            return self.related(record, "RecordType." + rest, vtype)
        user, why = self.connector_user()
        if user is not None:
            found = _raw(user, reference)
            if found is not _ABSENT:
                return coerce(found, vtype)
        if scope == "$user":
            return self.related(user, rest, vtype) if user is not None else Missing(why)
        if scope in ("$profile", "$userrole"):
            return self.role_or_profile(user, why, scope, rest, vtype)
        if scope == "$permission":
            return self.permission(user, why, rest)
        if user is None:
            return Missing(why)
        return Missing(
            f'the connector user\'s record in the record set does not give "{reference}"; '
            f'add "{reference}: <value>" to it'
        )

    def connector_user(self) -> tuple[Record | None, str]:
        name = self.rules.connector.user
        if not name:
            return None, 'the rule set names no connector user (connector { user: "…" })'
        user = self.users.find_user(name)
        if user is None:
            return None, (
                f'the connector user "{name}" is not in the record set\'s users '
                "(matched by Id, Username, Email or Name)"
            )
        return user, ""

    def role_or_profile(
        self, user: Record | None, why: str, scope: str, rest: str, vtype: VType
    ) -> Value | Missing:
        word = "Profile" if scope == "$profile" else "UserRole"
        if user is not None:
            found = self.related(user, f"{word}.{rest}", vtype)
            if not isinstance(found, Missing):
                return found
        setting = self.rules.connector.text.get("profile" if word == "Profile" else "role")
        if setting is not None and rest.casefold() == "name":
            return setting
        if user is None:
            return Missing(why)
        return Missing(
            f'the connector user\'s record does not give "{word}.{rest}" '
            f'(add "{word}.{rest}: <value>" to it)'
        )

    def permission(self, user: Record | None, why: str, name: str) -> Value | Missing:
        granted: list[str] | None = None
        if user is not None:
            listed = _raw(user, "permissions")
            if isinstance(listed, list):
                granted = [str(p) for p in listed]
            elif isinstance(listed, str):
                granted = [p.strip() for p in listed.replace(";", ",").split(",")]
        setting = self.rules.connector.text.get("permissions")
        if granted is None and isinstance(setting, str):
            granted = [p.strip() for p in setting.replace(";", ",").split(",")]
        if granted is not None:
            return name.casefold() in {g.casefold() for g in granted if g}
        if user is None:
            return Missing(why)
        return Missing(
            f"the connector user's record lists no permissions "
            f'(add "permissions: [{name}]", or "$Permission.{name}: true")'
        )

    def related(self, record: Record, path: str, vtype: VType) -> Value | Missing:
        """A value read through the record: its own field, or a related record's."""
        found = _raw(record, path)
        if found is not _ABSENT:
            return coerce(found, vtype)
        parts = path.split(".")
        if len(parts) == 1:
            if self.rules.object(record.object).get(path) is not None:
                return field_value(self.rules, record, record.object, path)
            if path.casefold() == "id":
                return record.id
            return Missing(f'the {record.object} record {record.id} has no "{path}"')
        rel, rest = parts[0], ".".join(parts[1:])
        id_field = _id_field(rel)
        related_id = _raw(record, id_field) if id_field else _ABSENT
        if rest.casefold() == "id" and related_id is not _ABSENT:
            return coerce(related_id, vtype)
        if rel.casefold() in _USER_RELATIONSHIPS and isinstance(related_id, str) and related_id:
            user = self.users.user(related_id)
            if user is not None:
                return self.related(user, rest, vtype)
        return Missing(
            f'the {record.object} record {record.id} does not give "{path}" '
            f'(add "{path}: <value>" to the record, as a data export names it)'
        )


def _id_field(relationship: str) -> str | None:
    key = relationship.casefold()
    if key.endswith("__r"):
        return relationship[:-3] + "__c"
    return _ID_FIELDS.get(key)


class _Absent:
    pass


_ABSENT = _Absent()


def _raw(record: Record, key: str) -> Any:
    """A record's value by name, as read (case-insensitive); `_ABSENT` when it has none."""
    if key in record.raw:
        return record.raw[key]
    if key == "Id" or key.casefold() == "id":
        return record.id
    folded = key.casefold()
    for name, value in record.raw.items():
        if isinstance(name, str) and name.casefold() == folded:
            return value
    return _ABSENT


def coerce(value: Any, vtype: VType) -> Value:
    """A value as read from a record set, in the type the formula expects."""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if value is None:
        return "" if vtype in TEXT_LIKE else None
    if isinstance(value, bool):
        return value if vtype is not VType.TEXT else ("true" if value else "false")
    if isinstance(value, (int, float)):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return number_text(value) if vtype is VType.TEXT else value
    if isinstance(value, str):
        return _from_text(value, vtype)
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return str(value)


def _from_text(text: str, vtype: VType) -> Value:
    if vtype is VType.BOOLEAN and text.strip().lower() in ("true", "false", "1", "0"):
        return text.strip().lower() in ("true", "1")
    if vtype is VType.NUMBER:
        number = parse_number(text)
        return number if number is not None or text.strip() else None
    if vtype in (VType.DATE, VType.DATETIME) and text.strip():
        try:
            parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return text
        if vtype is VType.DATE:
            return parsed.date()
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return text
