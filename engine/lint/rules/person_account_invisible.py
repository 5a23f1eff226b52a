"""person-account-invisible: prospects linked to a lead that was converted to a person
account, which the connector cannot see without `person_accounts: true` (data-aware)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.source import Span

SHOWN = 3  # prospects named in the finding; the rest are counted


@rule(
    "SR407",
    "person-account-invisible",
    Severity.WARNING,
    "a prospect's lead was converted to a person account, which the connector cannot see",
)
class PersonAccountInvisible(Rule):
    """Salesforce Help ("Advanced Salesforce Syncing Options for Account Engagement"): by
    default, when a lead is converted into a person account the connector is unable to see
    the person account and recreates a lead to sync with; "Sync Prospects with Person
    Accounts" (`connector { person_accounts: true }`) makes it follow the conversion.
    Runs only with `lint --records`: a prospect is reported when it is not flagged
    `crm_deleted` and its `crm_contact_fid` is a person account's `PersonContactId`, or its
    `crm_lead_fid` names a converted lead whose `ConvertedContactId` is one."""

    data_aware = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules, records = ctx.rules, ctx.records
        if records is None or rules.connector.person_accounts:
            return
        # lint reads the columns itself (lint never imports the runtime); a flag that is
        # neither true nor false is left to a dry-run, which reports it with its place
        people = {
            str(contact).strip(): account.id
            for account in records.get("accounts")
            if _column(account.raw, "IsPersonAccount") in (True, "true")
            and (contact := _column(account.raw, "PersonContactId"))
        }
        if not people:
            return
        leads = {r.id: r for r in records.leads}
        found: list[str] = []
        for prospect in sorted(records.prospects, key=lambda p: p.id):
            if prospect.crm_deleted:
                continue
            lead = leads.get(prospect.crm_lead_fid or "")
            converted = lead.converted_contact if lead is not None and lead.converted else None
            for contact in (prospect.crm_contact_fid, converted):
                if contact and contact in people:
                    via = f"lead {lead.id} → " if lead is not None and contact == converted else ""
                    found.append(f"{prospect.id} ({via}person account {people[contact]})")
                    break
        where = _where(ctx)
        if not found or where is None:
            return
        shown = ", ".join(found[:SHOWN]) + (
            f" and {len(found) - SHOWN} more" if found[SHOWN:] else ""
        )
        yield self.at(
            where,
            f"{len(found)} prospect(s) are linked to person accounts, which the connector "
            f"cannot see without person_accounts: true ({shown}): each is treated as "
            "unlinked, so it matches another record by email or the connector creates a "
            "new lead for it",
            hint="turn on the connector's Sync Prospects with Person Accounts and write "
            "person_accounts: true in the connector block",
        )


def _column(raw: dict[str, object], name: str) -> object:
    """A column as read, by API name case-insensitively; text flags lower-cased."""
    value = next((v for k, v in raw.items() if k.casefold() == name.casefold()), None)
    return value.strip().lower() if isinstance(value, str) and name.startswith("Is") else value


def _where(ctx: LintContext) -> Span | None:
    """The connector block, where the setting goes; else the rule set's first item."""
    span = ctx.rules.connector.span
    if span is not None:
        return span
    items = [item for f in ctx.rules.files for item in f.items]
    return items[0].span if items else None
