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

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from engine.check.model import CheckedRules, FieldInfo
from engine.fieldtypes import GRADE_RANK, Kind
from engine.files import InputError
from engine.records.model import Record, RecordSet, Value
from engine.runtime.context import coerce

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


def person_view(rules: CheckedRules, records: RecordSet) -> RecordSet:
    """The record set as the connector sees it: with `person_accounts: true`, one stand-in
    contact per person account (appended to the contacts, which keep their order).
    A contacts row with the same Id (a Contact export lists person contacts too) is the
    same person: the account's row stands in and that row is left out of the view."""
    if not rules.connector.person_accounts:
        return records
    stand_ins = [_stand_in(rules, account) for account in person_accounts(records)]
    if not stand_ins:
        return records
    ids = {s.id for s in stand_ins}
    contacts = [c for c in records.contacts if c.id not in ids]
    return RecordSet({**records.lists, "contacts": [*contacts, *stand_ins]}, records.layout)


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


def _stand_in(rules: CheckedRules, account: Record) -> Record:
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
    for info in rules.object("contact").fields.values():
        value = _value(rules, account, info)
        if value is not _NONE:
            values[info.name] = value
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
    "person_view",
]
