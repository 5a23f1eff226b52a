"""type-mismatch: a mapping whose two sides' types cannot carry each other's values.

Also home of the direction helpers `writes_salesforce` / `writes_prospect` and `CHOICE`,
which picklist-mismatch imports: which way a sync behaviour writes is a fact about
mappings that both type rules need (kept here rather than in the shared registry).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from engine.ast import Sync
from engine.check.model import FieldInfo, Mapping
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import GRADE_RANK, GRADES, SALESFORCE_OBJECTS, FieldType, Kind
from engine.lint.registry import LintContext, Rule, rule

# SPEC §3.5: who writes which way. `salesforce`/`pardot`/`most_recent` also fill a blank
# on the other side, so they write both ways; `off` writes nothing.
TO_SALESFORCE = frozenset({Sync.PARDOT, Sync.PARDOT_ALWAYS, Sync.SALESFORCE, Sync.MOST_RECENT})
TO_PROSPECT = frozenset({Sync.SALESFORCE, Sync.SALESFORCE_ALWAYS, Sync.PARDOT, Sync.MOST_RECENT})

CHOICE = frozenset({Kind.PICKLIST, Kind.MULTIPICKLIST})
FREE_TEXT = frozenset({Kind.TEXT, Kind.TEXTAREA, Kind.EMAIL, Kind.PHONE})
UNSYNCABLE = frozenset({Kind.REFERENCE, Kind.ID})

# SPEC §3.6: text fits `number` when all of it reads as a decimal number (the runtime's
# rule; lint may not import the formula library, so the pattern is repeated here).
NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")
# Longest text a date or datetime becomes when written into a text field.
DATE_TEXT, DATETIME_TEXT = len("2026-11-01"), len("2026-11-01 10:00:00Z")
GRADE_TEXT = max(len(g) for g in GRADES)
# A Salesforce Text Area holds at most 255 characters (a Long Text Area declares its
# length), so its values fit a text(255) prospect field. An Account Engagement text area
# has no such limit.
SALESFORCE_TEXTAREA = 255


def as_source(info: FieldInfo) -> FieldType:
    """The field's type as the values read from it are bounded."""
    ftype = info.type
    if ftype.kind is Kind.TEXTAREA and ftype.length is None and info.object in SALESFORCE_OBJECTS:
        return FieldType(Kind.TEXTAREA, SALESFORCE_TEXTAREA)
    return ftype


def writes_salesforce(mapping: Mapping, obj: str) -> bool:
    """Whether a sync cycle can write the prospect's value into the mapping's obj field."""
    if mapping.sync is Sync.OFF:
        return False
    # a lead the connector creates takes every mapped lead field from the prospect
    # (SPEC §3.4), whatever the behaviour
    return obj == "lead" or mapping.sync in TO_SALESFORCE


def writes_prospect(mapping: Mapping) -> bool:
    """Whether a sync cycle can write the Salesforce value into the prospect field."""
    return mapping.sync in TO_PROSPECT


def type_name(ftype: FieldType) -> str:
    """A field type as a message names it: picklists by kind, not by every value."""
    if ftype.kind in CHOICE:
        return f"{ftype.kind} of {len(ftype.values)} values"
    return str(ftype)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why values of one type do not fit a field of another."""

    reason: str  # what the sync drops, with the drop code (SPEC §3.6)
    hint: str  # what to do


def _longest(ftype: FieldType) -> int | None:
    """The most characters a value of this type has as text; None when unbounded."""
    match ftype.kind:
        case Kind.PICKLIST:
            return max((len(v) for v in ftype.values), default=0)
        case Kind.MULTIPICKLIST:
            return len(";".join(ftype.values))
        case Kind.GRADE:
            return GRADE_TEXT
        case Kind.DATE:
            return DATE_TEXT
        case Kind.DATETIME:
            return DATETIME_TEXT
        case _:
            return ftype.max_length


def _into_text(src: FieldType, dst: FieldType) -> Problem | None:
    """Values of src written into a text-like field (text, textarea, email, phone)."""
    if dst.kind is Kind.EMAIL and src.kind is not Kind.EMAIL:
        return Problem(
            "a value that is not an email address is dropped (INVALID_EMAIL_ADDRESS)",
            "map email fields to email fields",
        )
    if src.kind is Kind.NUMBER:
        return None  # a number reads fine as text
    limit, longest = dst.max_length, _longest(src)
    if limit is not None and (longest is None or longest > limit):
        return Problem(
            f"a value longer than {limit} character{'s' if limit != 1 else ''} is dropped "
            "(STRING_TOO_LONG)",
            "give both fields the same length: shorten the longer one or lengthen the shorter one",
        )
    return None


def _into_number(src: FieldType) -> Problem | None:
    if src.kind is Kind.NUMBER:
        return None
    if src.kind is Kind.PICKLIST:
        words = [v for v in src.values if not NUMBER_TEXT.fullmatch(v)]
        if not words:
            return None  # a picklist of numbers carries into a number field
        return Problem(
            f'a value that is not a number ("{words[0]}") is dropped (INVALID_TYPE)',
            "map number fields to number fields, or the picklist to a picklist",
        )
    if src.kind in FREE_TEXT:
        return Problem(
            'text that is not a number (a range such as "50-100") is dropped (INVALID_TYPE)',
            "make both sides numbers, or both text (a picklist of ranges if forms ask for ranges)",
        )
    return Problem(
        f"a {src.kind} value is not a number and is dropped (INVALID_TYPE)",
        "map number fields to number fields",
    )


def carry_problem(src: FieldType, dst: FieldType) -> Problem | None:
    """Why some values of type src do not fit a field of type dst; None when all do.

    Pairs other rules own are None here: picklist to picklist (picklist-mismatch), number
    and phone (number-into-phone), lookups and ids (unsyncable-field-type)."""
    s, d = src.kind, dst.kind
    if (s in CHOICE and d in CHOICE) or {s, d} == {Kind.NUMBER, Kind.PHONE}:
        return None
    if s in UNSYNCABLE or d in UNSYNCABLE:
        return None
    if Kind.BOOLEAN in (s, d):
        if s is d:
            return None
        return Problem(
            "a checkbox holds only true or false, so every value is dropped (INVALID_TYPE)",
            "map checkboxes (boolean) to checkboxes",
        )
    if d is Kind.NUMBER:
        return _into_number(src)
    if d is Kind.GRADE:
        if s is Kind.GRADE or s in FREE_TEXT:
            # a text field mapped to a grade holds the grade the connector wrote there
            return None
        if s is Kind.PICKLIST and all(v in GRADE_RANK for v in src.values):
            return None
        return Problem(
            "a value that is not a letter grade (F … A+) is dropped (INVALID_TYPE)",
            "map grades to grade or text fields",
        )
    if d in (Kind.DATE, Kind.DATETIME):
        if s in (Kind.DATE, Kind.DATETIME):
            return None
        return Problem(
            "a value that is not a date is dropped (INVALID_TYPE)",
            "map dates to date or datetime fields",
        )
    if d in CHOICE:
        if s is Kind.GRADE and all(g in dst.values for g in GRADES):
            return None
        return Problem(
            "a value that is not one of the picklist's values is dropped (INVALID_PICKLIST_VALUE)",
            "make the prospect field a picklist with the same values (Account Engagement: "
            '"Use pre-defined values")',
        )
    return _into_text(src, dst)


@rule(
    "SR201",
    "type-mismatch",
    Severity.WARNING,
    "a mapping whose two sides' types cannot carry each other's values",
)
class TypeMismatch(Rule):
    """Values that do not fit the other side's type are dropped from the write, every sync."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            for obj, node in (("lead", mapping.node.lead), ("contact", mapping.node.contact)):
                target = mapping.target(obj)
                if target is None or node is None:
                    continue
                problems: list[tuple[str, Problem]] = []
                if writes_salesforce(mapping, obj):
                    found = carry_problem(as_source(mapping.prospect), target.type)
                    if found is not None:
                        problems.append(("on its way to Salesforce", found))
                if writes_prospect(mapping):
                    found = carry_problem(as_source(target), mapping.prospect.type)
                    if found is not None:
                        problems.append(("on its way to Account Engagement", found))
                if not problems:
                    continue
                if len(problems) == 2 and problems[0][1] == problems[1][1]:
                    reasons = f"{problems[0][1].reason} both ways"
                else:
                    reasons = "; ".join(f"{p.reason} {way}" for way, p in problems)
                yield self.at(
                    node.span,
                    f"{mapping.name} is {type_name(mapping.prospect.type)} but {obj}."
                    f"{target.name} is {type_name(target.type)}: {reasons}",
                    hint=problems[0][1].hint,
                    related=(
                        (mapping.prospect.span, "prospect field declared here"),
                        (target.span, f"{obj} field declared here"),
                    ),
                )
