"""Person accounts (issue 12; not pinned: docs/design.md, "Person accounts").

A Salesforce person account is one Account row (`IsPersonAccount: true`) that carries the
fields of a hidden Contact, `PersonContactId`. The connector, once "Sync Prospects with
Person Accounts" is on (`connector { person_accounts: true }`), syncs a prospect with that
contact: the prospect's `crm_contact_fid` is the `PersonContactId`, its email is
`PersonEmail`, and each contact field reads and writes the account field that shows it
(`Title` is `PersonTitle`, a custom `Tier__c` is `Tier__pc`; Salesforce Help, "Person
Account Syncing with Salesforce").

So a cycle never needs a fourth kind of record: `person_view` adds one *stand-in* contact
per person account to the contacts list (its `person_account` names the account), every
engine runs the cycle over that view as it would over contacts, and `fold_person_view`
takes the stand-ins out again, writing what the cycle changed on each into its account —
what `run` writes. Without the setting the view is the record set itself: person accounts
are invisible, as the connector's help says they are then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from engine import ir
from engine.check.model import CheckedRules, FieldInfo, ObjectModel, ValidationRule
from engine.fieldtypes import GRADE_RANK, FieldType, Kind, VType
from engine.files import InputError
from engine.records.model import Record, RecordSet, Value
from engine.runtime.context import coerce
from engine.source import Span

# Contact fields that a person account shows under `Person` + the name (Salesforce's
# Account object reference); every other standard Contact field keeps its name there
# (FirstName, LastName, Salutation, Phone, OwnerId …) and a custom `X__c` is `X__pc`.
PERSON_PREFIXED: frozenset[str] = frozenset(
    {
        "AssistantName",
        "AssistantPhone",
        "Birthdate",
        "Department",
        "DoNotCall",
        "Email",
        "EmailBouncedDate",
        "EmailBouncedReason",
        "HasOptedOutOfEmail",
        "HasOptedOutOfFax",
        "HomePhone",
        "IndividualId",
        "LeadSource",
        "MailingAddress",
        "MailingCity",
        "MailingCountry",
        "MailingCountryCode",
        "MailingGeocodeAccuracy",
        "MailingLatitude",
        "MailingLongitude",
        "MailingPostalCode",
        "MailingState",
        "MailingStateCode",
        "MailingStreet",
        "MobilePhone",
        "OtherAddress",
        "OtherCity",
        "OtherCountry",
        "OtherCountryCode",
        "OtherGeocodeAccuracy",
        "OtherLatitude",
        "OtherLongitude",
        "OtherPhone",
        "OtherPostalCode",
        "OtherState",
        "OtherStateCode",
        "OtherStreet",
        "ReportsToId",
        "Title",
    }
)
_PREFIXED = {name.casefold(): name for name in PERSON_PREFIXED}


def account_field(contact_field: str) -> str:
    """The Account field that shows a Contact field on a person account."""
    if contact_field.casefold().endswith("__c"):
        return contact_field[:-1] + "pc"
    prefixed = _PREFIXED.get(contact_field.casefold())
    return f"Person{prefixed}" if prefixed else contact_field


def is_person_account(account: Record) -> bool:
    """`IsPersonAccount` as read: true/false in any case or a boolean; else an input error."""
    key, value = _column(account, "IsPersonAccount")
    if key is None or value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    raise _error(account, key, f"{shown} is not true or false (IsPersonAccount)")


def person_accounts(records: RecordSet) -> Iterator[Record]:
    """The record set's person accounts, in file order."""
    return (a for a in records.get("accounts") if is_person_account(a))


def person_view(rules: CheckedRules, records: RecordSet) -> tuple[CheckedRules, RecordSet]:
    """The rule set and record set as the connector sees them: with `person_accounts:
    true`, one stand-in contact per person account (appended to the contacts, which keep
    their order), and validation rules rewritten so that a write to a stand-in runs the
    Account's rules and not the Contact's (`person_rules`). A contacts row with the same
    Id (a Contact export lists person contacts too) is the same person: the account's row
    stands in and that row is left out of the view. Without person accounts both are
    returned as they are."""
    if not rules.connector.person_accounts:
        return rules, records
    accounts = list(person_accounts(records))
    if not accounts:
        return rules, records
    derived = person_rules(rules)
    stand_ins = [_stand_in(rules, derived, account) for account in accounts]
    ids = {s.id for s in stand_ins}
    contacts = [c for c in records.contacts if c.id not in ids]
    view = RecordSet({**records.lists, "contacts": [*contacts, *stand_ins]}, records.layout)
    return derived, view


# The contact field that tells a stand-in from a contact (Contact.IsPersonAccount exists
# in Salesforce too), and the prefix of the account-only fields an Account rule reads,
# carried on the stand-in so that the rule can run as a contact rule in every engine.
IS_PERSON = "IsPersonAccount"
ACCOUNT_PREFIX = "Account."


def person_rules(rules: CheckedRules) -> CheckedRules:
    """The rule set every engine runs when person accounts sync: each active Contact rule
    becomes `IF(IsPersonAccount, false, rule)`, each active Account rule a Contact rule
    `IF(IsPersonAccount, rule, false)` whose account fields read the stand-in (a contact
    field the account shows, else the account's own value carried as `Account.X`). The
    errors still name the fields the original rule names."""
    contact = rules.object("contact")
    fields = dict(contact.fields)
    flag = contact.get(IS_PERSON)
    if flag is None:
        flag = FieldInfo("contact", IS_PERSON, FieldType(Kind.BOOLEAN), False, True, _span(rules))
        fields[contact.key(IS_PERSON)] = flag
    shown = {account_field(info.name).casefold(): info for info in contact.fields.values()}
    validations: list[ValidationRule] = []
    for rule in rules.validations:
        if not rule.active or rule.object not in ("contact", "account"):
            validations.append(rule)
            continue
        named = _named_fields(rule)
        if rule.object == "contact":
            when = _if(flag, _false(rule.error_if), rule.error_if)
            validations.append(dataclasses.replace(rule, error_if=when, fields=named))
            continue

        def to_contact(ref: ir.FieldRef) -> ir.FieldRef:
            if ref.object != "account":
                return ref
            info = shown.get(ref.name.casefold())
            if info is None:
                name = ACCOUNT_PREFIX + ref.name
                info = FieldInfo("contact", name, ref.field_type, False, True, ref.span)
                fields.setdefault(contact.key(name), info)
            return ir.FieldRef("contact", info.name, info.type, ref.type, ref.span)

        when = _if(flag, _rewrite(rule.error_if, to_contact), _false(rule.error_if))
        validations.append(dataclasses.replace(rule, object="contact", error_if=when, fields=named))
    objects = {**rules.objects, "contact": ObjectModel("contact", fields)}
    return dataclasses.replace(rules, objects=objects, validations=tuple(validations))


def _named_fields(rule: ValidationRule) -> tuple[str, ...]:
    """What an error of the rule names (as runtime/cycle.py's `_rule_fields`)."""
    if rule.field is not None:
        return (rule.field.name,)
    names = [r.name for r in ir.field_refs(rule.error_if) if r.object == rule.object]
    return tuple(dict.fromkeys(names))


def _false(near: ir.Expr) -> ir.Const:
    return ir.Const(False, VType.BOOLEAN, near.span)


def _if(flag: FieldInfo, then: ir.Expr, otherwise: ir.Expr) -> ir.Call:
    test = ir.FieldRef("contact", flag.name, flag.type, VType.BOOLEAN, then.span)
    return ir.Call("IF", (test, then, otherwise), VType.BOOLEAN, then.span)


def _rewrite(expr: ir.Expr, change: Callable[[ir.FieldRef], ir.FieldRef]) -> ir.Expr:
    """The expression with every field reference passed through `change`."""
    match expr:
        case ir.FieldRef():
            return change(expr)
        case ir.Call(args=args):
            return dataclasses.replace(expr, args=tuple(_rewrite(a, change) for a in args))
        case ir.Unary(operand=operand):
            return dataclasses.replace(expr, operand=_rewrite(operand, change))
        case ir.Binary(left=left, right=right):
            return dataclasses.replace(
                expr, left=_rewrite(left, change), right=_rewrite(right, change)
            )
        case ir.Logic(operands=operands):
            return dataclasses.replace(expr, operands=tuple(_rewrite(o, change) for o in operands))
        case ir.InList(subject=subject, options=options):
            return dataclasses.replace(
                expr,
                subject=_rewrite(subject, change),
                options=tuple(_rewrite(o, change) for o in options),
            )
        case ir.InGroup(subject=subject):
            return dataclasses.replace(expr, subject=_rewrite(subject, change))
        case _:
            return expr


def _span(rules: CheckedRules) -> Span:
    """Where the setting that brought person accounts in is written."""
    span = rules.connector.span
    assert span is not None  # person_accounts: true is written in a connector block
    return span


def fold_person_view(original: RecordSet, after: RecordSet) -> RecordSet:
    """The record set `run` writes: the stand-ins taken out of the contacts (the rows the
    view had left out put back, unchanged), each stand-in's writes set on its account."""
    stand_ins = [c for c in after.contacts if c.person_account is not None]
    if not stand_ins:
        return after
    accounts = {a.id: a for a in after.get("accounts")}
    for stand_in in stand_ins:
        account = accounts[stand_in.person_account or ""]
        for name in sorted(stand_in.changed & set(stand_in.values)):
            target = account_field(name)
            account.values[target] = stand_in.values[name]
            account.changed.add(target)
    kept = {c.id: c for c in after.contacts if c.person_account is None}
    contacts = [kept.get(c.id, c) for c in original.contacts]  # the cycle creates none
    return RecordSet({**after.lists, "contacts": contacts}, after.layout)


def _stand_in(rules: CheckedRules, derived: CheckedRules, account: Record) -> Record:
    key, person_contact = _column(account, "PersonContactId")
    contact_id = "" if person_contact is None else str(person_contact).strip()
    if not contact_id:
        raise _error(
            account,
            key or "PersonContactId",
            "missing (a person account needs PersonContactId: its prospect's "
            "crm_contact_fid, with connector { person_accounts: true })",
        )
    values: dict[str, Value] = {}
    for info in derived.object("contact").fields.values():
        if info.name.startswith(ACCOUNT_PREFIX):
            declared = rules.object("account").get(info.name.removeprefix(ACCOUNT_PREFIX))
            if declared is not None and declared.name in account.values:
                values[info.name] = account.values[declared.name]
            continue
        if rules.object("contact").get(info.name) is None:  # IsPersonAccount, added
            values[info.name] = True
            continue
        value = _value(rules, account, info)
        if value is not _NONE:
            values[info.name] = value
    values[derived.object("contact").get(IS_PERSON).name] = True  # type: ignore[union-attr]
    _, email = _column(account, "PersonEmail")
    raw: dict[str, Any] = {"Id": contact_id, "Email": email}
    return Record(
        "contact",
        contact_id,
        values,
        raw,
        account.origin,
        updated_at=account.updated_at,
        deleted=_deleted(account),
        person_account=account.id,
    )


_NONE = object()


def _value(rules: CheckedRules, account: Record, info: FieldInfo) -> Any:
    """The contact field's value on the account, typed as the contact declares it."""
    name = account_field(info.name)
    declared = rules.object("account").get(name)
    if declared is not None and declared.name in account.values:
        return account.values[declared.name]
    key, value = _column(account, name)
    if key is None:
        return _NONE
    if info.type.kind is Kind.BOOLEAN and value is None:
        return False  # a checkbox is never blank
    typed = coerce(value, info.type.value_type)
    blank = value is None or (isinstance(value, str) and not value.strip())
    fits = {
        Kind.NUMBER: lambda v: isinstance(v, Decimal),
        Kind.BOOLEAN: lambda v: isinstance(v, bool),
        Kind.DATE: lambda v: isinstance(v, dt.date),
        Kind.DATETIME: lambda v: isinstance(v, dt.datetime),
        Kind.GRADE: lambda v: v in GRADE_RANK,
    }.get(info.type.kind)
    if blank and fits is not None:
        return False if info.type.kind is Kind.BOOLEAN else None
    if fits is not None and not fits(typed):
        raise _error(
            account,
            key,
            f'"{value}" does not fit contact.{info.name} ({info.type}), which it shows on '
            "a person account",
        )
    return typed


def _deleted(account: Record) -> bool:
    key, value = _column(account, "IsDeleted")
    if key is None or value is None:
        return False
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _column(record: Record, name: str) -> tuple[str | None, Any]:
    """A column by API name, case-insensitively (SPEC §1), as read."""
    folded = name.casefold()
    for key, value in record.raw.items():
        if isinstance(key, str) and key.casefold() == folded:
            return key, value
    return None, None


def _error(account: Record, key: str, problem: str) -> InputError:
    return InputError(f"{account.origin.describe(account.id)}, field {key}: {problem}")


__all__ = [
    "PERSON_PREFIXED",
    "account_field",
    "fold_person_view",
    "is_person_account",
    "person_accounts",
    "person_rules",
    "person_view",
]
