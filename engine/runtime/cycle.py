"""One sync cycle, exactly as SPEC §3 pins it, over an in-memory record set.

Prospects are processed in id order against a working copy of the record set, so what
one prospect does (a created lead, a changed Email) is what the next one sees — as the
connector itself would. `dry_run` throws the working copy away; `run` keeps it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine import ir
from engine.check.model import CheckedRules, FieldInfo, Mapping, ValidationRule
from engine.deep import collector_paused
from engine.formula.functions import is_blank
from engine.graph import Schedule, schedule_for
from engine.plan import (
    Action,
    DropCode,
    Dropped,
    ErrorCode,
    Failure,
    FormulaProblem,
    NewProspect,
    Outcome,
    Owner,
    Plan,
    SkipReason,
    Step,
    Target,
)
from engine.records.model import Origin, Record, RecordSet, Value
from engine.runtime.campaigns import plan_campaigns
from engine.runtime.company import Accounts, account_company
from engine.runtime.context import (
    Clock,
    Directory,
    ProspectContext,
    RecordContext,
    directory,
    field_value,
)
from engine.runtime.evaluate import EvalError, Result, Trace, evaluate, holds
from engine.runtime.explain import Explainer, show
from engine.runtime.fit import fit, same
from engine.runtime.history import FieldHistory
from engine.runtime.ownership import (
    People,
    created_owner,
    followed_owner,
    owner_of,
    shown,
    take_owner,
)
from engine.runtime.person import fold_person_view, person_view
from engine.runtime.personalization import match_personalization
from engine.runtime.user_sync import plan_user_sync
from engine.source import Span
from engine.vocabulary import MatchMode, Sync

NEW_LEAD_PREFIX = "00QSR"  # 00Q is Salesforce's Lead key prefix; SR marks syncrules
NEW_PROSPECT_PREFIX = "sf"  # a prospect created from lead 00Q1 is sf-lead-00Q1 (design.md)


@dataclass(frozen=True, slots=True)
class CycleResult:
    plan: Plan
    records: RecordSet  # the record set after the cycle's writes
    explanation: tuple[Explainer, ...] = ()


@dataclass(slots=True)
class Match:
    record: Record | None
    matched_by: str | None
    not_shared: bool = False


@dataclass(slots=True)
class _Cycle:
    rules: CheckedRules
    records: RecordSet
    clock: Clock
    explain_id: str | frozenset[str] | None  # one prospect (explain) or several (a report)
    groups: Directory = field(init=False)
    schedule: Schedule = field(init=False)
    people: People = field(init=False)
    accounts: Accounts = field(init=False)
    history: FieldHistory = field(init=False)
    visible: dict[str, bool] = field(default_factory=dict)
    problems: list[FormulaProblem] = field(default_factory=list)
    next_lead: int = 1
    explainers: list[Explainer] = field(default_factory=list)
    by_id: dict[tuple[str, str], Record] = field(default_factory=dict)
    by_email: dict[str, list[Record]] = field(default_factory=dict)
    email_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    # per duplicate rule: its key (the rule's field values, folded) → the records holding it
    twins: list[dict[tuple[str, ...], set[tuple[str, str]]]] = field(default_factory=list)
    twin_keys: dict[tuple[int, str, str], tuple[str, ...] | None] = field(default_factory=dict)
    # prospect id → (the merged loser it is linked to, that loser's master)
    merges: dict[str, tuple[Record, Record]] = field(default_factory=dict)
    # record (object, Id) → the first prospect linked to it, kept current as links are made
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    # object → its mappings with the field each writes there, in declaration order
    targets: dict[str, tuple[tuple[Mapping, FieldInfo], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.groups = directory(self.records.users)
        self.schedule = schedule_for(self.rules)
        self.people = People.of(self.rules, self.records)
        self.accounts = Accounts.of(self.records)
        self.history = FieldHistory.of(self.records)
        self.twins = [{} for _ in self.rules.duplicates]
        for record in (*self.records.contacts, *self.records.leads):
            self.index(record)
        self.plan_merges()

    # -- merges (docs/design.md: not pinned) -------------------------------------------

    def linked_record(self, prospect: Record) -> Record | None:
        """SPEC §3.2's linked record: the contact crm_contact_fid names when it exists,
        else the lead crm_lead_fid names."""
        contact = self.find("contact", prospect.crm_contact_fid)
        return contact if contact is not None else self.find("lead", prospect.crm_lead_fid)

    def master_of(self, record: Record) -> Record | None:
        """The live record a deleted merge loser went into (`master_of`)."""
        return master_of(record, self.find)

    def plan_merges(self) -> None:
        """Which prospects are linked to a merged loser (Salesforce Help, "Automatically
        Merge and Delete Prospects"), and which prospect each record already has."""
        for prospect in sorted(self.records.prospects, key=lambda r: r.id):
            if prospect.crm_deleted:
                continue
            linked = self.linked_record(prospect)
            master = self.master_of(linked) if linked is not None and linked.deleted else None
            if master is not None and linked is not None:
                self.merges[prospect.id] = (linked, master)
            for obj, record_id in (
                ("contact", prospect.crm_contact_fid),
                ("lead", prospect.crm_lead_fid),
            ):
                if record_id:
                    self.owners.setdefault((obj, record_id), prospect.id)

    def rival(self, prospect: Record, master: Record) -> str | None:
        """Another prospect already on the master: linked to it in the record set, or
        linked by this cycle before this prospect's turn."""
        owner = self.owners.get((master.object, master.id))
        return owner if owner is not None and owner != prospect.id else None

    def index(self, record: Record) -> None:
        """Keep the Id and email look-ups current as records are created and written."""
        key = (record.object, record.id)
        self.by_id.setdefault(key, record)
        if record.deleted or record.converted:
            return  # SPEC §3.2, §3.3: never matched by email, never counted as a duplicate
        for n, rule in enumerate(self.rules.duplicates):
            twin_key = _dup_key(self.rules, record, rule.fields)
            before = self.twin_keys.get((n, *key))
            if before != twin_key:
                if before is not None:
                    self.twins[n][before].discard(key)
                if twin_key is not None:
                    self.twins[n].setdefault(twin_key, set()).add(key)
                self.twin_keys[(n, *key)] = twin_key
        old, email = self.email_keys.get(key), _email_of(self.rules, record)
        if old == email:
            return
        if old:
            self.by_email[old] = [r for r in self.by_email[old] if r is not record]
        if email:
            self.by_email.setdefault(email, []).append(record)
        self.email_keys[key] = email

    # -- visibility (SPEC §3.2) --------------------------------------------------------

    def is_visible(self, record: Record) -> bool:
        if record.deleted:
            return False  # SPEC §3.2: whatever the share rule says
        if record.id not in self.visible:
            self.visible[record.id] = self._share_holds(record, None)
        return self.visible[record.id]

    def _share_holds(self, record: Record, explain: Explainer | None) -> bool:
        shares = self.rules.shares_for(record.object)
        if not shares:
            return True
        ctx = RecordContext(self.rules, record, self.clock, self.groups)
        for share in shares:
            trace = Trace() if explain and explain.enabled else None
            value = evaluate(share.when, ctx, trace)
            if isinstance(value, EvalError):
                self.problems.append(_problem(f"share {record.object}", record.id, value))
            if explain is not None:
                verdict = "shares it" if holds(value) else "does not share it"
                explain.add(
                    f"share {record.object}",
                    f"{record.object} {record.id}: `{explain.source(share.node.when.span)}` "
                    f"is {show(value)}, so this rule {verdict}",
                    explain.trace_lines(trace),
                )
            if holds(value):
                return True
        return False

    # -- matching (SPEC §3.3) ----------------------------------------------------------

    def find(self, obj: str, record_id: str | None) -> Record | None:
        return self.by_id.get((obj, record_id)) if record_id else None

    def deleted_in_salesforce(self, prospect: Record, explain: Explainer) -> bool:
        """SPEC §3.2: flagged crm_deleted, or its linked record — the contact its
        crm_contact_fid names when that contact exists, else its crm_lead_fid's lead — is
        in the recycle bin."""
        if prospect.crm_deleted:
            explain.add(
                "deleted",
                "the prospect is flagged crm_deleted: its Salesforce record was deleted, "
                "and the connector never re-creates or re-matches it",
            )
            return True
        merge = self.merges.get(prospect.id)
        if merge is not None:
            loser, master = merge
            rival = self.rival(prospect, master)
            if rival is None:
                return False  # it follows the merge (match)
            explain.add(
                "deleted",
                f"{loser.object} {loser.id} was merged into {master.object} {master.id} "
                f"(MasterRecordId), which prospect {rival} is already linked to: as the "
                "connector does, this prospect is flagged crm_deleted (its activity stays "
                f"with {rival}), so the two never both sync with one record",
            )
            return True
        linked = self.linked_record(prospect)
        if linked is None or not linked.deleted:
            return False
        via = "crm_contact_fid" if linked.object == "contact" else "crm_lead_fid"
        explain.add(
            "deleted",
            f"{via} {linked.id} names {linked.object} {linked.id}, which is deleted "
            "(IsDeleted: true): the connector marks the prospect crm_deleted and never "
            "re-creates or re-matches it",
        )
        return True

    def match(self, prospect: Record, explain: Explainer) -> Match:
        merge = self.merges.get(prospect.id)
        if merge is not None:
            followed = self.follow_merge(merge[0], merge[1], explain)
            return followed if followed is not None else self.unlinked(prospect, explain)
        invisible: list[Record] = []
        contact_exists = self.find("contact", prospect.crm_contact_fid) is not None
        for obj, record_id in (
            ("contact", prospect.crm_contact_fid),
            ("lead", prospect.crm_lead_fid),
        ):
            record = self.find(obj, record_id)
            if record is None:
                if record_id:
                    explain.add("match", f"crm_{obj}_fid {record_id} names no {obj}")
                continue
            if record.converted:
                if contact_exists:
                    explain.add("match", f"lead {record.id} is converted: never matched")
                    continue
                followed = self.follow_conversion(record, explain)
                if followed is None:
                    break  # SPEC §3.3: treated as unlinked
                return followed
            if self.is_visible(record):
                explain.add(
                    "match",
                    f"crm_{obj}_fid {record_id} names a visible {obj}{_person(record)}: matched",
                )
                return Match(record, "crm_id")
            self._share_holds(record, explain)
            invisible.append(record)
        if invisible:
            names = ", ".join(f"{r.object} {r.id}" for r in invisible)
            explain.add("match", f"the CRM id names {names}, which the connector cannot see")
            return Match(None, None, not_shared=True)
        return self.unlinked(prospect, explain)

    def follow_merge(self, loser: Record, master: Record, explain: Explainer) -> Match | None:
        """A prospect linked to a merged loser syncs with the master (the connector moves
        its CRM id there); None: treated as unlinked (a converted master with no contact)."""
        said = (
            f"{loser.object} {loser.id} was merged into {master.object} {master.id} "
            "(MasterRecordId)"
        )
        if master.converted:
            explain.add("match", f"{said}, a converted lead")
            return self.follow_conversion(master, explain)
        if self.is_visible(master):
            attribute = "crm_contact_fid" if master.object == "contact" else "crm_lead_fid"
            explain.add(
                "match",
                f"{said}: the prospect follows the merge and matches it; run records "
                f"{attribute} {master.id}",
            )
            return Match(master, "crm_id")
        explain.add("match", f"{said}, which the connector cannot see")
        self._share_holds(master, explain)
        return Match(None, None, not_shared=True)

    def unlinked(self, prospect: Record, explain: Explainer) -> Match:
        connector = self.rules.connector
        if connector.match is MatchMode.CRM_ID and connector.email_fallback:
            explain.add("match", "no CRM id links a record: email_fallback matches by email")
            return self.match_email(prospect, explain)
        if connector.match is MatchMode.CRM_ID:
            explain.add("match", "match: crm_id and no CRM id links a record: unmatched")
            return Match(None, None)
        return self.match_email(prospect, explain)

    def follow_conversion(self, lead: Record, explain: Explainer) -> Match | None:
        """SPEC §3.3: a prospect linked to a converted lead follows its ConvertedContactId
        (visible or not, the lead itself is never matched); None: treated as unlinked."""
        contact = self.find("contact", lead.converted_contact)
        said = f"crm_lead_fid {lead.id} names a converted lead"
        if contact is None or contact.deleted:
            why = (
                f"its ConvertedContactId {lead.converted_contact} is deleted"
                if contact is not None
                else f"its ConvertedContactId {lead.converted_contact} names no contact"
                if lead.converted_contact
                else "it has no ConvertedContactId"
            )
            explain.add("match", f"{said}, but {why}: the prospect is treated as unlinked")
            return None
        if self.is_visible(contact):
            explain.add(
                "match",
                f"{said}: the prospect follows the conversion to visible contact "
                f"{contact.id}{_person(contact)} (ConvertedContactId); run records it in "
                "crm_contact_fid",
            )
            return Match(contact, "crm_id")
        explain.add(
            "match",
            f"{said}, converted to contact {contact.id}, which the connector cannot see",
        )
        self._share_holds(contact, explain)
        return Match(None, None, not_shared=True)

    def match_email(self, prospect: Record, explain: Explainer) -> Match:
        email = prospect.email.strip().casefold()
        if not email:
            explain.add("match", "the prospect has no email: unmatched")
            return Match(None, None)
        candidates = self.by_email.get(email, [])
        for obj in ("contact", "lead"):  # contacts first: a converted person keeps its contact
            same_email = [r for r in candidates if r.object == obj]
            hidden = [r for r in same_email if not self.is_visible(r)]
            found = [r for r in same_email if self.is_visible(r)]
            for record in hidden:
                explain.add(
                    "match",
                    f"{record.object} {record.id} has this email, but the connector cannot see it",
                )
                self._share_holds(record, explain)
            if found:
                # latest LastModifiedDate wins, then the smallest Id
                best = min(found, key=lambda r: (-_stamp(r.updated_at), r.id))
                others = [r.id for r in found if r is not best]
                detail = (
                    [f"also matched, older or larger Id: {', '.join(others)}"] if others else []
                )
                explain.add(
                    "match",
                    f"email matches visible {best.object} {best.id}{_person(best)}",
                    detail,
                )
                return Match(best, "email")
        explain.add("match", f"no visible lead or contact has email {prospect.email}: unmatched")
        return Match(None, None)

    # -- stages ------------------------------------------------------------------------

    def stages(
        self, prospect: Record, matched: Record | None, explain: Explainer
    ) -> tuple[ProspectContext, tuple[str, ...], list[FormulaProblem]]:
        problems: list[FormulaProblem] = []
        spans = {s.name: s.node.when.span for s in self.rules.stages} if explain.enabled else {}

        def seen(name: str, value: Result, trace: Trace | None) -> None:
            if isinstance(value, EvalError):
                problems.append(_problem(f"stage {name}", prospect.id, value))
            if explain.enabled:  # explain text only when explaining (issue 10)
                explain.add(
                    f"stage {name}",
                    f"`{explain.source(spans[name])}` is {show(value)}",
                    explain.trace_lines(trace),
                )

        ctx = ProspectContext(
            self.rules, prospect, matched, self.clock, self.groups, seen, explain.enabled
        )
        # in the schedule's order: a stage after the stages it reads (engine/graph.py)
        results = {name: holds(ctx.stage(name)) for name in self.schedule.stages}
        held = tuple(s.name for s in self.rules.stages if results[s.name])
        return ctx, held, problems

    # -- one prospect ------------------------------------------------------------------

    def prospect(self, prospect: Record) -> Outcome:
        ids = self.explain_id
        wanted = prospect.id == ids if isinstance(ids, str) else bool(ids and prospect.id in ids)
        explain = Explainer(self.rules, wanted)
        if explain.enabled:
            self.explainers.append(explain)
        deleted = self.deleted_in_salesforce(prospect, explain)
        found = Match(None, None) if deleted else self.match(prospect, explain)
        ctx, stages, problems = self.stages(prospect, found.record, explain)
        if self.rules.connector.paused:
            explain.add("paused", "the connector is paused: nothing syncs")
            return Outcome(
                prospect.id, Action.SKIP, stages, SkipReason.PAUSED, problems=tuple(problems)
            )
        if deleted:
            self._flag_deleted(prospect)
            return Outcome(
                prospect.id, Action.SKIP, stages, SkipReason.CRM_DELETED, problems=tuple(problems)
            )
        if found.not_shared:
            return Outcome(
                prospect.id, Action.SKIP, stages, SkipReason.NOT_SHARED, problems=tuple(problems)
            )
        if found.record is None:
            return self.gate(prospect, ctx, stages, problems, explain)
        return self.update(prospect, found, stages, problems, explain)

    def gate(
        self,
        prospect: Record,
        ctx: ProspectContext,
        stages: tuple[str, ...],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> Outcome:
        gate = self.rules.gate
        trace = Trace() if explain.enabled else None
        value = evaluate(gate.when, ctx, trace)
        if isinstance(value, EvalError):
            problems.append(_problem("create lead", prospect.id, value))
        if explain.enabled:
            rule = explain.source(gate.node.when.span) if gate.node else "assigned (the default)"
            line = f"create lead when `{rule}`: {show(value)}"
            explain.add("gate", line, explain.trace_lines(trace))
        if not holds(value):
            return Outcome(
                prospect.id, Action.SKIP, stages, reason=SkipReason.GATED, problems=tuple(problems)
            )
        return self.create(prospect, stages, problems, explain)

    def create(
        self,
        prospect: Record,
        stages: tuple[str, ...],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> Outcome:
        writes: dict[str, Value] = {}
        dropped: list[Dropped] = []
        lines: list[str] = []
        for mapping in self.rules.mappings:
            if mapping.lead is None or mapping.sync is Sync.OFF:
                continue
            value = field_value(self.rules, prospect, "prospect", mapping.prospect.name)
            if is_blank(value):
                continue
            fitted, code = fit(value, mapping.lead.type)
            if code is not None:
                dropped.append(Dropped(mapping.lead.name, code, value))
                if explain.enabled:
                    lines.append(f"{mapping.lead.name}: {show(value)} dropped ({code})")
            else:
                writes[mapping.lead.name] = fitted
                if explain.enabled:
                    name = mapping.prospect.name
                    lines.append(f"{mapping.lead.name} = {show(fitted)} from {name}")
        owner = created_owner(self.rules, self.people, prospect.assigned_user)
        if owner.id is not None:
            declared = self.rules.object("lead").get("OwnerId")
            writes[declared.name if declared else "OwnerId"] = owner.id
        if explain.enabled:
            explain.add("create", f"a new lead with {len(writes)} field(s)", lines)
            explain.add("owner", owner.why)
        lead = new_lead(self._new_lead_id(), writes, len(self.records.leads), self.clock)
        failures = self.checks(lead, None, writes, problems, explain)
        if failures:
            return Outcome(
                prospect.id,
                Action.ERROR,
                stages,
                failures=failures,
                dropped=tuple(dropped),
                problems=tuple(problems),
                owner=shown(owner),
            )
        self.records.leads.append(lead)
        self.next_lead = int(lead.id.removeprefix(NEW_LEAD_PREFIX)) + 1  # the Id is taken
        self.index(lead)
        self.visible.pop(lead.id, None)
        prospect.crm_lead_fid = lead.id
        prospect.changed.add("crm_lead_fid")
        take_owner(prospect, shown(owner))
        return Outcome(
            prospect.id,
            Action.CREATE_LEAD,
            stages,
            to_salesforce=tuple(writes.items()),
            dropped=tuple(dropped),
            problems=tuple(problems),
            created_id=lead.id,
            owner=shown(owner),
        )

    def _new_lead_id(self) -> str:
        """The next free Id. It is taken (`next_lead` moves past it) only when the lead is
        created, so a create that ends in an error consumes none: Ids have no gaps."""
        number = self.next_lead
        while ("lead", f"{NEW_LEAD_PREFIX}{number:010d}") in self.by_id:
            number += 1
        return f"{NEW_LEAD_PREFIX}{number:010d}"

    # -- field resolution (SPEC §3.5, §3.6) -------------------------------------------

    def update(
        self,
        prospect: Record,
        found: Match,
        stages: tuple[str, ...],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> Outcome:
        record = found.record
        assert record is not None
        to_sf: dict[str, Value] = {}
        to_pd: dict[str, Value] = {}
        dropped: list[Dropped] = []
        lines: list[str] = []
        for mapping, field_there in self.mapped(record.object):
            line = self.resolve(
                mapping, field_there, prospect, record, to_sf, to_pd, dropped, explain.enabled
            )
            if explain.enabled:
                lines.append(line)
        if record.object == "contact":
            company = account_company(self.rules, self.accounts, prospect, record)
            if company is not None:
                lines.append(with_company(company, to_pd, dropped))
        owner = self.follow_owner(prospect, record, to_sf, explain)
        target = Target(record.object, record.id)
        if explain.enabled:
            explain.add(
                "fields",
                f"{_count(len(to_sf), 'write')} to Salesforce, {len(to_pd)} to Account "
                f"Engagement, {len(dropped)} dropped",
                lines,
            )
        base = functools.partial(
            Outcome,
            prospect.id,
            stages=stages,
            target=target,
            matched_by=found.matched_by,
            dropped=tuple(dropped),
        )
        if to_sf:
            after = copy.copy(record)
            after.values = {**record.values, **to_sf}
            failures = self.checks(after, record, to_sf, problems, explain)
            if failures:
                return base(Action.ERROR, failures=failures, problems=tuple(problems))
        self._link(prospect, record)
        take_owner(prospect, owner)  # like the link, not a write (docs/design.md)
        if not to_sf and not to_pd:
            return base(Action.NO_CHANGE, problems=tuple(problems), owner=owner)
        record.values.update(to_sf)
        record.changed.update(to_sf)
        if to_sf:
            self.visible.pop(record.id, None)  # a new OwnerId can change what is shared
            self.index(record)
        prospect.values.update(to_pd)
        prospect.changed.update(to_pd)
        return base(
            Action.UPDATE,
            to_salesforce=tuple(to_sf.items()),
            to_pardot=tuple(to_pd.items()),
            problems=tuple(problems),
            owner=owner,
        )

    def follow_owner(
        self,
        prospect: Record,
        record: Record,
        to_sf: dict[str, Value],
        explain: Explainer,
    ) -> Owner | None:
        """The Salesforce owner wins on a synced record (ownership.followed_owner). Like
        the link, the new assigned user is not a write: the plan's `owner` shows it and
        `run` records it, so it never turns a `no_change` into an `update`."""
        written = next((v for k, v in to_sf.items() if k.casefold() == "ownerid"), None)
        current = written if written is not None else owner_of(record)
        owner, why = followed_owner(self.people, prospect.assigned_user, current)
        if owner is not None or why:
            explain.add("owner", owner.why if owner is not None else why)
        return owner

    def _flag_deleted(self, prospect: Record) -> None:
        _flag_deleted(prospect)

    def _link(self, prospect: Record, record: Record) -> None:
        attribute = "crm_contact_fid" if record.object == "contact" else "crm_lead_fid"
        if getattr(prospect, attribute) != record.id:
            setattr(prospect, attribute, record.id)
            prospect.changed.add(attribute)
        self.owners.setdefault((record.object, record.id), prospect.id)

    def mapped(self, obj: str) -> tuple[tuple[Mapping, FieldInfo], ...]:
        """The mappings that sync with `obj`, each with its field there (once per object)."""
        found = self.targets.get(obj)
        if found is None:
            pairs = ((m, m.target(obj)) for m in self.rules.mappings)
            found = tuple((m, target) for m, target in pairs if target is not None)
            self.targets[obj] = found
        return found

    def resolve(
        self,
        mapping: Mapping,
        target: FieldInfo,
        prospect: Record,
        record: Record,
        to_sf: dict[str, Value],
        to_pd: dict[str, Value],
        dropped: list[Dropped],
        explaining: bool = True,
    ) -> str:
        """Decide one mapped field (`target`: its field on the record); returns the explain
        line saying why (when explaining: "" otherwise, so a dry-run formats no text nobody
        reads)."""
        pinfo = mapping.prospect
        if mapping.sync is Sync.OFF:
            return (
                f"{pinfo.name} ↔ {target.name} ({mapping.sync}): not synced" if explaining else ""
            )
        pv = field_value(self.rules, prospect, "prospect", pinfo.name)
        sv = field_value(self.rules, record, record.object, target.name)
        s_time = (
            self.history.stamp(record, target.name)
            if mapping.sync is Sync.MOST_RECENT
            else record.updated_at
        )
        if not explaining:
            side = winner(mapping.sync, pv, sv, prospect.updated_at, s_time)
            if side is None or same(pv, pinfo.type, sv, target.type):
                return ""
            if side == "pardot":
                _put(pv, target, to_sf, dropped)
            else:
                _put(sv, pinfo, to_pd, dropped)
            return ""
        side, why = decide(mapping.sync, pv, sv, prospect.updated_at, s_time)
        label = f"{pinfo.name} ↔ {target.name} ({mapping.sync})"
        if mapping.sync is Sync.MOST_RECENT and target.name.casefold() in self.history.tracked:
            when = s_time.isoformat() if s_time else "never since tracking began"
            why += f" (field history: {target.name} last changed {when})"
        if side is None or same(pv, pinfo.type, sv, target.type):
            both_blank = side is None or (is_blank(pv) and is_blank(sv))
            return (
                f"{label}: blank on both sides"
                if both_blank
                else f"{label}: {show(sv)} on both sides"
            )
        if side == "pardot":
            return _write(label, why, pv, target, to_sf, dropped, "Salesforce")
        return _write(label, why, sv, pinfo, to_pd, dropped, "Account Engagement")

    # -- Salesforce checks (SPEC §3.7) -------------------------------------------------

    def checks(
        self,
        after: Record,
        before: Record | None,
        writes: dict[str, Value],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> tuple[Failure, ...]:
        for check in (self._readonly, self._required, self._validations, self._duplicates):
            failures = check(after, before, writes, problems, explain)
            if failures:
                if explain.enabled:
                    listed = [
                        f"{f.code} {f.rule or ''}: {f.message}".replace(" :", ":") for f in failures
                    ]
                    explain.add("checks", f"rejected: {failures[0].code}", listed)
                return failures
        explain.add("checks", "Salesforce accepts the write")
        return ()

    def _readonly(
        self,
        after: Record,
        before: Record | None,
        writes: dict[str, Value],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> tuple[Failure, ...]:
        model = self.rules.object(after.object)
        blocked = tuple(n for n in writes if (info := model.get(n)) and info.readonly)
        if not blocked:
            return ()
        message = f"the connector user has no edit access to {after.object} {', '.join(blocked)}"
        return (Failure(ErrorCode.READONLY, None, message, blocked),)

    def _required(
        self,
        after: Record,
        before: Record | None,
        writes: dict[str, Value],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> tuple[Failure, ...]:
        if before is not None:
            return ()  # SPEC §3.7: required fields are checked when a record is created
        model = self.rules.object(after.object)
        missing = tuple(
            info.name
            for info in model.fields.values()
            if info.required and is_blank(field_value(self.rules, after, after.object, info.name))
        )
        if not missing:
            return ()
        message = f"Required fields are missing: [{', '.join(missing)}]"
        return (Failure(ErrorCode.REQUIRED, None, message, missing),)

    def _validations(
        self,
        after: Record,
        before: Record | None,
        writes: dict[str, Value],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> tuple[Failure, ...]:
        ctx = RecordContext(self.rules, after, self.clock, self.groups, before)
        failures: list[Failure] = []
        for rule in self.rules.validations:
            if rule.object != after.object or not rule.active:
                continue
            trace = Trace() if explain.enabled else None
            value = evaluate(rule.error_if, ctx, trace)
            if isinstance(value, EvalError):
                problems.append(_problem(f"validation {rule.name}", after.id, value))
            if explain.enabled:
                explain.add(
                    f"validation {rule.name}",
                    f"error_if is {show(value)}: "
                    + ("it fires" if holds(value) else "it does not fire"),
                    explain.trace_lines(trace),
                )
            if holds(value):
                failures.append(
                    Failure(ErrorCode.VALIDATION, rule.name, rule.message, _rule_fields(rule))
                )
        return tuple(failures)

    def _duplicates(
        self,
        after: Record,
        before: Record | None,
        writes: dict[str, Value],
        problems: list[FormulaProblem],
        explain: Explainer,
    ) -> tuple[Failure, ...]:
        if before is not None:
            return ()  # SPEC §1: duplicate rules block creating a lead
        failures: list[Failure] = []
        for n, rule in enumerate(self.rules.duplicates):
            if rule.object != after.object:
                continue
            keys = _dup_key(self.rules, after, rule.fields)
            # visible to the connector or not: Salesforce sees every record
            twins = sorted(self.twins[n].get(keys, ())) if keys is not None else []
            if twins:
                names = ", ".join(f.name for f in rule.fields)
                listed = ", ".join(f"{obj} {rid}" for obj, rid in twins)
                failures.append(
                    Failure(
                        ErrorCode.DUPLICATE,
                        f"lead by {names}",
                        f"Use one of these records? {listed} (same {names})",
                        tuple(f.name for f in rule.fields),
                    )
                )
        return tuple(failures)

    # -- the whole cycle ---------------------------------------------------------------

    def run(self, progress: Callable[[int], object] | None = None) -> Plan:
        outcomes = []
        for prospect in sorted(self.records.prospects, key=lambda r: r.id):
            outcomes.append(self.prospect(prospect))
            if progress is not None:
                progress(1)
        created = self.prospects_from_salesforce(outcomes)
        return Plan(tuple(outcomes), tuple(self.problems), from_salesforce=created)

    # -- prospects from Salesforce (SPEC §3.9) -----------------------------------------

    def prospects_from_salesforce(self, outcomes: list[Outcome]) -> tuple[NewProspect, ...]:
        """After every prospect has its action: one new prospect per visible, non-deleted,
        non-converted contact, then lead (each in Id order) with an Email, that no
        prospect is linked to or matched with."""
        connector = self.rules.connector
        if not connector.create_prospects or connector.paused:
            return ()
        prospects = list(self.records.prospects)
        taken: set[tuple[str, str | None]] = {
            (o.target.object, o.target.id) for o in outcomes if o.target is not None
        }
        for p in prospects:
            taken |= {("contact", p.crm_contact_fid), ("lead", p.crm_lead_fid)}
        emails = {_prospect_email(p) for p in prospects} - {""}
        ids = {p.id for p in prospects}
        created: list[NewProspect] = []
        for obj, pool in (("contact", self.records.contacts), ("lead", self.records.leads)):
            for record in sorted(pool, key=lambda r: r.id):
                if record.deleted or record.converted or (obj, record.id) in taken:
                    continue
                email = _email_of(self.rules, record)
                if not email or not self.is_visible(record):
                    continue
                if connector.match is MatchMode.EMAIL and email in emails:
                    continue  # SPEC §3.9: that person already has a prospect
                emails.add(email)
                created.append(self.new_prospect(record, ids))
        return tuple(created)

    def new_prospect(self, record: Record, ids: set[str]) -> NewProspect:
        new, prospect = new_prospect(
            self.rules,
            record,
            ids,
            self.clock,
            len(self.records.prospects),
            self.accounts,
            self.people,
        )
        self.records.prospects.append(prospect)
        return new


def new_lead(lead_id: str, writes: dict[str, Value], position: int, clock: Clock) -> Record:
    """A lead the cycle creates with these field writes (every engine's `run` adds it so)."""
    return Record(
        "lead",
        lead_id,
        dict(writes),
        {},
        Origin("<created>", position),
        updated_at=clock.now,  # SPEC §3: last modified at the cycle's time
        changed={*writes, "updated_at"},
        created=True,
    )


def with_company(
    company: tuple[str, Value, Dropped | None, str],
    to_pd: dict[str, Value],
    dropped: list[Dropped],
) -> str:
    """A contact's Account Name (company.account_company) as a write to Account
    Engagement or a dropped value; returns explain's line."""
    name, value, drop, line = company
    if drop is not None:
        dropped.append(drop)
    elif value is not None:
        to_pd[name] = value
    return line


def new_prospect(
    rules: CheckedRules,
    record: Record,
    ids: set[str],
    clock: Clock,
    position: int,
    accounts: Accounts | None = None,
    people: People | None = None,
) -> tuple[NewProspect, Record]:
    """The prospect the connector creates from a lead or contact (SPEC §3.9), as the plan
    shows it and as `run` adds it; its id is added to `ids`. The bulk engines call this
    for the records their SQL selects, so both build it alike."""
    email = str(_read(rules, record, "Email") or "")
    declared = rules.object("prospect")
    values: dict[str, Value] = {"email": email} if declared.get("email") else {}
    writes: list[tuple[str, Value]] = [("email", email)]
    dropped: list[Dropped] = []
    for mapping in rules.mappings_for(record.object):
        target = mapping.target(record.object)
        if target is None or mapping.sync is Sync.OFF or mapping.prospect.name == "email":
            continue
        value = field_value(rules, record, record.object, target.name)
        if is_blank(value):
            continue
        fitted, code = fit(value, mapping.prospect.type)
        if code is not None:
            dropped.append(Dropped(mapping.prospect.name, code, value))
            continue
        values[mapping.prospect.name] = fitted
        writes.append((mapping.prospect.name, fitted))
    if record.object == "contact" and accounts is not None:
        company = account_company(rules, accounts, None, record)
        if company is not None:
            added: dict[str, Value] = {}
            with_company(company, added, dropped)
            values.update(added)
            writes.extend(added.items())
    new_id = _new_prospect_id(record, ids)
    ids.add(new_id)
    link = "crm_contact_fid" if record.object == "contact" else "crm_lead_fid"
    prospect = Record(
        "prospect",
        new_id,
        values,
        {},
        Origin("<created>", position),
        email=email,
        updated_at=clock.now,  # created at the cycle's time, as a created lead is
        changed={*values, "email", link, "updated_at"},
        created=True,
    )
    setattr(prospect, link, record.id)
    if people is not None:
        # the record's owner is the new prospect's assigned user, as on any synced record
        # (ownership.followed_owner); like the link, `run` records it and the plan's
        # entry keeps SPEC §4's keys
        owner, _ = followed_owner(people, None, owner_of(record))
        if owner is not None:
            prospect.assigned_user = owner.id
            prospect.changed.add("assigned_user")
    source = Target(record.object, record.id)
    return NewProspect(source, new_id, tuple(writes), tuple(dropped)), prospect


def master_of(record: Record, find: Callable[[str, str | None], Record | None]) -> Record | None:
    """The live record a deleted merge loser went into, following MasterRecordId (a
    master merged again later is followed too); None when there is none. `find` looks a
    record up by object and Id (the bulk engines resolve merges with this too)."""
    seen = {record.id}
    while record.deleted and record.master and record.master not in seen:
        seen.add(record.master)
        found = find(record.object, record.master)
        if found is None:
            return None
        record = found
    return None if record.deleted else record


def _flag_deleted(prospect: Record) -> None:
    """`run` sets crm_deleted: true and leaves the CRM ids as they are (SPEC §3.2)."""
    if "crm_deleted" in prospect.values:  # a rule set may declare the flag as a field
        prospect.values["crm_deleted"] = True
    if not prospect.crm_deleted:
        prospect.crm_deleted = True
        prospect.changed.add("crm_deleted")


def decide(
    sync: Sync, pv: Value, sv: Value, p_time: dt.datetime | None, s_time: dt.datetime | None
) -> tuple[str | None, str]:
    """Which side's value wins (SPEC §3.5), as `winner` says, and why, in explain's words."""
    side = winner(sync, pv, sv, p_time, s_time)
    if sync is Sync.SALESFORCE_ALWAYS:
        return side, "Salesforce always wins"
    if sync is Sync.PARDOT_ALWAYS:
        return side, "Account Engagement always wins"
    first = _preferred(sync, p_time, s_time)
    if first is None:
        return side, "not synced"
    if side == first:
        later = " and was updated later" if sync is Sync.MOST_RECENT else ""
        return side, f"{_side(first)} has a value{later}"
    if side is not None:
        return side, f"{_side(first)} is blank, filled from {_side(side)}"
    return side, "blank on both sides"


def winner(
    sync: Sync, pv: Value, sv: Value, p_time: dt.datetime | None, s_time: dt.datetime | None
) -> str | None:
    """Which side's value wins (SPEC §3.5): "pardot", "salesforce" or None (both blank,
    or not synced)."""
    first = _preferred(sync, p_time, s_time)
    if first is None or sync is Sync.SALESFORCE_ALWAYS or sync is Sync.PARDOT_ALWAYS:
        return first
    if first == "pardot":
        return "pardot" if not is_blank(pv) else None if is_blank(sv) else "salesforce"
    return "salesforce" if not is_blank(sv) else None if is_blank(pv) else "pardot"


def _preferred(sync: Sync, p_time: dt.datetime | None, s_time: dt.datetime | None) -> str | None:
    """The side whose value wins when it has one; None: the field is not synced."""
    if sync is Sync.SALESFORCE or sync is Sync.SALESFORCE_ALWAYS:
        return "salesforce"
    if sync is Sync.PARDOT or sync is Sync.PARDOT_ALWAYS:
        return "pardot"
    if sync is Sync.MOST_RECENT:  # a tie goes to Salesforce
        return "pardot" if _stamp(p_time) > _stamp(s_time) else "salesforce"
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _side(side: str) -> str:
    return "Salesforce" if side == "salesforce" else "Account Engagement"


def _write(
    label: str,
    why: str,
    value: Value,
    into: FieldInfo,
    writes: dict[str, Value],
    dropped: list[Dropped],
    where: str,
) -> str:
    """`_put`, and explain's line saying what it did."""
    fitted, code = _put(value, into, writes, dropped)
    if code is not None:
        return f"{label}: {why}; {show(value)} does not fit {into.type}: dropped ({code})"
    return f"{label}: {why}; write {show(fitted)} to {where}"


def _put(
    value: Value, into: FieldInfo, writes: dict[str, Value], dropped: list[Dropped]
) -> tuple[Value, DropCode | None]:
    """Write the value as the field stores it, or drop it with Salesforce's code (§3.6)."""
    fitted, code = fit(value, into.type)
    if code is None:
        writes[into.name] = fitted
    else:
        dropped.append(Dropped(into.name, code, value))
    return fitted, code


def _person(record: Record) -> str:
    """How explain names a person account's contact (runtime/person.py)."""
    if record.person_account is None:
        return ""
    return f" (person account {record.person_account})"


def _stamp(value: dt.datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")


def _read(rules: CheckedRules, record: Record, name: str) -> Value:
    """A field by name, declared or not: matching and duplicate rules read Email even
    where the rule set does not declare it on that object."""
    if rules.object(record.object).get(name) is not None:
        return field_value(rules, record, record.object, name)
    folded = name.casefold()
    return next((v for k, v in record.raw.items() if k.casefold() == folded), None)


def _prospect_email(prospect: Record) -> str:
    """The prospect's email after the cycle's writes, folded."""
    email = prospect.values.get("email", prospect.email)
    return str(email or "").strip().casefold()


def _new_prospect_id(record: Record, ids: set[str]) -> str:
    """`sf-lead-00Q1`: readable, the same in every engine, and no prospect's id (a taken
    one gets `-2`, `-3`, … in turn)."""
    base = f"{NEW_PROSPECT_PREFIX}-{record.object}-{record.id}"
    candidate, n = base, 1
    while candidate in ids:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _email_of(rules: CheckedRules, record: Record) -> str:
    return str(_read(rules, record, "Email") or "").strip().casefold()


def _dup_key(
    rules: CheckedRules, record: Record, fields: Iterable[FieldInfo]
) -> tuple[str, ...] | None:
    values = []
    for info in fields:
        value = _read(rules, record, info.name)
        if is_blank(value):
            return None  # a blank never duplicates anything
        values.append(str(value).strip().casefold())
    return tuple(values)


def _rule_fields(rule: ValidationRule) -> tuple[str, ...]:
    if rule.fields is not None:
        return rule.fields
    if rule.field is not None:
        return (rule.field.name,)
    names = [r.name for r in ir.field_refs(rule.error_if) if r.object == rule.object]
    return tuple(dict.fromkeys(names))


def _problem(rule: str, record_id: str, error: EvalError) -> FormulaProblem:
    span: Span = error.span
    return FormulaProblem(rule, record_id, error.message, f"{span.path}:{span.line}:{span.col}")


def _working_copy(records: RecordSet) -> RecordSet:
    """A copy the cycle may change: each record's values, links and change marks are its
    own; `raw` (what was read) is shared, since the cycle never changes it."""
    lists = {name: [_clone(r) for r in pool] for name, pool in records.lists.items()}
    return RecordSet(lists, records.layout)


# Record's fields in order, read in one call: a clone is ~4× cheaper than
# `dataclasses.replace`, which checks and re-reads every field by name (issue 10)
_RECORD_FIELDS = [f.name for f in dataclasses.fields(Record)]
_record_state = operator.attrgetter(*_RECORD_FIELDS)
_VALUES, _CHANGED = _RECORD_FIELDS.index("values"), _RECORD_FIELDS.index("changed")


def _clone(record: Record) -> Record:
    state = list(_record_state(record))
    state[_VALUES] = dict(record.values)
    state[_CHANGED] = set(record.changed)
    return Record(*state)


@dataclass(frozen=True, slots=True)
class RecordExplanation:
    """`explain --lead ID` / `--contact ID`: whether the record gets a prospect, and why."""

    object: str
    id: str
    verdict: str  # "create_prospect" | "synced" (a prospect syncs with it) | "no_prospect"
    steps: tuple[Step, ...]
    created: NewProspect | None = None


def explain_record(
    rules: CheckedRules, records: RecordSet, clock: Clock, obj: str, record_id: str
) -> RecordExplanation | None:
    """Why a lead or contact does or does not get a prospect (SPEC §3.2, §3.3, §3.9),
    after a whole cycle; None when the record set has no such record."""
    rules, view = person_view(rules, records)  # person accounts as contacts (person.py)
    working = _working_copy(view)
    cycle = _Cycle(rules, working, clock, None)
    plan = cycle.run()
    record = cycle.find(obj, record_id)
    if record is None or record.created:
        return None
    explain = Explainer(rules, True)
    verdict = _record_verdict(cycle, plan, record, explain)
    created = next(
        (n for n in plan.from_salesforce if (n.source.object, n.source.id) == (obj, record_id)),
        None,
    )
    return RecordExplanation(obj, record_id, verdict, tuple(explain.steps), created)


def _record_verdict(cycle: _Cycle, plan: Plan, record: Record, explain: Explainer) -> str:
    label = f"{record.object} {record.id}"
    attribute = "crm_contact_fid" if record.object == "contact" else "crm_lead_fid"
    linked = [
        p for p in cycle.records.prospects if getattr(p, attribute) == record.id and not p.created
    ]
    for p in linked:
        outcome = plan.outcome(p.id)
        said = outcome.action.value if outcome else ""
        if outcome is not None and outcome.reason is not None:
            said += f" / {outcome.reason.value}"
        explain.add("linked", f"prospect {p.id} is linked to it by {attribute}: {said}")
    if record.deleted and record.master:
        master = cycle.master_of(record)
        into = f"{master.object} {master.id}" if master else f"{record.master}, which is gone"
        explain.add(
            "merged",
            f"{label} was merged into {into} (MasterRecordId): it never gets a prospect; "
            "a prospect linked to it follows the merge unless one is already linked there",
        )
        return "no_prospect"
    if record.deleted:
        explain.add(
            "deleted",
            f"{label} is deleted (IsDeleted: true): invisible to every step, so it never "
            "gets a prospect, and prospects linked to it are skipped crm_deleted",
        )
        return "no_prospect"
    if record.converted:
        to = (
            f"ConvertedContactId {record.converted_contact}"
            if record.converted_contact
            else ("no ConvertedContactId")
        )
        explain.add(
            "converted",
            f"{label} is converted (IsConverted: true, {to}): never "
            "matched by email, written or given a prospect; prospects linked to it follow "
            "the converted contact",
        )
        return "no_prospect"
    if not cycle.is_visible(record):
        cycle._share_holds(record, explain)
        explain.add("share", f"the connector cannot see {label}: it never gets a prospect")
        return "no_prospect"
    matched = [o for o in plan.outcomes if o.target == Target(record.object, record.id)]
    for o in matched:
        explain.add("matched", f"prospect {o.prospect} matched it by {o.matched_by}: {o.action}")
    if linked or matched:
        return "synced"
    return _create_verdict(cycle, plan, record, explain)


def _create_verdict(cycle: _Cycle, plan: Plan, record: Record, explain: Explainer) -> str:
    connector = cycle.rules.connector
    new = next((n for n in plan.from_salesforce if n.source.id == record.id), None)
    if new is not None and new.source.object == record.object:
        fields = ", ".join(k for k, _ in new.to_pardot)
        explain.add(
            "create_prospect",
            f"visible, with an Email, and no prospect has it: the connector creates "
            f"prospect {new.id} ({fields})",
            [f"{d.field}: {show(d.value)} dropped ({d.code})" for d in new.dropped],
        )
        return "create_prospect"
    if not connector.create_prospects:
        explain.add(
            "create_prospects",
            "create_prospects is false (the default with match: email): the connector "
            "creates no prospect for a record that has none",
        )
    elif connector.paused:
        explain.add("paused", "the connector is paused: it creates no prospect")
    elif not _email_of(cycle.rules, record):
        explain.add("email", "its Email is blank: the connector creates no prospect for it")
    else:
        email = _email_of(cycle.rules, record)
        holder = next((p.id for p in cycle.records.prospects if _prospect_email(p) == email), "")
        explain.add(
            "email",
            f"prospect {holder} already has its email {email} (match: email): the "
            "connector creates no second prospect",
        )
    return "no_prospect"


def run_cycle(
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    explain: str | frozenset[str] | None = None,
    progress: Callable[[int], object] | None = None,
) -> CycleResult:
    """Run one cycle on a copy of the records; the input record set is left untouched.
    `progress(n)` is called as prospects are done (the CLI draws a bar with it)."""
    with collector_paused():  # a cycle builds the plan and keeps it: nothing to collect
        rules, view = person_view(rules, records)  # person accounts as contacts (person.py)
        working = _working_copy(view)
        cycle = _Cycle(rules, working, clock, explain)
        plan = cycle.run(progress)
    if rules.personalization is not None:
        # the nightly Personalization share reads the org as it was before this cycle
        plan = dataclasses.replace(plan, personalization=match_personalization(rules, records))
    # User Sync and Connected Campaigns read the org as it was, too: a cycle changes neither
    if rules.user_sync is not None:
        plan = dataclasses.replace(plan, user_sync=plan_user_sync(rules, records))
    if rules.campaigns is not None:
        plan = dataclasses.replace(plan, campaigns=plan_campaigns(rules, records))
    return CycleResult(plan, fold_person_view(records, working), tuple(cycle.explainers))
