"""assigned-user-not-owner: prospects the connector may create as leads whose assigned user
is no active Salesforce user, so the new lead cannot be owned by them (data-aware).

The owner Id is judged by the function the cycle's ownership decision asks
(records/people.py, Directory.standing), so the finding says what the dry-run plans: an
inactive user's lead goes to the connector user, a queue is a fine owner, and an Id the
users list does not hold is sent as it is (the export may list only part of the org),
which the finding calls a risk, not a certainty."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ast
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Severity
from engine.lint.constraints import Expander, TooComplex, conflict
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.rules.email_case_mismatch import text_of
from engine.records.people import Directory, Standing
from engine.source import Span

SHOWN = 3  # prospects named per user; the rest are counted


@rule(
    "SR304",
    "assigned-user-not-owner",
    Severity.WARNING,
    "a prospect the gate may create as a lead is assigned to no active Salesforce user",
)
class AssignedUserNotOwner(Rule):
    """The connector creates a lead with OwnerId = the assigned user (SPEC §3.4); Salesforce
    refuses an owner that is not an active user, so an inactive user's lead is owned by the
    connector user, and an Id the users list does not show is at risk. Runs only with
    `lint --records`, and only when the record set lists users (without them no user can
    be judged).

    Cheap by design, no cycle is run: a prospect is reported when it has an assigned user
    that is not an active user, is not flagged `crm_deleted`, no existing lead or contact
    takes it (its CRM ids name none, and — when the connector matches by email — no lead or
    contact has its email), the connector is not paused, and the create gate can hold for an
    assigned prospect. The gate is not evaluated per prospect: one it does not admit this
    cycle may be admitted later, with the same owner problem."""

    data_aware = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules, records = ctx.rules, ctx.records
        if records is None or not records.users or rules.connector.paused:
            return
        if not _gate_admits_assigned(rules):
            return
        people = Directory.of(records)
        leads = {r.id: r for r in records.leads}
        contacts = {r.id: r for r in records.contacts}
        by_email = rules.connector.match is ast.MatchMode.EMAIL or rules.connector.email_fallback
        emails = {
            text_of(r, "Email").strip().casefold()
            for r in (*records.leads, *records.contacts)
            if not r.deleted and not (r.object == "lead" and r.converted)
        } - {""}
        found: dict[str, list[str]] = {}
        for prospect in sorted(records.prospects, key=lambda p: p.id):
            owner = prospect.assigned_user
            if not owner or prospect.crm_deleted:
                continue
            standing = people.standing(owner)
            if standing in (Standing.QUEUE, Standing.ACTIVE):
                continue  # owns the lead as assigned
            if prospect.crm_contact_fid in contacts:
                continue  # linked to an existing contact: never created
            lead = leads.get(prospect.crm_lead_fid or "")
            if lead is not None and not (
                lead.converted and (lead.converted_contact or "") not in contacts
            ):
                continue  # linked to a lead, or through a converted one to its contact
            if by_email and prospect.email.strip().casefold() in emails:
                continue  # an existing record with its email will most likely take it
            found.setdefault(owner, []).append(prospect.id)
        span = _where(rules)
        if span is None:
            return
        for owner in sorted(found):
            ids = found[owner]
            shown = ", ".join(ids[:SHOWN]) + (
                f" and {len(ids) - SHOWN} more" if ids[SHOWN:] else ""
            )
            head = (
                f"{len(ids)} prospect(s) assigned to {owner} have no lead or contact and may "
                f"be created as leads ({shown})"
            )
            if people.standing(owner) is Standing.INACTIVE:
                yield self.at(
                    span,
                    f"{head}, but {owner} is an inactive user: Salesforce refuses an inactive "
                    "owner, so the connector creates the leads owned by the connector user",
                    hint=f"reassign the prospects to an active Salesforce user, or reactivate "
                    f"{owner} before the connector creates their leads",
                )
            else:
                yield self.at(
                    span,
                    f"{head}, but {owner} names no user in the users list: the leads are "
                    f"created with OwnerId {owner}, which Salesforce refuses unless it is an "
                    "active user",
                    hint=f"add {owner} to the users list (an export of every user), or "
                    "reassign the prospects to a listed active user",
                )


def _gate_admits_assigned(rules: CheckedRules) -> bool:
    """Whether the create gate can hold for a prospect with an assigned user."""
    expander = Expander({s.name: s.when for s in rules.stages}, rules.sources)
    assigned = expander.flag(("assigned",), "assigned", True)[0]
    try:
        ways = expander.dnf(rules.gate.when)
    except TooComplex:
        return True
    return any(conflict(way + assigned) is None for way in ways)


def _where(rules: CheckedRules) -> Span | None:
    """The create gate's condition; for the default gate, lead OwnerId's declaration, else
    the first `object lead`, else the rule set's first item."""
    if rules.gate.node is not None:
        return rules.gate.node.when.span
    owner = rules.object("lead").get("OwnerId")
    if owner is not None:
        return owner.span
    items = [item for f in rules.files for item in f.items]
    for item in items:
        if isinstance(item, ast.ObjectDecl) and item.object.name == "lead":
            return item.object.span
    return items[0].span if items else None
