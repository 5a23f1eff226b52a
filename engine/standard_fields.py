"""The built-in table of standard fields (`standard_fields.json`, shipped as package data).

Salesforce's standard schema, read by the SFDX importer and by the checker (a related
record's standard field, `Owner.Name`, has a type even when no file declares it); a leaf,
so the checker needs no front end for it.

SFDX source lists a standard field with no `<type>` (`Lead/fields/Email.field-meta.xml`
holds little more than `<fullName>Email</fullName>`), and most standard fields are not
in the tree at all. This table gives their types, lengths, `required` flags and the
picklist values a new org ships, for the six objects syncrules models (SPEC §1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from engine.fieldtypes import FieldType, Kind, api_key

# Salesforce object API names → syncrules object names (SPEC §1, import salesforce).
SALESFORCE_OBJECTS: dict[str, str] = {
    "Lead": "lead",
    "Contact": "contact",
    "Account": "account",
    "User": "user",
    "Campaign": "campaign",
    "CampaignMember": "campaign_member",
}
OBJECT_API_NAMES: dict[str, str] = {v: k for k, v in SALESFORCE_OBJECTS.items()}


@dataclass(frozen=True, slots=True)
class StandardField:
    """One standard field: its API name, type and flags."""

    name: str
    type: FieldType
    required: bool
    readonly: bool
    value_set: str | None  # the standard value set of a standard picklist


@cache
def _table() -> dict[str, Any]:
    text = resources.files("engine").joinpath("standard_fields.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def value_set(name: str) -> tuple[str, ...]:
    """The values a new org ships in a standard value set (`LeadSource`, `Industry` …)."""
    # each value once: StateCode lists "WA" for Washington and for Western Australia, and a
    # picklist's values are texts (a value listed twice is a duplicate-declaration)
    return tuple(dict.fromkeys(_table()["value_sets"].get(name, ())))


@cache
def standard_fields(obj: str) -> dict[str, StandardField]:
    """The standard fields of a syncrules object, keyed by `api_key(name)`."""
    fields: dict[str, StandardField] = {}
    for name, spec in _table()["objects"].get(obj, {}).items():
        fields[api_key(name)] = _field(name, spec)
    return fields


def standard_field(obj: str, name: str) -> StandardField | None:
    return standard_fields(obj).get(api_key(name))


def _field(name: str, spec: dict[str, Any]) -> StandardField:
    kind = Kind(spec["type"])
    value_set_name = spec.get("value_set")
    if kind in (Kind.PICKLIST, Kind.MULTIPICKLIST):
        ftype = FieldType(kind, values=value_set(value_set_name or ""))
    elif kind is Kind.REFERENCE:
        ftype = FieldType(kind, target=spec["target"])
    else:
        ftype = FieldType(kind, length=spec.get("length"))
    return StandardField(
        name, ftype, bool(spec.get("required")), bool(spec.get("readonly")), value_set_name
    )
