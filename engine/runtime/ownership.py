"""Who owns what the connector creates, and whose owner wins afterwards (issue 12; not
pinned: docs/design.md, "Ownership").

Sources (Salesforce Help): "Assignment Actions for Salesforce"
(`mktg.pardot_prospects_assigments_salesforce`: assign to a Salesforce lead queue; assign
through the active lead assignment rule, the prospect synced without an owner and the
owner synced back), "Default Prospect Field Mapping" (`mktg.pardot_default_prospect_field_mapping`:
Assigned User ↔ Lead Owner / Contact Owner, Salesforce always the source of truth), and
the connector's note that the connector user is the default owner when ownership
conflicts (Salesforce refuses a lead owned by an inactive user).

Every engine asks these functions, so the decision is one piece of code.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.check.model import CheckedRules
from engine.formula.functions import to_text
from engine.plan import Owner, OwnerDecision
from engine.records.model import Record, RecordSet
from engine.records.people import Directory, Standing
from engine.runtime.user_sync import is_connector_user


@dataclass(frozen=True, slots=True)
class People(Directory):
    """The record set's users and queues (records/people.py), and the connector user's Id
    when the users list holds it."""

    connector_user: str | None

    @classmethod
    def of(cls, rules: CheckedRules, records: RecordSet) -> People:  # type: ignore[override]
        found = Directory.of(records)
        connector = next((u.id for u in records.users if is_connector_user(rules, u)), None)
        return cls(found.users, found.queues, connector)


def created_owner(rules: CheckedRules, people: People, assigned: str | None) -> Owner:
    """Who owns the lead the connector creates for a prospect with this assigned user."""
    if assigned:
        standing = people.standing(assigned)
        if standing is Standing.QUEUE:
            queue = people.queue(assigned)
            return Owner(
                OwnerDecision.QUEUE,
                assigned,
                f"the prospect is assigned to queue {assigned} ({queue}): the lead is created "
                "owned by the queue",
            )
        if standing is Standing.INACTIVE:
            who = (
                f"connector user {people.connector_user}"
                if people.connector_user
                else "connector user (not in the users list, so no OwnerId is sent)"
            )
            return Owner(
                OwnerDecision.CONNECTOR_USER,
                people.connector_user,
                f"assigned user {assigned} is inactive, and Salesforce refuses a lead owned by "
                f"an inactive user: the connector creates the lead owned by the {who}",
            )
        return Owner(
            OwnerDecision.ASSIGNED_USER, assigned, f"OwnerId = {assigned} (the assigned user)"
        )
    if rules.connector.assignment_rule:
        return Owner(
            OwnerDecision.ASSIGNMENT_RULE,
            None,
            "no assigned user: the lead is sent without an owner and Salesforce's active "
            "lead assignment rule picks one (assignment_rule: true)",
        )
    return Owner(
        OwnerDecision.UNASSIGNED,
        None,
        "no assigned user: no OwnerId is sent, so Salesforce makes the connector user the owner",
    )


def shown(owner: Owner) -> Owner | None:
    """The decision the plan lists: every one but SPEC §3.4's own (OwnerId = the assigned
    user, or none sent for an unassigned prospect), which `to_salesforce` already shows."""
    quiet = (OwnerDecision.ASSIGNED_USER, OwnerDecision.UNASSIGNED)
    return None if owner.decision in quiet else owner


def followed_owner(
    people: People, assigned: str | None, record_owner: object
) -> tuple[Owner | None, str]:
    """On a synced record, the Salesforce owner wins: the prospect's assigned user becomes
    the record's OwnerId when that is an active user of the users list (Account
    Engagement assigns only to users it is connected with: an owner the export does not
    show as an active user is not followed), and a queue owner leaves the prospect
    unassigned. (None, explain's line) when nothing changes."""
    owner = to_text(record_owner).strip() if record_owner is not None else ""
    if not owner:
        return None, ""  # no owner in the export: nothing to follow
    queue = people.queue(owner)
    if queue is not None:
        if not assigned:
            return None, f"the Salesforce owner is queue {owner} ({queue}): still unassigned"
        return Owner(
            OwnerDecision.SALESFORCE,
            None,
            f"the Salesforce owner is queue {owner} ({queue}): Account Engagement cannot assign "
            f"a prospect to a queue, so the prospect becomes unassigned (was {assigned})",
        ), ""
    if assigned and _same_id(assigned, owner):
        return None, f"the assigned user is the Salesforce owner {owner}"
    if people.active(owner) is not True:
        return None, (
            f"the Salesforce owner {owner} is not an active user of the users list, so "
            "Account Engagement cannot assign the prospect to them: the assigned user stays"
        )
    was = f"was {assigned}" if assigned else "was unassigned"
    return Owner(
        OwnerDecision.SALESFORCE,
        owner,
        f"the Salesforce owner wins: the prospect's assigned user becomes {owner} ({was})",
    ), ""


def owner_of(record: Record) -> object:
    """A lead's or contact's OwnerId as read, declared or not (case-insensitive key)."""
    found = next((k for k in record.values if k.casefold() == "ownerid"), None)
    if found is not None:
        return record.values[found]
    return next((v for k, v in record.raw.items() if k.casefold() == "ownerid"), None)


def _same_id(a: str, b: str) -> bool:
    """One Salesforce Id, written with 15 or 18 characters."""
    return a == b or (len(a) >= 15 and len(b) >= 15 and a[:15] == b[:15])


def take_owner(prospect: Record, owner: Owner | None) -> None:
    """What `run` records on the prospect: its assigned user follows the Salesforce owner.
    A synced record's owner is taken as it is; a created lead's owner comes back in the
    connector's next sync — the connector user is taken, a queue leaves the prospect
    unassigned (Account Engagement assigns to users only), and an assignment rule's pick
    is unknown until then (nothing changes). So `run`'s output syncs with no change."""
    if owner is None or owner.decision is OwnerDecision.ASSIGNMENT_RULE:
        return
    if owner.decision is OwnerDecision.CONNECTOR_USER and owner.id is None:
        return
    new = None if owner.decision is OwnerDecision.QUEUE else owner.id
    if new != prospect.assigned_user:
        prospect.assigned_user = new
        prospect.changed.add("assigned_user")
