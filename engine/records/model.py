"""Loaded records: typed values for declared fields, everything else kept as it came.

Runtime values by field type (SPEC §1, blanks):
text, textarea, email, phone, id, reference, picklist, multipicklist → `str`, blank is "";
multipicklist values are joined with ";" in declaration order of the file's value;
number → `Decimal | None`; boolean → `bool` (a blank checkbox is False);
date → `datetime.date | None`; datetime → timezone-aware `datetime.datetime | None` (UTC);
grade → `str | None` (one of fieldtypes.GRADES).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine.fieldtypes import Value as Value  # re-exported: the record model's values
from engine.standard_fields import SALESFORCE_OBJECTS

# The record-set lists of SPEC §2 and §6, and the object each holds.
LISTS: dict[str, str] = {
    "users": "user",
    "prospects": "prospect",
    "leads": "lead",
    "contacts": "contact",
    "accounts": "account",
    "campaigns": "campaign",
    "campaign_members": "campaign_member",
    "personalization_users": "personalization_user",
    "personalization_accounts": "personalization_account",
    "pardot_campaigns": "pardot_campaign",
    "queues": "queue",  # Salesforce lead queues (Group, Type = Queue): Id, Name
    # LeadHistory / ContactHistory: ParentId (LeadId, ContactId), Field, CreatedDate
    "field_history": "field_history",
}
OBJECT_LISTS: dict[str, str] = {obj: name for name, obj in LISTS.items()}

# Salesforce object names as data-tree JSON `attributes.type` spells them: the API names
SALESFORCE_TYPES: dict[str, str] = SALESFORCE_OBJECTS
SALESFORCE_TYPE_NAMES: dict[str, str] = {obj: name for name, obj in SALESFORCE_TYPES.items()}

# Prospect attributes of SPEC §2: kept on the Record, not in `values` (unless declared).
PROSPECT_ATTRIBUTES: tuple[str, ...] = (
    "id",
    "email",
    "assigned_user",
    "crm_lead_fid",
    "crm_contact_fid",
    "updated_at",
    "crm_deleted",
)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from, for messages: `records.yaml`, record p3, line 12."""

    path: str
    index: int  # 0-based position in its list
    line: int | None = None  # 1-based, when the format knows it (YAML, CSV)

    def describe(self, record_id: str) -> str:
        at = f":{self.line}" if self.line else ""
        return f"{self.path}{at}: record {record_id}"


@dataclass(slots=True)
class Record:
    """One record. `values` holds declared fields by their declared name, typed;
    `raw` holds the record exactly as read (key order too) so `run` writes back the
    fields it did not change unchanged."""

    object: str
    id: str
    values: dict[str, Value]
    raw: dict[str, Any]
    origin: Origin
    # prospect attributes (SPEC §2); None on Salesforce records
    email: str = ""
    assigned_user: str | None = None
    crm_lead_fid: str | None = None
    crm_contact_fid: str | None = None
    updated_at: dt.datetime | None = None  # prospects: updated_at; Salesforce: LastModifiedDate
    # the connector's own state (SPEC §2), read whether or not an object declares it:
    # IsDeleted (leads, contacts), IsConverted and ConvertedContactId (leads), and the
    # prospect's crm_deleted flag
    deleted: bool = False
    converted: bool = False
    converted_contact: str | None = None
    crm_deleted: bool = False
    master: str | None = None  # MasterRecordId: a merge's loser names the record it went into
    # a person account's stand-in contact (runtime/person.py): the account's Id
    person_account: str | None = None
    # users (SPEC §2): public groups and whether the user is active
    groups: tuple[str, ...] = ()
    active: bool = True
    # declared fields a cycle wrote (by declared name), and link attributes it set; the
    # writer renders these and copies everything else from `raw` unchanged
    changed: set[str] = field(default_factory=set)
    created: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """How a record set was stored, so `run --out` writes it back the same way.

    `single` is the file name when one file held every list; otherwise `files` maps each
    list name (`prospects`, `leads`…) to the file name it came from inside the directory,
    and `formats` to that file's format ("yaml", "json", "datatree", "csv", "parquet").

    For a single file, `files` and `formats` map every list the file held to that file, in
    the file's order (so the writer keeps the top-level order), and `single_format` says
    how the file was written. `headers` keeps each CSV file's columns (a CSV of no rows
    still has them); `wrapped` names the directory files that held `{list: [...]}` rather
    than a bare list; `interleave` is, for one data-tree file holding several objects, the
    list each of its records went to, in file order, so the writer keeps their order."""

    root: str
    single: str | None
    files: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    single_format: str | None = None
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    wrapped: frozenset[str] = frozenset()
    interleave: tuple[str, ...] = ()
    # each Parquet file's column types, beside its columns in `headers`, to write them back
    column_types: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class RecordSet:
    """Every list of SPEC §2 (and §6), each in file order, plus how it was stored."""

    lists: dict[str, list[Record]]
    layout: Layout

    def get(self, name: str) -> list[Record]:
        return self.lists.get(name, [])

    @property
    def prospects(self) -> list[Record]:
        return self.get("prospects")

    @property
    def leads(self) -> list[Record]:
        return self.get("leads")

    @property
    def contacts(self) -> list[Record]:
        return self.get("contacts")

    @property
    def users(self) -> list[Record]:
        return self.get("users")
