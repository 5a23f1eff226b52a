"""The connector's own state columns (SPEC §2), read whether or not an `object` names them.

`IsDeleted` on leads and contacts (a `queryAll` export carries the recycle bin),
`IsConverted` and `ConvertedContactId` on leads, and `crm_deleted` on prospects (Account
Engagement's `[[crm_deleted]]` flag); and `MasterRecordId` on leads and contacts (a merge's
deleted loser names the record it was merged into; docs/design.md, merges). The flags are
booleans: `true`/`false` in any case (CSV cells too) or a real boolean; blank, null or
absent is false; anything else is an input error the loader locates (file, record, field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.fieldtypes import api_key
from engine.records.model import Record


class StateError(Exception):
    """A state column holding something other than a boolean; the loader adds where."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


def read_state(
    record: Record, entry: Mapping[str, Any], folded: Mapping[str, str] | None = None
) -> None:
    """Set the record's connector state from the columns of the record as read; `folded`
    is the entry's keys by case-folded API name, when the caller has it already."""
    if record.object == "prospect":
        record.crm_deleted = _flag(entry, "crm_deleted", _exact(entry, "crm_deleted"))
        return
    if record.object not in ("lead", "contact"):
        return
    keys = folded if folded is not None else {api_key(k): k for k in entry if isinstance(k, str)}
    record.deleted = _flag(entry, "IsDeleted", keys.get("isdeleted"))
    record.master = _id(entry, keys.get("masterrecordid"))
    if record.object == "lead":
        record.converted = _flag(entry, "IsConverted", keys.get("isconverted"))
        record.converted_contact = _id(entry, keys.get("convertedcontactid"))


def _id(entry: Mapping[str, Any], key: str | None) -> str | None:
    """An Id column (ConvertedContactId, MasterRecordId): text; blank means none."""
    value = entry.get(key) if key is not None else None
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    return text or None


def _exact(entry: Mapping[str, Any], key: str) -> str | None:
    return key if key in entry else None  # prospect fields are case-sensitive (SPEC §1)


def _flag(entry: Mapping[str, Any], name: str, key: str | None) -> bool:
    if key is None:
        return False
    value = entry[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    shown = (
        f'"{value}"'
        if isinstance(value, str)
        else "a list"
        if isinstance(value, list)
        else "a mapping"
        if isinstance(value, dict)
        else str(value)
    )
    raise StateError(key, f"{shown} is not true or false ({name} is the connector's {_what(name)})")


def _what(name: str) -> str:
    return {
        "IsDeleted": "deleted flag",
        "IsConverted": "converted flag",
        "crm_deleted": "deleted-in-Salesforce flag",
    }[name]
