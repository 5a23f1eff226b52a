"""Marketing Cloud Personalization's nightly match-and-merge with Salesforce (SPEC §6).

Users match contacts, then (only with a `match lead` line) leads; accounts match accounts.
Priority is the listed field order, then `Name` and `Email` (not for accounts) unless
`designated_only`. Matching is exact and case-sensitive, and nothing is ever created.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.check.model import CheckedRules, PersonalizationConfig
from engine.formula.functions import to_text
from engine.plan import PzOutcome, Target
from engine.records.model import Record, RecordSet
from engine.runtime.context import field_value


def _text(rules: CheckedRules, record: Record, name: str) -> str:
    """A record's value for a match field as exact text ("" when absent)."""
    info = rules.object(record.object).get(name)
    if info is not None:
        return to_text(field_value(rules, record, record.object, name))
    if name in record.values:
        return to_text(record.values[name])
    if name in record.raw:
        return to_text(record.raw[name])
    if name == "Id":
        return record.id
    if name == "Name" and record.object in ("contact", "lead"):
        # Salesforce's compound Name of a person: "First Last"
        first, last = _text(rules, record, "FirstName"), _text(rules, record, "LastName")
        return " ".join(p for p in (first, last) if p)
    return ""


def _priorities(fields: tuple[str, ...], designated_only: bool, account: bool) -> list[str]:
    order = list(fields)
    if not designated_only:
        for implied in ("Name",) if account else ("Name", "Email"):
            if implied not in order:
                order.append(implied)
    return order


def _find(rules: CheckedRules, pool: Iterable[Record], field: str, value: str) -> Record | None:
    hits = [r for r in pool if _text(rules, r, field) == value]
    return min(hits, key=lambda r: r.id) if hits else None  # several: the smallest Id


def _match(
    rules: CheckedRules,
    subject: Record,
    pools: list[tuple[str, list[Record], tuple[str, ...]]],
    config: PersonalizationConfig,
    account: bool,
) -> tuple[Record, str] | None:
    for _obj, pool, fields in pools:
        for field in _priorities(fields, config.designated_only, account):
            value = to_text(subject.values.get(field))
            if value == "":
                continue
            found = _find(rules, pool, field, value)
            if found is not None:
                return found, field
    return None


def _converted(records: RecordSet, lead: Record) -> Record:
    """A converted lead's data goes to the contact it became."""
    contact_id = next(
        (str(v) for k, v in lead.raw.items() if k.casefold() == "convertedcontactid" and v), None
    )
    if contact_id is None:
        return lead
    return next((c for c in records.contacts if c.id == contact_id), lead)


def match_personalization(rules: CheckedRules, records: RecordSet) -> tuple[PzOutcome, ...]:
    """One outcome per Personalization user, then per account, each in id order."""
    config = rules.personalization
    if config is None:
        return ()
    by_object = {m.object: m.fields for m in config.matches}
    person_pools = [("contact", records.contacts, by_object.get("contact", ()))]
    if "lead" in by_object:  # leads only when a `match lead` line enables them
        person_pools.append(("lead", records.leads, by_object["lead"]))
    account_pools = [("account", records.get("accounts"), by_object.get("account", ()))]
    outcomes: list[PzOutcome] = []
    for kind, subjects, pools in (
        ("user", records.get("personalization_users"), person_pools),
        ("account", records.get("personalization_accounts"), account_pools),
    ):
        for subject in sorted(subjects, key=lambda r: r.id):
            found = _match(rules, subject, pools, config, kind == "account")
            if found is None:
                outcomes.append(PzOutcome(kind, subject.id, "skip", reason="unmatched"))
                continue
            record, field = found
            if record.object == "lead":
                record = _converted(records, record)
            outcomes.append(
                PzOutcome(kind, subject.id, "merge", Target(record.object, record.id), field)
            )
    return tuple(outcomes)
