"""Field types as rule files declare them, and the value types expressions compute with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# A field's value at run time, by field type (records/model.py says which type gives
# which): records hold them, expressions compute with them, plans carry them.
Value = str | Decimal | bool | dt.date | dt.datetime | None

GRADES: tuple[str, ...] = ("F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+")
GRADE_RANK: dict[str, int] = {g: i for i, g in enumerate(GRADES)}


class Kind(StrEnum):
    """The field types of SPEC §1."""

    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    GRADE = "grade"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    REFERENCE = "reference"
    ID = "id"


class VType(StrEnum):
    """What an expression evaluates to. ANY absorbs errors: one typo, one diagnostic."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    GRADE = "grade"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    NULL = "null"
    ANY = "any"


# Types whose blank is the empty string (SPEC §1, blanks); the rest are null when blank.
TEXT_LIKE: frozenset[VType] = frozenset({VType.TEXT, VType.PICKLIST, VType.MULTIPICKLIST})

TEXT_ARGS_REQUIRED = {Kind.TEXT: "a length, e.g. text(80)"}
PHONE_LENGTH = 40  # Salesforce stores phone fields as text of up to 40 characters
TEXTAREA_LENGTH = 131072  # long text area ceiling; plain textarea is 255 in Salesforce


MAX_NUMBER_DIGITS = 18  # a Salesforce number field holds at most 18 digits


@dataclass(frozen=True, slots=True)
class FieldType:
    """A declared field type: `text(80)`, `picklist("A", "B")`, `reference(user)`."""

    kind: Kind
    length: int | None = None
    values: tuple[str, ...] = ()
    target: str | None = None
    # a picklist whose values are unknown (its global value set is missing from an imported
    # tree) accepts any value (SPEC §1); rule files cannot declare one
    any_value: bool = False
    # a number field's <precision> and <scale> from imported metadata (None: not imported);
    # position-blind, so an imported field and the same `number` in a rule file agree
    precision: int | None = field(default=None, compare=False)
    scale: int | None = field(default=None, compare=False)

    @property
    def whole_digits(self) -> int:
        """How many digits left of the point a number field holds: precision - scale from
        the metadata, else Salesforce's most, 18 (docs/records.md, "Numbers")."""
        precision = self.precision if self.precision is not None else MAX_NUMBER_DIGITS
        return max(0, min(precision, MAX_NUMBER_DIGITS) - (self.scale or 0))

    def allows(self, value: str) -> bool:
        """Whether a picklist (or one part of a multipicklist) accepts this value."""
        return self.any_value or value in self.values

    @property
    def value_type(self) -> VType:
        return _VALUE_TYPES[self.kind]

    @property
    def max_length(self) -> int | None:
        """How many characters the field holds, for text-like kinds."""
        if self.kind is Kind.TEXT:
            return self.length
        if self.kind is Kind.PHONE:
            return PHONE_LENGTH
        if self.kind is Kind.EMAIL:
            return 80
        if self.kind is Kind.TEXTAREA:
            return self.length
        return None

    def __str__(self) -> str:
        if self.kind is Kind.TEXT or (self.kind is Kind.TEXTAREA and self.length):
            return f"{self.kind}({self.length})"
        if self.kind in (Kind.PICKLIST, Kind.MULTIPICKLIST):
            inner = ", ".join(_quote(v) for v in self.values)
            return f"{self.kind}({inner})"
        if self.kind is Kind.REFERENCE:
            return f"reference({self.target})"
        return str(self.kind)


_VALUE_TYPES: dict[Kind, VType] = {
    Kind.TEXT: VType.TEXT,
    Kind.TEXTAREA: VType.TEXT,
    Kind.EMAIL: VType.TEXT,
    Kind.PHONE: VType.TEXT,
    Kind.NUMBER: VType.NUMBER,
    Kind.BOOLEAN: VType.BOOLEAN,
    Kind.DATE: VType.DATE,
    Kind.DATETIME: VType.DATETIME,
    Kind.GRADE: VType.GRADE,
    Kind.PICKLIST: VType.PICKLIST,
    Kind.MULTIPICKLIST: VType.MULTIPICKLIST,
    Kind.REFERENCE: VType.TEXT,
    Kind.ID: VType.TEXT,
}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


OBJECTS: tuple[str, ...] = (
    "prospect",
    "lead",
    "contact",
    "account",
    "user",
    "campaign",
    "campaign_member",
)
# Salesforce-side objects: their API names compare case-insensitively, as Salesforce does.
SALESFORCE_OBJECTS: frozenset[str] = frozenset(OBJECTS) - {"prospect"}


def api_key(name: str) -> str:
    """The key a Salesforce API name is compared by (SPEC §1: case-insensitive)."""
    return name.casefold()
