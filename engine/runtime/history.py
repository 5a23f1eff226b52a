"""`most_recent` by field history (issue 12; not pinned: docs/design.md, "Field history").

Source (Salesforce Help, "How Sync Behavior Works", `mktg.pardot_sync_behavior_works`):
"Use the most recently updated field" — offered for the Opted Out field — needs Field
History Tracking on the mapped Salesforce fields and compares when each *field* changed,
not when the record did. A record set carries that history as the list `field_history`
(a LeadHistory / ContactHistory export: `ParentId` — or `LeadId` / `ContactId` —,
`Field`, `CreatedDate`). Where a field has history, a `most_recent` mapping compares the
prospect's `updated_at` with the field's last change; a record with no entry for a field
that has history never changed it since tracking began (older than any). Fields without
history keep SPEC §3.5's `LastModifiedDate`. Every engine reads the times from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.formula.functions import to_text
from engine.records.model import Record, RecordSet

PARENT_KEYS = ("parentid", "leadid", "contactid")


@dataclass(frozen=True, slots=True)
class FieldHistory:
    """(record Id, field folded) → its last change; the fields that have any history."""

    changed: dict[tuple[str, str], dt.datetime]
    tracked: frozenset[str]

    @classmethod
    def of(cls, records: RecordSet) -> FieldHistory:
        changed: dict[tuple[str, str], dt.datetime] = {}
        tracked: set[str] = set()
        for entry in records.get("field_history"):
            parent, name, when = history_entry(entry)
            if not parent or not name or when is None:
                continue  # the loader refused these: never reached
            tracked.add(name.casefold())
            key = (parent, name.casefold())
            if key not in changed or changed[key] < when:
                changed[key] = when
        return cls(changed, frozenset(tracked))

    def stamp(self, record: Record, field: str) -> dt.datetime | None:
        """When `field` of `record` last changed, for `most_recent`: its history where the
        field has any, else the record's LastModifiedDate (a lead created in this cycle:
        the cycle's time)."""
        folded = field.casefold()
        if record.created or folded not in self.tracked:
            return record.updated_at
        return self.changed.get((record.id, folded))


def history_entry(entry: Record) -> tuple[str, str, dt.datetime | None]:
    """(ParentId, Field, CreatedDate) of a `field_history` entry; CreatedDate None when it
    is not an ISO 8601 date-time (the loader names the entry and field)."""
    values = {k.casefold(): to_text(v).strip() for k, v in entry.values.items()}
    parent = next((values[k] for k in PARENT_KEYS if values.get(k)), "")
    return parent, values.get("field", ""), parse_time(values.get("createddate", ""))


def parse_time(text: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
