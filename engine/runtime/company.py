"""A contact's Company is its Account's Name (issue 12; not pinned: docs/design.md,
"Company from the Account").

Sources (Salesforce Help): "Default Prospect Field Mapping"
(`mktg.pardot_default_prospect_field_mapping`: Company ↔ Lead Company, Contact Account
Name; read-only in Account Engagement when the contact has an account) and "Prospect
Account Considerations" (`mktg.pardot_prospect_account_considerations`: the company comes
from the account, whatever the field's sync behaviour).

The prospect field is the one mapped to lead `Company` with no contact field of its own (a
mapping that names a contact field was remapped, and that field syncs instead). Every
engine calls these functions, so the rule is one piece of code.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.check.model import CheckedRules, Mapping
from engine.formula.functions import is_blank, to_text
from engine.plan import Dropped
from engine.records.model import Record, RecordSet, Value
from engine.runtime.context import field_value
from engine.runtime.fit import fit, same


@dataclass(frozen=True, slots=True)
class Accounts:
    """Account Id → Name, from the record set's `accounts`."""

    names: dict[str, str]

    @classmethod
    def of(cls, records: RecordSet) -> Accounts:
        names: dict[str, str] = {}
        for account in records.get("accounts"):
            if to_text(_column(account, "IsPersonAccount")).strip().casefold() == "true":
                continue  # a person account's Name is the person's, not a company
            names.setdefault(account.id, to_text(_column(account, "Name")).strip())
        return cls(names)

    def of_contact(self, contact: Record) -> tuple[str, str] | None:
        """(AccountId, Name) of the contact's account when it has a non-blank Name."""
        account_id = to_text(_column(contact, "AccountId")).strip()
        name = self.names.get(account_id, "") if account_id else ""
        return (account_id, name) if name else None


def company_mapping(rules: CheckedRules) -> Mapping | None:
    """The mapping Company syncs through: lead `Company`, no contact field, not `off`."""
    for mapping in rules.mappings:
        lead = mapping.lead
        # `off` by its value: the runtime reads check's model, not the AST (layers contract)
        if lead is None or mapping.contact is not None or mapping.sync.value == "off":
            continue
        if lead.name.casefold() == "company":
            return mapping
    return None


def account_company(
    rules: CheckedRules, accounts: Accounts, prospect: Record | None, contact: Record
) -> tuple[str, Value, Dropped | None, str] | None:
    """What the contact's Account Name does to the prospect's company field: (field,
    value written — None when it already holds it —, a dropped value, explain's line).
    None when no mapping carries Company or the contact has no named account. `prospect`
    None: a prospect created from the contact (every fitting name is written)."""
    mapping = company_mapping(rules)
    found = accounts.of_contact(contact)
    if mapping is None or found is None:
        return None
    account_id, name = found
    field = mapping.prospect
    label = f"{field.name} ↔ Account {account_id} Name (the contact's account; Salesforce wins)"
    fitted, code = fit(name, field.type)
    if code is not None:
        why = f"{label}: {name!r} does not fit {field.type}: dropped ({code})"
        return field.name, None, Dropped(field.name, code, name), why
    current = field_value(rules, prospect, "prospect", field.name) if prospect else None
    if (
        prospect is not None
        and not is_blank(current)
        and same(current, field.type, fitted, field.type)
    ):
        return field.name, None, None, f"{label}: {name!r} on both sides"
    return field.name, fitted, None, f"{label}: write {name!r} to Account Engagement"


def _column(record: Record, name: str) -> Value:
    """A field by name, declared (typed) or not (as read), case-insensitively."""
    folded = name.casefold()
    for key, value in record.values.items():
        if key.casefold() == folded:
            return value
    raw = next((v for k, v in record.raw.items() if k.casefold() == folded), None)
    return raw if isinstance(raw, str) else None if raw is None else to_text(raw)
