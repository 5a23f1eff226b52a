"""The plan of one sync cycle: what happens to each prospect, and why. Renderers read it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from engine.fieldtypes import Value


class Action(StrEnum):
    CREATE_LEAD = "create_lead"
    UPDATE = "update"
    NO_CHANGE = "no_change"
    SKIP = "skip"
    ERROR = "error"


class SkipReason(StrEnum):
    PAUSED = "paused"
    CRM_DELETED = "crm_deleted"
    NOT_SHARED = "not_shared"
    GATED = "gated"


class ErrorCode(StrEnum):
    """Salesforce's own status codes for a rejected write (SPEC §3.7)."""

    READONLY = "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
    REQUIRED = "REQUIRED_FIELD_MISSING"
    VALIDATION = "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    DUPLICATE = "DUPLICATES_DETECTED"


class DropCode(StrEnum):
    """Why a value did not fit the field it was written into (SPEC §3.6)."""

    INVALID_TYPE = "INVALID_TYPE"
    INVALID_PICKLIST_VALUE = "INVALID_PICKLIST_VALUE"
    INVALID_EMAIL_ADDRESS = "INVALID_EMAIL_ADDRESS"
    STRING_TOO_LONG = "STRING_TOO_LONG"
    # a number with more digits than the field holds (Salesforce's own status code)
    NUMBER_OUTSIDE_VALID_RANGE = "NUMBER_OUTSIDE_VALID_RANGE"


class OwnerDecision(StrEnum):
    """Why a record's owner is who it is (the plan's `owner.decision`; runtime/ownership.py)."""

    ASSIGNED_USER = "assigned_user"  # the prospect's active assigned user (SPEC §3.4)
    QUEUE = "queue"  # the prospect is assigned to a Salesforce lead queue
    CONNECTOR_USER = "connector_user"  # the assigned user is inactive: the connector user
    ASSIGNMENT_RULE = "assignment_rule"  # no owner sent: the active lead assignment rule
    UNASSIGNED = "unassigned"  # no owner sent (SPEC §3.4): the connector user owns it
    SALESFORCE = "salesforce"  # a synced record: its Salesforce owner wins in AE


@dataclass(frozen=True, slots=True)
class Owner:
    """An owner decision: `id` is the OwnerId written (a created lead) or the assigned user
    the prospect takes (a synced record; None: unassigned); `why` is explain's sentence."""

    decision: OwnerDecision
    id: str | None
    why: str


@dataclass(frozen=True, slots=True)
class Target:
    object: str
    id: str


@dataclass(frozen=True, slots=True)
class Dropped:
    field: str  # the Salesforce API name, or the prospect field for a value bound for AE
    code: DropCode
    value: Value


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing Salesforce check: its code, the rule (if any), message and fields."""

    code: ErrorCode
    rule: str | None
    message: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormulaProblem:
    """A formula that failed while evaluating for a record: never a silent pass."""

    rule: str  # "stage MQL", "share lead", "validation Country_Required"
    record: str  # the prospect or Salesforce record it failed on
    message: str
    location: str  # path:line:col of the failing expression


@dataclass(frozen=True, slots=True)
class Outcome:
    """The one action a prospect gets (SPEC §3.8)."""

    prospect: str
    action: Action
    stages: tuple[str, ...]
    reason: SkipReason | None = None
    target: Target | None = None
    matched_by: str | None = None  # "crm_id" | "email"
    to_salesforce: tuple[tuple[str, Value], ...] = ()
    to_pardot: tuple[tuple[str, Value], ...] = ()
    dropped: tuple[Dropped, ...] = ()
    failures: tuple[Failure, ...] = ()  # every failing check of the first failing kind
    problems: tuple[FormulaProblem, ...] = ()
    created_id: str | None = None  # the Id `run` gives a created lead
    owner: Owner | None = None  # an owner decision other than SPEC §3.4's (ownership.shown)
    business_unit: str | None = None  # the unit whose cycle gave it; None: no units declared

    @property
    def error(self) -> Failure | None:
        return self.failures[0] if self.action is Action.ERROR and self.failures else None


@dataclass(frozen=True, slots=True)
class NewProspect:
    """A prospect the connector creates from a lead or contact that has none (SPEC §3.9).

    `id` is the id `run` gives it (docs/design.md: `sf-<object>-<Id>`); the JSON plan
    does not show it, as SPEC §4 pins the entry's keys."""

    source: Target
    id: str
    to_pardot: tuple[tuple[str, Value], ...]
    dropped: tuple[Dropped, ...] = ()
    business_unit: str | None = None  # the unit that creates it; None: no units declared


CREATE_PROSPECT = "create_prospect"  # the action of every NewProspect (SPEC §3.8, §4)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of `explain`: a title (`match`, `stage MQL` …), what was found, and detail."""

    step: str
    summary: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PzOutcome:
    """A Personalization user or account: merged with a Salesforce record, or skipped."""

    kind: str  # "user" | "account"
    id: str
    action: str  # "merge" | "skip"
    target: Target | None = None
    matched_by: str | None = None  # the match field that matched, e.g. "Email"
    reason: str | None = None  # "unmatched"


@dataclass(frozen=True, slots=True)
class UserAccess:
    """User Sync: what a Salesforce user's Account Engagement access becomes."""

    user: str  # the Salesforce user Id
    name: str
    profile: str
    action: str  # "gain" | "change" | "lose" | "keep" | "none" | "skip"
    role: str | None  # the role after the sync (None: no AE user)
    current: str | None  # the role before (None: no AE user)
    reason: str | None = None  # "deactivated" | "no_role" | "connector_user"


@dataclass(frozen=True, slots=True)
class CampaignLink:
    """Connected Campaigns: one AE campaign, Salesforce campaign, or declared link."""

    name: str  # the AE campaign's name (or, for one still to create, the name it gets)
    action: str  # "create" | "link" | "linked" | "unlinked" | "skip"
    pardot_campaign: str | None  # the AE campaign id (None: none yet)
    salesforce_campaign: str | None  # the Salesforce campaign Id
    reason: str | None = (
        None  # skip: "no_salesforce_campaign" | "linked_twice" | "linked_elsewhere"
    )
    declared: bool = False  # named by a line of the campaigns block


@dataclass(frozen=True, slots=True)
class UnitOverlap:
    """A Salesforce record that prospects of more than one business unit sync with in one
    run (docs/design.md, business units): the units ran in order, the last one's writes
    are what Salesforce keeps."""

    target: Target
    units: tuple[str, ...]  # in the order the units ran
    prospects: tuple[str, ...]  # each unit's prospect (or new prospect) on the record


@dataclass(frozen=True, slots=True)
class Plan:
    outcomes: tuple[Outcome, ...]
    problems: tuple[FormulaProblem, ...] = field(default=())  # share rules on records
    personalization: tuple[PzOutcome, ...] | None = None  # None: no personalization block
    user_sync: tuple[UserAccess, ...] | None = None  # None: no user_sync block
    campaigns: tuple[CampaignLink, ...] | None = None  # None: no campaigns block
    from_salesforce: tuple[NewProspect, ...] = ()  # SPEC §3.9, in creation order
    # the business units in the order their cycles ran; () when the rules declare none,
    # and then no outcome names a unit and the plan is what SPEC §4 pins
    business_units: tuple[str, ...] = ()
    overlaps: tuple[UnitOverlap, ...] = ()

    def for_unit(self, unit: str) -> Plan:
        """The part of the plan one business unit's cycle made."""
        return Plan(
            tuple(o for o in self.outcomes if o.business_unit == unit),
            from_salesforce=tuple(n for n in self.from_salesforce if n.business_unit == unit),
        )

    @property
    def has_errors(self) -> bool:
        return any(o.action is Action.ERROR for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        """Prospects per action, every action present (SPEC §4 summary)."""
        tally = Counter(o.action for o in self.outcomes)
        return (
            {"prospects": len(self.outcomes)}
            | {a.value: tally.get(a, 0) for a in Action}
            | {CREATE_PROSPECT: len(self.from_salesforce)}
        )

    def reasons(self) -> dict[str, int]:
        tally = Counter(o.reason.value for o in self.outcomes if o.reason is not None)
        return dict(sorted(tally.items()))

    def errors_by_rule(self) -> dict[tuple[str, str], int]:
        tally = Counter(
            (o.error.code.value, o.error.rule or "") for o in self.outcomes if o.error is not None
        )
        return dict(sorted(tally.items()))

    def outcome(self, prospect: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.prospect == prospect), None)


@dataclass(frozen=True, slots=True)
class Summary:
    """A plan's totals, as `run` prints them (`plan_table.summary`): from a whole Plan
    (`of`), or on the direct path from SQL and the failing prospects' Outcomes alone, so a
    million prospects are never a million Outcomes (issue 10)."""

    counts: dict[str, int]  # as Plan.counts
    reasons: dict[str, int]  # as Plan.reasons
    errors_by_rule: dict[tuple[str, str], int]  # as Plan.errors_by_rule
    problems: int  # formula failures: the plan's own and its outcomes'
    from_salesforce: int = 0

    @property
    def has_errors(self) -> bool:
        return self.counts[Action.ERROR.value] > 0

    @staticmethod
    def of(plan: Plan) -> Summary:
        problems = len(plan.problems) + sum(len(o.problems) for o in plan.outcomes)
        return Summary(
            plan.counts(),
            plan.reasons(),
            plan.errors_by_rule(),
            problems,
            len(plan.from_salesforce),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """A prospect whose outcome differs between two rule versions (`syncrules diff`)."""

    prospect: str
    old: Outcome | None
    new: Outcome | None
    what: tuple[str, ...]  # "action", "target", "reason", "to_salesforce", …
    # a prospect created from Salesforce (SPEC §3.9) under either version: `prospect` is
    # then its source record ("lead 00Q1") and old/new Outcome are None
    created: tuple[NewProspect | None, NewProspect | None] | None = None


def _signature(o: Outcome) -> dict[str, object]:
    return {
        "action": o.action,
        "reason": o.reason,
        "target": o.target,
        "to_salesforce": o.to_salesforce,
        "to_pardot": o.to_pardot,
        "dropped": o.dropped,
        "error": (o.error.code, o.error.rule) if o.error else None,
        "stages": o.stages,
        "business_unit": o.business_unit,  # None on both sides without units
        # the decision and the Id, not explain's sentence (a dry-run words none)
        "owner": (o.owner.decision, o.owner.id) if o.owner else None,
    }


def compare_plans(old: Plan, new: Plan) -> tuple[Change, ...]:
    """Prospects whose action, target, writes, error, stages, business unit or owner
    decision change, in id order."""
    before = {o.prospect: o for o in old.outcomes}
    after = {o.prospect: o for o in new.outcomes}
    changes: list[Change] = []
    for prospect in sorted(before.keys() | after.keys()):
        a, b = before.get(prospect), after.get(prospect)
        if a is None or b is None:
            changes.append(Change(prospect, a, b, ("prospect",)))
            continue
        sa, sb = _signature(a), _signature(b)
        what = tuple(k for k in sa if sa[k] != sb[k])
        if what:
            changes.append(Change(prospect, a, b, what))
    return tuple(changes) + _compare_created(old, new)


def _compare_created(old: Plan, new: Plan) -> tuple[Change, ...]:
    """Prospects from Salesforce that one version creates and the other does not, or
    creates with other fields; in source order (contacts, then leads, by Id)."""
    before = {(n.source.object, n.source.id): n for n in old.from_salesforce}
    after = {(n.source.object, n.source.id): n for n in new.from_salesforce}
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0] != "contact", k[1])):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            what: tuple[str, ...] = ("action",)
        else:
            what = tuple(
                name
                for name, x, y in (
                    ("to_pardot", a.to_pardot, b.to_pardot),
                    ("dropped", a.dropped, b.dropped),
                )
                if x != y
            )
        if what:
            changes.append(Change(f"{key[0]} {key[1]}", None, None, what, (a, b)))
    return tuple(changes)
