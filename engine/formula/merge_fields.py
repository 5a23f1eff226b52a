"""Merge fields a formula reads beyond its own record's fields: their types and IR form.

Two kinds, both pasted from Salesforce as they are:

- global merge fields (`$User.Email`, `$Profile.Name`, `$Permission.Bypass`,
  `$Setup.Settings__c.Skip__c`, `$Label.X`, `$CustomMetadata.T.R.F`, `$RecordType.Name` …):
  what the user who writes the record sees — for the sync, the connector user;
- cross-object references (`RecordType.DeveloperName`, `Account.Name`, `Owner.Profile.Name`,
  `Region__r.Code__c`): values of related records.

Both lower to one IR call, `$MERGE("<the reference as written>")`, typed here. The
evaluator asks the evaluation context for the value; when the record set and the connector
settings do not give it, the result is a located "cannot evaluate" value — never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine import ir
from engine.fieldtypes import FieldType, Kind, VType
from engine.source import Span

MERGE = "$MERGE"  # the IR function; `$` keeps it out of reach of rule authors

# A field of a syncrules object (declared, or a standard field), else None.
FieldTypes = Callable[[str, str], FieldType | None]

_T, _B, _A = VType.TEXT, VType.BOOLEAN, VType.ANY

# Each global: the type of its fields (by name, "*" for any other), or "user" for $User.
GLOBALS: dict[str, dict[str, VType] | str] = {
    "$User": "user",
    "$Profile": {"*": _T},
    "$UserRole": {"*": _T},
    "$Permission": {"*": _B},
    "$Setup": {"*": _A},
    "$Label": {"*": _T},
    "$CustomMetadata": {"*": _A},
    "$RecordType": {"IsActive": _B, "*": _T},
    "$Organization": {"*": _A},
    "$System": {"OriginDateTime": VType.DATETIME, "*": _A},
    "$Api": {"*": _T},
    "$ObjectType": {"*": _A},
    "$Site": {"*": _A},
    "$Network": {"*": _A},
    "$Resource": {"*": _T},
    "$Action": {"*": _T},
    "$Component": {"*": _A},
}

# Standard relationship names → the object they lead to ("" = the same object).
RELATIONSHIPS: dict[str, str] = {
    "owner": "user",
    "createdby": "user",
    "lastmodifiedby": "user",
    "manager": "user",
    "delegatedapprover": "user",
    "account": "account",
    "convertedaccount": "account",
    "partneraccount": "account",
    "contact": "contact",
    "convertedcontact": "contact",
    "reportsto": "contact",
    "lead": "lead",
    "campaign": "campaign",
    "parent": "",
    "masterrecord": "",
    "recordtype": "$RecordType",
    "profile": "$Profile",
    "userrole": "$UserRole",
}


def reference(written: str, vtype: VType, span: Span) -> ir.Expr:
    """The IR of a merge field: `$MERGE("Owner.Profile.Name")`."""
    return ir.Call(MERGE, (ir.Const(written, VType.TEXT, span),), vtype, span)


def referenced(expr: ir.Expr) -> str | None:
    """The reference a `$MERGE` call reads, else None."""
    if isinstance(expr, ir.Call) and expr.function == MERGE:
        arg = expr.args[0]
        if isinstance(arg, ir.Const) and isinstance(arg.value, str):
            return arg.value
    return None


def global_type(parts: Sequence[str], field_types: FieldTypes) -> VType | None:
    """The type of `$Global.Field…`; None when the global does not exist."""
    kinds = GLOBALS.get(_canonical_global(parts[0]))
    if kinds is None:
        return None
    if kinds == "user":
        return path_type("user", parts[1:], field_types)
    assert isinstance(kinds, dict)
    field = parts[-1] if len(parts) > 1 else ""
    return kinds.get(field, kinds["*"])


def _canonical_global(name: str) -> str:
    folded = {g.casefold(): g for g in GLOBALS}
    return folded.get(name.casefold(), name)


def path_type(obj: str, parts: Sequence[str], field_types: FieldTypes) -> VType:
    """The type of a relationship path from `obj`: `Owner.Profile.Name` → text.

    `parts` are the relationship names and the final field; a relationship or field that
    cannot be known from declarations and the standard table is typed ANY (the value still
    comes from data, or the rule reports that it cannot be evaluated)."""
    here: str | None = obj
    for rel in parts[:-1]:
        here = related_object(here, rel, field_types)
        if here is None:
            return VType.ANY
    if not parts or here is None:
        return VType.ANY
    return field_type(here, parts[-1], field_types)


def related_object(obj: str | None, rel: str, field_types: FieldTypes) -> str | None:
    """The object a relationship leads to (`Owner` → user), or None when unknown."""
    if obj is None or obj.startswith("$"):
        return None
    key = rel.casefold()
    if key in RELATIONSHIPS:
        target = RELATIONSHIPS[key]
        return target or obj
    if key.endswith("__r"):  # `Region__r.X` reads through the lookup field `Region__c`
        lookup = field_types(obj, rel[:-3] + "__c")
        if lookup is not None and lookup.kind is Kind.REFERENCE:
            return lookup.target
    return None


def field_type(obj: str, name: str, field_types: FieldTypes) -> VType:
    if obj.startswith("$"):
        kinds = GLOBALS.get(obj)
        assert isinstance(kinds, dict)
        return kinds.get(name, kinds["*"])
    found = field_types(obj, name)
    if found is not None:
        return found.value_type
    if name.casefold() == "id":
        return VType.TEXT
    return VType.ANY
