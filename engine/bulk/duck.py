"""The DuckDB engine: the compiled cycle (`sql.py`) run in an embedded DuckDB, in rounds.

SPEC §3's cycle is sequential: a prospect sees what the prospects before it wrote. Two
prospects can only see each other through a record both reach — by CRM id, or by an email
key (theirs, or the record's) — so prospects are grouped into components over those keys
(union-find), and round k evaluates the k-th prospect (in id order) of every component at
once, then applies that round's writes before the next. What could still cross
components is detected and makes the engine say it cannot evaluate (the `auto` engine
then falls back to the Python reference): a write that changes a record's email or
duplicate key, a created lead whose email key is not its prospect's, or two prospects of
different components creating leads with one duplicate key.

The connector's state (SPEC §2, §3.2, §3.3) never changes in a cycle, so where each
prospect's CRM ids lead — a deleted record, a merge's master, a conversion's contact — is
resolved as the tables are loaded (`Links`); whether a merge's master is already held is
the one part that changes, round by round (`__owned`). Prospects from Salesforce (§3.9)
are selected by SQL after the last round and built by the reference's `new_prospect`
(docs/engines.md, the connector's state).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.bulk.direct_prospects import build, creates_prospects
from engine.bulk.forest import Forest
from engine.bulk.sql import (
    FAIL_SEP,
    KEY_SEP,
    NEW_LEAD_PREFIX,
    RECORD_ID,
    CannotEvaluate,
    Cls,
    Column,
    Fail,
    LinkState,
    Program,
    Reason,
    blank_sql,
    cls_of,
    compile_cycle,
    number_fits,
    printable,
    q,
    sql_type,
    tagged,
    tame,
)
from engine.check.model import CheckedRules, ValidationRule
from engine.fieldtypes import FieldType
from engine.graph import schedule_for
from engine.plan import (
    Action,
    DropCode,
    Dropped,
    ErrorCode,
    Failure,
    FormulaProblem,
    Outcome,
    Plan,
    SkipReason,
    Target,
)
from engine.records.model import Record, RecordSet, Value
from engine.runtime.company import Accounts, account_company
from engine.runtime.context import Clock, Directory, MergeFields, directory, field_value
from engine.runtime.cycle import (
    _dup_key,
    _email_of,
    _rule_fields,
    master_of,
    new_lead,
    with_company,
)
from engine.runtime.evaluate import Missing
from engine.runtime.fit import blank_of
from engine.runtime.history import FieldHistory
from engine.runtime.ownership import (
    People,
    created_owner,
    followed_owner,
    owner_of,
    shown,
)
from engine.vocabulary import MatchMode

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows

# DuckDB's buffer, beyond which it spills to disk: with the Python side and DuckDB's own
# overhead, a 1,000,000-prospect dry-run peaked at 1.4 GB under this limit and 2.3 GB
# under 2GB, for 9% more CPU (benchmarks/README.md)
MEMORY_LIMIT = os.environ.get("SYNCRULES_DUCKDB_MEMORY", "1200MB")


def program_for(rules: CheckedRules) -> Program:
    return compile_cycle(rules, list(schedule_for(rules).stages))


def constant_columns(con: Any, program: Program) -> dict[tuple[str, str], str]:
    """The declared fields whose value, as a round reads it (`sql._Builder._round`: a
    lead's or contact's text or checkbox through COALESCE, for the prospects it matches
    none), is one literal on every record of the tables: each as (object, field) → that
    literal, for compile_cycle's `constants`. One scan of each table; a table with no
    rows has none."""
    found: dict[tuple[str, str], str] = {}
    for obj, table in (("prospect", "prospects"), ("lead", "leads"), ("contact", "contacts")):
        types = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()}
        tests: list[tuple[str, str, str]] = []  # (field, the column as read, literal)
        for c in program.columns(obj):
            kind, column = types.get(c.name), q(c.name)
            if obj != "prospect":
                # what an unmatched prospect reads: only a literal equal to it will do
                if kind != sql_type(c.cls):
                    continue
                if c.cls in (Cls.TEXT, Cls.BOOL):  # read through COALESCE with its blank
                    blank = blank_sql(c.cls)
                    tests.append((c.name, f"COALESCE({column}, {blank})", blank))
                else:
                    tests.append((c.name, column, f"CAST(NULL AS {kind})"))
            elif kind == "VARCHAR":
                tests += [(c.name, column, "''"), (c.name, column, "CAST(NULL AS VARCHAR)")]
            elif kind == "BOOLEAN":
                tests += [(c.name, column, "FALSE"), (c.name, column, "CAST(NULL AS BOOLEAN)")]
        if not tests:
            continue
        each = ", ".join(f"bool_and({read} IS NOT DISTINCT FROM {lit})" for _, read, lit in tests)
        row = con.execute(f"SELECT {each} FROM {table}").fetchone()
        for (name, _, literal), holds in zip(tests, row, strict=True):
            if holds is True:
                found.setdefault((obj, name), literal)
    return found


# -- loading ------------------------------------------------------------------------------


def _sql_value(value: Value, c: Cls, strict: bool = False) -> tuple[Any, str | None]:
    """A record value as the SQL table holds it, or why SQL cannot hold it exactly."""
    if c in (Cls.TEXT, Cls.MULTI):
        if value is None:
            return "", None
        if not isinstance(value, str):
            return None, f"a {type(value).__name__} value in a text field"
        if strict and not printable(value):
            return value, "text outside printable ASCII in a field SQL case-folds or matches"
        return value, None if tame(value) else "Unicode spaces, digits or control characters"
    if c is Cls.BOOL:
        return (value, None) if isinstance(value, bool) else (None, "a non-boolean value")
    if c is Cls.GRADE:
        return (value, None) if value is None or isinstance(value, str) else (None, "a grade")
    if c is Cls.DATE:
        if value is None:
            return None, None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat(), None
        return None, "not a date"
    if c is Cls.DATETIME:
        if value is None:
            return None, None
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.isoformat(), None
        return None, "not a date-time with a time zone"
    if value is None:
        return None, None
    if not isinstance(value, Decimal):
        return None, f"a {type(value).__name__} value in a number field"
    if not number_fits(value) or str(value) != format(value, "f"):
        return None, f"the number {value} (outside DECIMAL(38,10) or written with an exponent)"
    return str(value), None


@dataclass(slots=True)
class _Loaded:
    tables: dict[str, dict[str, list[Any]]]
    reasons: list[Reason]
    links: dict[str, Link] = field(default_factory=dict)  # prospect id → its Link


def load_tables(rules: CheckedRules, program: Program, records: RecordSet) -> _Loaded:
    reasons: list[Reason] = []

    def bad(record: Record, name: str, why: str) -> None:
        if len(reasons) < 5:
            reasons.append(Reason(f"{record.object} {record.id}", f"field {name}: {why}"))

    def columns(obj: str, pool: list[Record], cols: list[Column]) -> dict[str, list[Any]]:
        data: dict[str, list[Any]] = {}
        for c in cols:
            # field_value, by column: a declared field's value, or its type's blank
            blank = blank_of(c.info.type)
            values = [r.values.get(c.name, blank) for r in pool]
            strict = (obj, c.name) in program.strict
            if c.cls in (Cls.TEXT, Cls.MULTI):
                values = ["" if v is None else v for v in values]
                ok = printable if strict else tame
                if all(type(v) is str for v in values) and ok("".join(map(str, values))):
                    data[c.name] = values
                    continue
            converted = []
            for record, value in zip(pool, values, strict=True):
                sql_value, why = _sql_value(value, c.cls, strict)
                if why:
                    bad(record, c.name, why)
                converted.append(sql_value)
            data[c.name] = converted
        return data

    tables: dict[str, dict[str, list[Any]]] = {}
    seen: dict[str, str] = {}
    history = FieldHistory.of(records)
    users = directory(records.users)
    for obj, pool in (("contact", records.contacts), ("lead", records.leads)):
        data = columns(obj, pool, program.columns(obj))
        data["__id"] = [r.id for r in pool]
        data["__ord"] = list(range(len(pool)))
        data["__email"] = [_email_of(rules, r) for r in pool]
        data["__stamp"] = [r.updated_at.timestamp() if r.updated_at else None for r in pool]
        data["__created"] = [False] * len(pool)
        maps = dict(program.lead_maps if obj == "lead" else program.contact_maps)
        for n in program.history(obj):
            target = maps[n].target(obj)
            assert target is not None
            stamps = [history.stamp(r, target.name) for r in pool]
            data[f"__hs{n}"] = [s.timestamp() if s else None for s in stamps]
        # SPEC §3.2, §3.3: a deleted record is invisible; a deleted or converted one is
        # never matched by email nor counted by a duplicate rule (`__gone`)
        data["__deleted"] = [r.deleted for r in pool]
        data["__gone"] = [r.deleted or r.converted for r in pool]
        for n in program.dup_rules:
            fields = rules.duplicates[n].fields
            keys = [None if r.deleted or r.converted else _dup_key(rules, r, fields) for r in pool]
            data[f"__dup{n}"] = [KEY_SEP.join(k) if k is not None else None for k in keys]
            for r, k in zip(pool, keys, strict=True):
                if k is not None and not all(printable(part) for part in k):
                    bad(r, "duplicate key", "text outside printable ASCII")
        data.update(related_columns(rules, program, obj, pool, users, bad))
        for r, key in zip(pool, data["__email"], strict=True):
            if not printable(key):
                bad(r, "Email", "text outside printable ASCII")
            if r.id in seen:
                reasons.append(Reason(f"{obj} {r.id}", f"the Id is also a {seen[r.id]}'s"))
            seen[r.id] = obj
            if obj == "lead" and _PROVISIONAL_ID.fullmatch(r.id):
                reasons.append(
                    Reason(f"lead {r.id}", "an Id of the form the rounds give new leads")
                )
        tables[obj + "s"] = data
    prospects = sorted(records.prospects, key=lambda r: r.id)
    data = columns("prospect", prospects, program.prospect)
    data["__id"] = [p.id for p in prospects]
    data["__rank"] = list(range(1, len(prospects) + 1))
    data["__email"] = [p.email.strip().casefold() for p in prospects]
    data["__assigned"] = [p.assigned_user or "" for p in prospects]
    people = People.of(rules, records)
    data["__owner"] = [created_owner(rules, people, p.assigned_user).id or "" for p in prospects]
    links = Links(records)
    resolved = [links.resolve(p) for p in prospects]
    data["__lead_fid"] = [r.lead for r in resolved]
    data["__contact_fid"] = [r.contact for r in resolved]
    data["__state"] = [r.state.value if r.state else None for r in resolved]
    data["__master_obj"] = [r.master[0] if r.master else None for r in resolved]
    data["__master_id"] = [r.master[1] if r.master else None for r in resolved]
    data["__stamp"] = [p.updated_at.timestamp() if p.updated_at else None for p in prospects]
    for p, key, owner in zip(prospects, data["__email"], data["__owner"], strict=True):
        if not printable(key) or not printable((p.assigned_user or "") + owner):
            bad(p, "email", "text outside printable ASCII")
        # a CRM id naming no record but one a created lead may get (or the rounds' form)
        for fid in (p.crm_lead_fid, p.crm_contact_fid):
            if fid and fid.startswith(NEW_LEAD_PREFIX) and fid not in seen:
                reasons.append(Reason(f"prospect {p.id}", f"a CRM id starting {NEW_LEAD_PREFIX}"))
    tables["prospects"] = data
    # the records a prospect is linked to before the cycle (cycle.plan_merges' owners): a
    # merged loser's prospect whose master is one of them (or is matched by an earlier
    # prospect, added round by round) is flagged crm_deleted
    owned = sorted(
        {
            (obj, fid)
            for p in records.prospects
            if not p.crm_deleted
            for obj, fid in (("contact", p.crm_contact_fid), ("lead", p.crm_lead_fid))
            if fid
        }
    )
    tables["__owned"] = {"obj": [o for o, _ in owned], "id": [i for _, i in owned]}
    groups = directory(records.users).groups
    pairs = [(k, g) for k, members in groups.items() for g in sorted(members)]
    tables["__groups"] = {"k": [k for k, _ in pairs], "g": [g for _, g in pairs]}
    return _Loaded(tables, reasons, {p.id: r for p, r in zip(prospects, resolved, strict=True)})


def related_columns(
    rules: CheckedRules,
    program: Program,
    obj: str,
    pool: list[Record],
    users: Directory,
    bad: Callable[[Record, str, str], None],
) -> dict[str, list[Any]]:
    """Each related record's value the rules read on `obj` (sql.Related), per record, as
    runtime/context.MergeFields gives it: `__rel{n}`, the value as its class's text, and
    `__rel{n}u`, why the record set does not give it (NULL when it does)."""
    merge = MergeFields(rules, users)
    data: dict[str, list[Any]] = {}
    for related in program.related_of(obj):
        values: list[Any] = []
        missing: list[str | None] = []
        for record in pool:
            found = merge.value(record, related.reference, related.vtype)
            if isinstance(found, Missing):
                values.append(None)
                missing.append(found.reason)
                continue
            missing.append(None)
            if related.cls is None:  # of no one type: as tagged text, for the UDF
                values.append(tagged(found))
                continue
            if related.cls is Cls.BOOL and (found is None or isinstance(found, bool)):
                values.append(None if found is None else "true" if found else "false")
                continue
            if related.cls is Cls.BOOL or isinstance(found, bool):
                values.append(None)
                bad(record, related.reference, f"a {type(found).__name__} value")
                continue
            value, why = _sql_value(found, related.cls, related.strict)
            if why:
                bad(record, related.reference, why)
            values.append(value)
        data[related.column] = values
        data[related.missing] = missing
    return data


@dataclass(frozen=True, slots=True)
class Link:
    """Where a prospect's CRM ids lead before its turn (runtime/cycle.py's
    `deleted_in_salesforce`, `match`, `follow_merge`, `follow_conversion`, which depend
    only on the connector state, which a cycle never changes): the contact and lead the
    SQL's CRM-id match reads, and its state (None: the match alone decides)."""

    contact: str | None
    lead: str | None
    state: LinkState | None = None
    master: tuple[str, str] | None = None


@dataclass(slots=True)
class Links:
    records: RecordSet
    by_id: dict[tuple[str, str], Record] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {}
        for obj, pool in (("contact", self.records.contacts), ("lead", self.records.leads)):
            for r in pool:
                self.by_id.setdefault((obj, r.id), r)

    def find(self, obj: str, record_id: str | None) -> Record | None:
        return self.by_id.get((obj, record_id)) if record_id else None

    def converted_to(self, lead: Record) -> Link:
        """cycle.follow_conversion: the live converted contact, else unlinked."""
        contact = self.find("contact", lead.converted_contact)
        if contact is None or contact.deleted:
            return Link(None, None)
        return Link(contact.id, None)

    def resolve(self, prospect: Record) -> Link:
        contact = self.find("contact", prospect.crm_contact_fid)
        lead = self.find("lead", prospect.crm_lead_fid)
        if prospect.crm_deleted:
            return Link(None, None, LinkState.DELETED)
        linked = contact if contact is not None else lead
        if linked is not None and linked.deleted:
            master = master_of(linked, self.find)
            if master is None:
                return Link(None, None, LinkState.DELETED)
            if master.converted:
                followed = self.converted_to(master)
            elif master.object == "contact":
                followed = Link(master.id, None)
            else:
                followed = Link(None, master.id)
            return Link(
                followed.contact, followed.lead, LinkState.MERGE, (master.object, master.id)
            )
        if contact is not None:
            # a converted lead beside a live contact is never matched; a deleted one is a
            # linked record the connector cannot see (not_shared when the contact is hidden)
            keep = lead is not None and not lead.converted
            return Link(contact.id, lead.id if keep and lead is not None else None)
        if lead is not None and lead.converted:
            return self.converted_to(lead)
        return Link(None, lead.id if lead is not None else None)


# -- prospects from Salesforce (SPEC §3.9) --------------------------------------------------


def taken_table(records: RecordSet, plan: Plan) -> dict[str, list[str]]:
    """The records a prospect is linked to or matched with after the cycle (as
    cycle.prospects_from_salesforce's `taken`): the CRM ids the record set gives, and each
    outcome's target. A link the cycle replaced named a record that is missing, deleted or
    converted, which get no prospect anyway; created leads are excluded by the SQL."""
    taken = {(o.target.object, o.target.id) for o in plan.outcomes if o.target is not None}
    for p in records.prospects:
        if p.crm_contact_fid:
            taken.add(("contact", p.crm_contact_fid))
        if p.crm_lead_fid:
            taken.add(("lead", p.crm_lead_fid))
    ordered = sorted(taken)
    return {"obj": [o for o, _ in ordered], "id": [i for _, i in ordered]}


def with_new_prospects(
    rules: CheckedRules,
    records: RecordSet,
    plan: Plan,
    found: Iterable[tuple[str, str, int]],
    clock: Clock,
) -> Plan:
    """The plan with its `prospects_from_salesforce`: the SQL found the records (visible,
    live, unconverted, with an email, taken by no prospect); `direct_prospects.build`
    makes each one's prospect. No candidate was written by the cycle (a written record is
    an outcome's target), so its values are the record set's; `found` gives each as
    (object, Id, position in its list). Python touches only the candidates — and, with
    match: email, every prospect's email, since a record whose email a prospect has gets
    none."""
    from engine.runtime.cycle import _prospect_email

    pools = {"contact": records.contacts, "lead": records.leads}
    wanted = sorted(
        (pools[obj][position] for obj, _, position in found),
        key=lambda r: (r.object != "contact", r.id),
    )
    if not wanted:
        return plan
    emails: set[str] = set()
    if rules.connector.match is MatchMode.EMAIL:
        written = {
            o.prospect: str(v or "").strip().casefold()
            for o in plan.outcomes
            for k, v in o.to_pardot
            if k == "email"
        }
        emails = {written.get(p.id, _prospect_email(p)) for p in records.prospects} - {""}
    ids = {p.id for p in records.prospects}
    accounts, people = Accounts.of(records), People.of(rules, records)
    first = len(records.prospects)
    made = build(rules, wanted, emails, ids, clock, first, accounts, people, keep=False)
    return dataclasses.replace(plan, from_salesforce=made.entries)


def direct_rules(rules: CheckedRules) -> bool:
    """Whether the direct path (`direct.py`) can plan this rule set: the steps that read
    whole Records — person accounts (read from the accounts list), Personalization, User
    Sync, Connected Campaigns — need the Python loader's record set."""
    side = (rules.personalization, rules.user_sync, rules.campaigns)
    if rules.connector.person_accounts:
        return False
    return all(s is None for s in side)


def by_email(rules: CheckedRules) -> bool:
    """Whether an unlinked prospect matches by email: match: email, or email_fallback."""
    connector = rules.connector
    return connector.match is MatchMode.EMAIL or connector.email_fallback


def created_stamp(clock: Clock) -> str:
    """A created lead's LastModifiedDate as the SQL's epoch seconds (NULL: none)."""
    stamp = new_lead("", {}, 0, clock).updated_at
    return repr(stamp.timestamp()) if stamp is not None else "NULL"


# -- rounds -------------------------------------------------------------------------------


def components(
    rules: CheckedRules, records: RecordSet, email_mode: bool, links: dict[str, Link]
) -> dict[str, int]:
    """Each prospect's component: prospects that can reach one record or email key (a
    merge's master and a conversion's contact included)."""
    forest = Forest()
    find, union = forest.find, forest.union

    for obj, pool in (("c", records.contacts), ("l", records.leads)):
        for r in pool:
            key = _email_of(rules, r)
            find(f"{obj}:{r.id}")
            if key:
                union(f"{obj}:{r.id}", f"e:{key}")
    for p in records.prospects:
        me = f"p:{p.id}"
        find(me)
        if p.crm_contact_fid:
            union(me, f"c:{p.crm_contact_fid}")
        if p.crm_lead_fid:
            union(me, f"l:{p.crm_lead_fid}")
        link = links[p.id]
        if link.contact:
            union(me, f"c:{link.contact}")
        if link.lead:
            union(me, f"l:{link.lead}")
        if link.master is not None:
            union(me, f"{link.master[0][0]}:{link.master[1]}")
        key = p.email.strip().casefold()
        if email_mode and key:
            union(me, f"e:{key}")
    roots: dict[str, int] = {}
    return {p.id: roots.setdefault(find(f"p:{p.id}"), len(roots)) for p in records.prospects}


def rounds(records: RecordSet, component: dict[str, int]) -> dict[str, int]:
    """Round k holds the k-th prospect (in id order) of every component."""
    count: dict[int, int] = {}
    out: dict[str, int] = {}
    for p in sorted(records.prospects, key=lambda r: r.id):
        c = component[p.id]
        count[c] = count.get(c, 0) + 1
        out[p.id] = count[c]
    return out


# -- the engine ---------------------------------------------------------------------------


def prepare(
    rules: CheckedRules, records: RecordSet
) -> tuple[Program, _Loaded, dict[str, int], int]:
    """What every bulk engine runs: the compiled program, its tables (each prospect tagged
    with its `__round`), each prospect's component, and the last round. CannotEvaluate
    names what the program or the data puts beyond SQL."""
    program = program_for(rules)
    if program.reasons:
        raise CannotEvaluate(program.reasons)
    loaded = load_tables(rules, program, records)
    if loaded.reasons:
        raise CannotEvaluate(loaded.reasons)
    component = components(rules, records, by_email(rules), loaded.links)
    round_of = rounds(records, component)
    prospects = loaded.tables["prospects"]
    prospects["__round"] = [round_of[i] for i in prospects["__id"]]
    return program, loaded, component, max(round_of.values(), default=0)


@dataclass(slots=True)
class DuckEngine:
    rules: CheckedRules
    memory_limit: str = MEMORY_LIMIT
    temp_directory: str | None = None
    on_sql: Callable[[str], None] | None = None  # sees each statement (tests, --debug)

    def connect(self, spill: str) -> Any:
        """A connection bounded to `memory_limit` that spills to `spill` (a temporary
        folder the caller removes) or to `temp_directory` when one is given."""
        import duckdb

        return duckdb.connect(
            config={
                "memory_limit": self.memory_limit,
                "temp_directory": self.temp_directory or spill,
                "threads": os.cpu_count() or 1,
            }
        )

    def open_direct(
        self, root: str, clock: Clock, *, keep_raw: bool = False, lean: bool = False
    ) -> PlanRows | None:
        """The plan with DuckDB reading the record files under `root` itself
        (`direct.py`), left as rows in DuckDB (`plan_rows.PlanRows`, which the caller
        closes): the renderers read it in batches. None when that path does not cover
        this rule set or record set — then load the records with the Python loader and
        call `plan`, which words every input error and every reason to decline as the
        reference does. `keep_raw`: the files' cells stay in the connection too
        (`direct.load`), for `run` to write the new record set from. `lean`: the caller
        reads only the entries SQL writes (`PlanRows.entries`, `columns`), so the write
        lists are kept only on the rows Python may have to build (`plan_rows.LISTS_KEPT`)."""
        from engine.bulk import direct, direct_prospects
        from engine.bulk.plan_rows import LISTS_KEPT, open_rows, suspect_sql
        from engine.bulk.plan_text import MACROS, EntrySql

        program = program_for(self.rules)
        if program.reasons or not direct_rules(self.rules):
            return None

        def fill(con: Any) -> direct.DirectSet | None:
            loaded = direct.load(con, root, self.rules, program, keep_raw=keep_raw)
            if loaded is None:
                return None
            self._bind(con, program, clock, loaded.small)
            stamp = created_stamp(clock)
            last = max(loaded.last_round, 1)  # round 1 of no prospects: the empty rows
            creating = creates_prospects(self.rules)

            def extra(special: Program) -> list[str]:
                """The entries' columns, over the round's program (`_special`)."""
                out = ["__assigned", "__owner", *EntrySql(self.rules, special).columns()]
                # which rows PlanRows._check hands to check_round, from the round's columns
                # (over the stored write lists it took ~2 s at 1,000,000 prospects)
                out.append(f"{suspect_sql(self.rules, special)} AS __suspect")
                if creating and self.rules.connector.match is MatchMode.EMAIL:
                    email = direct_prospects.final_email_sql(self.rules, special)
                    out.append(f"{email} AS __pemail")
                return out

            for macro in MACROS:  # the entries' texts are begun in the rounds
                self._sql(con, macro)
            kept = LISTS_KEPT if lean else None
            if kept is not None and loaded.company:
                # a contact's Account Name may be dropped (direct_company), and a row with a
                # dropped value is built by Python: the round cannot see which yet
                kept = f"{kept} OR __mobj = 'contact'"
            self._rounds(con, program, last, stamp, clock, extra, keep=True, lists=kept)
            if creating:
                loaded.created = direct_prospects.plan(
                    con, self.rules, program, loaded, clock, keep=keep_raw
                )
            return loaded

        return open_rows(self.rules, program, self.connect, fill, suspect=True, lean=lean)

    def plan(self, records: RecordSet, clock: Clock) -> Plan:
        import pyarrow as pa  # type: ignore[import-untyped]

        program, loaded, component, last_round = prepare(self.rules, records)
        with tempfile.TemporaryDirectory(prefix="syncrules-duckdb-") as spill:
            con = self.connect(spill)
            try:
                self._bind(con, program, clock, records)
                for name, data in loaded.tables.items():
                    table = pa.table(_typed(name, data, program))
                    con.register("__arrow", table)
                    self._sql(con, f"CREATE TABLE {name} AS SELECT * FROM __arrow")
                    con.unregister("__arrow")
                stamp = created_stamp(clock)
                rows = self._rounds(con, program, last_round, stamp, clock)
                plan = self._assemble(program, records, rows, component)
                if creates_prospects(self.rules):
                    taken = pa.table(taken_table(records, plan))
                    con.register("__taken", taken)
                    query = f"SELECT obj, id, ord FROM ({program.candidates_sql})"
                    found = self._sql(con, query).fetchall()
                    con.unregister("__taken")
                    plan = with_new_prospects(self.rules, records, plan, found, clock)
            finally:
                con.close()
        return plan

    def _bind(self, con: Any, program: Program, clock: Clock, records: RecordSet) -> None:
        """The run's clock, and a UDF per expression the reference evaluates (udf.py)."""
        from engine.bulk import udf

        udf.bind_clock(program, clock)
        udf.register(con, program, self.rules, clock, directory(records.users))

    def _arrow(self, con: Any, query: str) -> Any:
        """A query's rows as an Arrow table, from a relation (the DB-API cursor's Arrow
        output makes an extra copy of the rows). DuckDB 2 names it to_arrow_table,
        DuckDB 1 fetch_arrow_table."""
        if self.on_sql is not None:
            self.on_sql(query)
        relation = con.sql(query)
        arrow = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        return arrow()

    def _sql(self, con: Any, statement: str) -> Any:
        if self.on_sql is not None:
            self.on_sql(statement)
        return con.execute(statement)

    def _rounds(
        self,
        con: Any,
        program: Program,
        count: int,
        stamp: str,
        clock: Clock,
        extra: Callable[[Program], list[str]] | None = None,
        *,
        keep: bool = False,
        lists: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every round's plan rows, in Python (`keep`: in the table `__plan_rows`).

        A round's query computes some 600 columns (every mapping's fits, directions and
        writes, every check) of which the plan rows and the next round's tables read a
        fraction: only those are stored (`_needed`), and on the direct path (`keep`) the
        last round's writes are not applied, as nothing reads the tables after it.
        `lists` (SQL over the stored columns): the rows whose write lists are stored, in
        `__lists`; the others hold NULL there (None: every row's). `extra`: more columns
        to keep, over the round's program (`_special`)."""
        out: list[dict[str, Any]] = []
        fetched = [*FETCHED, *(f"twins{n}" for n in program.dup_rules)]
        fetched += [f"__ndup{n}" for n in program.dup_rules]
        # a round's program and stored columns by its constants: rounds that find the same
        # ones (most do) are compiled and described once
        compiled: dict[frozenset[tuple[tuple[str, str], str]], Program] = {}
        needed: dict[frozenset[tuple[tuple[str, str], str]], str] = {}
        for k in range(1, count + 1):
            # each round reads the tables as the rounds before left them
            constants = constant_columns(con, program)
            key = frozenset(constants.items())
            if key not in compiled:
                compiled[key] = self._special(program, constants, clock)
            special = compiled[key]
            wanted = fetched + (extra(special) if extra is not None else [])
            selected = f"SELECT {', '.join(wanted)} FROM cycle_round"
            if lists is not None:
                selected = self._lean(special, wanted, lists)
            self._sql(con, "DROP TABLE IF EXISTS cycle_round")
            query = special.round_sql.replace("$round", str(k))
            if keep and k == count:
                # the last round's rows straight into the plan rows: nothing applies its
                # writes, so its ~230 kept columns need not be stored first (at 200,000
                # prospects storing them took more CPU than computing the round)
                into = "INSERT INTO __plan_rows " if k > 1 else "CREATE TABLE __plan_rows AS "
                # every reader of the plan rows orders them by __rank: DuckDB need not
                # keep their order as it writes them (which holds rows back in memory)
                self._sql(con, "SET preserve_insertion_order = false")
                self._sql(con, into + selected.replace("FROM cycle_round", f"FROM ({query})"))
                self._sql(con, "RESET preserve_insertion_order")
                break
            # cycle_round is stored for every round but the direct path's last
            if key not in needed:
                needed[key] = self._needed(con, special, selected)
            columns = needed[key]
            self._sql(con, f"CREATE TABLE cycle_round AS SELECT {columns} FROM ({query})")
            if keep:
                into = "INSERT INTO __plan_rows " if k > 1 else "CREATE TABLE __plan_rows AS "
                self._sql(con, into + selected)
            else:
                batch = rows_of(self._arrow(con, selected))
                check_round(self.rules, program, batch)
                out.extend(batch)
            if keep and k == count:
                break
            for table, select in special.next_tables:
                select = select.replace("$created_stamp", stamp)
                self._sql(con, f"CREATE TABLE {table}__next AS {select}")
                self._drop(con, table)
                self._sql(con, f"ALTER TABLE {table}__next RENAME TO {table}")
        self._sql(con, "DROP TABLE IF EXISTS cycle_round")
        return out

    def _special(
        self, program: Program, constants: dict[tuple[str, str], str], clock: Clock
    ) -> Program:
        """The program for the tables as they stand: compiled again with the fields each
        holds one literal in (`constant_columns`), when there are any. In the benchmark's
        export two thirds of the mapped fields are not in the files, and their fits,
        directions and joined columns were most of a round's work."""
        from engine.bulk import udf

        if not constants:
            return program
        special = compile_cycle(self.rules, program.stages, constants)
        udf.bind_clock(special, clock)
        # the same expressions hosted, in the same order: the UDFs bound are its own
        assert [h.name for h in special.hosts] == [h.name for h in program.hosts]
        return special

    @staticmethod
    def _lean(program: Program, wanted: list[str], lists: str) -> str:
        """The select of `wanted` from cycle_round with the write lists built only on the
        rows `lists` holds (SQL over the other wanted columns; `__lists` says which), in
        a layer above the round's columns they read. At 200,000 prospects building and
        storing every row's lists was a tenth of the round."""
        names = [re.sub(r"^.* AS ", "", w, flags=re.DOTALL) for w in wanted]
        rest = [w for w, n in zip(wanted, names, strict=True) if n not in program.write_lists]
        read = {c for sql in program.write_lists.values() for c in re.findall(r'"[^"]+"', sql)}
        inner = f"SELECT {', '.join([*rest, *sorted(read - set(names))])} FROM cycle_round"
        built = [
            f"CASE WHEN __lists THEN {sql} END AS {name}"
            for name, sql in program.write_lists.items()
        ]
        kept = [n for n in names if n not in program.write_lists]
        return (
            f"SELECT {', '.join([*kept, *built, '__lists'])} "
            f"FROM (SELECT *, ({lists}) AS __lists FROM ({inner}))"
        )

    def _drop(self, con: Any, table: str) -> None:
        """Drop a table, or the direct loader's view of it and the table under it
        (`direct._Loader._store`)."""
        views = "SELECT count(*) FROM duckdb_views() WHERE NOT internal AND view_name = ?"
        if con.execute(views, [table]).fetchone()[0]:
            self._sql(con, f"DROP VIEW {table}")
            self._sql(con, f"DROP TABLE {table}__stored")
        else:
            self._sql(con, f"DROP TABLE {table}")

    def _needed(self, con: Any, program: Program, selected: str) -> str:
        """The round query's columns that `selected` or the statements applying a round
        name (a name that only looks used is kept too: harmless; one missed would be a
        binder error, never a wrong plan)."""
        used = " ".join([selected, *(select for _, select in program.next_tables)])
        query = program.round_sql.replace("$round", "1")
        names = [str(row[0]) for row in con.execute(f"DESCRIBE {query}").fetchall()]
        return ", ".join(q(n) for n in read_columns(names, used))

    # -- the plan from the rows ---------------------------------------------------------

    def _assemble(
        self,
        program: Program,
        records: RecordSet,
        rows: list[dict[str, Any]],
        component: dict[str, int],
    ) -> Plan:
        return assemble(self.rules, program, records, rows, component)


def read_columns(names: list[str], used: str) -> list[str]:
    """The names among a round's columns that the SQL text `used` (what reads the round:
    the fetched rows, the statements applying its writes) names, quoted (DuckDB's double
    quotes, Spark's backticks) or bare. A name that only looks used is kept too:
    harmless; one missed would be a binder error, never a wrong plan. Bare words are found
    in one pass over the text: a regular expression per column was most of the time of
    this on a round of 800 columns (1.9 s of a 9 s dry-run of the sample's two units)."""
    words = {m.group() for m in re.finditer(r"(?<![\w.])\w+", used)}
    return [
        n
        for n in names
        if f'"{n}"' in used
        or f"`{n}`" in used
        or (
            n in words
            if re.fullmatch(r"\w+", n)
            else re.search(rf"(?<![\w.]){re.escape(n)}\b", used)
        )
    ]


def arrow_table(con: Any, query: str) -> Any:
    """A query's rows as an Arrow table, from a relation (the DB-API cursor's Arrow output
    makes an extra copy of the rows). DuckDB 2 names it to_arrow_table, DuckDB 1
    fetch_arrow_table."""
    relation = con.sql(query)
    arrow = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return arrow()


def arrow_batches(con: Any, query: str, size: int) -> Iterator[Any]:
    """A query's rows as Arrow record batches of `size` rows, streamed on a cursor of its
    own (the connection stays free for other statements meanwhile). DuckDB 2 names the
    reader to_arrow_reader, DuckDB 1 fetch_record_batch."""
    relation = con.cursor().sql(query)
    stream = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    yield from stream(size)


def dropping(
    con: Any, program: Program, rows: list[dict[str, Any]]
) -> Callable[[dict[str, Any]], Prospect]:
    """The prospects' own values, fetched only for the rows that drop a value (an
    outcome names the prospect's value it could not write): few, in most cycles."""
    import pyarrow as pa

    wanted = [r["__id"] for r in rows if _drops(r)]
    cls = {c.name: c.cls for c in program.prospect}
    values: dict[str, dict[str, Any]] = {}
    if wanted:
        con.register("__wanted", pa.table({"id": pa.array(wanted, pa.string())}))
        cols = ", ".join(f"p.{q(name)}" for name in cls)
        query = f"SELECT p.__id, {cols} FROM prospects p JOIN __wanted w ON w.id = p.__id"
        values = {r["__id"]: r for r in rows_of(arrow_table(con, query))}
        con.unregister("__wanted")

    def of(row: dict[str, Any]) -> Prospect:
        held = values.get(row["__id"], {})

        def value(name: str) -> Value:
            raw = held[name]
            return raw if isinstance(raw, bool) else _value(raw, cls[name])

        return Prospect(row["__id"], row["__assigned"] or None, value)

    return of


def record_owners(con: Any, rows: list[dict[str, Any]], owners: _Owners) -> None:
    """The OwnerId of each record these rows' prospects synced with (direct path)."""
    import pyarrow as pa

    pairs = {(r["__mobj"], r["__mid"]) for r in rows if r["__mobj"] is not None}
    owners.loaded.clear()
    if not pairs:
        return
    batch = pa.table({"obj": [o for o, _ in pairs], "id": [i for _, i in pairs]})
    con.register("__batch_ids", batch)
    try:
        found = con.sql(
            "SELECT o.obj, o.id, o.owner FROM __record_owner o "
            "JOIN __batch_ids b ON b.obj = o.obj AND b.id = o.id"
        ).fetchall()
    finally:
        con.unregister("__batch_ids")
    owners.loaded.update({(obj, rid): owner for obj, rid, owner in found})


@dataclass(frozen=True, slots=True)
class Prospect:
    """What an outcome reads of its prospect: its id, assigned user and field values
    (a loaded Record's, or the plan row's own columns on the direct path)."""

    id: str
    assigned_user: str | None
    value: Callable[[str], Value]


def record_prospects(
    rules: CheckedRules, prospects: Mapping[str, Record]
) -> Callable[[dict[str, Any]], Prospect]:
    """A plan row's prospect, from the loaded Records by id."""

    def of(row: dict[str, Any]) -> Prospect:
        p = prospects[row["__id"]]
        return Prospect(p.id, p.assigned_user, lambda name: field_value(rules, p, "prospect", name))

    return of


def assemble(
    rules: CheckedRules,
    program: Program,
    records: RecordSet,
    rows: list[dict[str, Any]],
    component: Mapping[str, object],
) -> Plan:
    """The plan from every round's rows: outcomes in prospect id order, the created
    leads' provisional Ids replaced by the Ids the reference gives them."""
    rows.sort(key=lambda r: r["__rank"])
    attempts = [r for r in rows if r["__path"] == "create"]
    _check_duplicates(program, attempts, component)
    # as cycle._new_lead_id: a create that ends in an error takes no Id (no gaps)
    created = [r for r in attempts if r["__action"] == "create_lead"]
    ids = LeadIds.of(records.leads)
    final = {
        f"{NEW_LEAD_PREFIX}{r['__rank']:012d}": ids.nth(n) for n, r in enumerate(created, start=1)
    }
    owners = _Owners(rules, records)
    prospect = record_prospects(rules, owners.prospects)
    outcomes = []
    problems = Problems(final, ids=ids)
    for n, row in enumerate(rows):
        outcome = _outcome(rules, program, prospect(row), row, final, owners)
        outcomes.append(problems.attach(outcome, row))
        rows[n] = _DONE  # each row's dict is freed once its outcome is built
    rows.clear()
    return Plan(tuple(outcomes), ())


_DONE: dict[str, Any] = {}


ROW_BATCH = 50_000  # plan rows converted to Python at a time on the direct path


def rows_of(table: Any) -> list[dict[str, Any]]:
    """An Arrow table's (or record batch's) rows as dicts, converted column by column (a
    third faster than `Table.to_pylist`, which builds each row's dict value by value)."""
    names = table.schema.names
    columns = [table.column(n).to_pylist() for n in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _drops(row: dict[str, Any]) -> bool:
    """Whether an outcome row drops a value (its Dropped entry names the prospect's)."""
    if row["__path"] == "create":
        return any(w["s"] != "w" for w in row["__creates"] or ())
    obj = row["__mobj"]
    if obj is None:
        return False
    return any(w["c"] is not None for w in row[f"__{obj}_writes"] or ())


@dataclass(slots=True)
class _Owners:
    """Ownership as runtime/ownership.py decides it, for the rows of every round: a created
    lead's owner, and the Salesforce owner a synced record's prospect follows (a record's
    OwnerId never changes in a cycle — sql.py refuses mappings into it — except that a
    lead created in an earlier round holds its created owner)."""

    rules: CheckedRules
    records: RecordSet
    people: People = field(init=False)
    accounts: Accounts = field(init=False)
    created: dict[str, str | None] = field(default_factory=dict)  # lead Id → its OwnerId
    found: dict[tuple[str, str], Record] = field(default_factory=dict)
    prospects: dict[str, Record] = field(default_factory=dict)  # Company compares theirs
    # the direct path has no Records: the OwnerId of the records a batch synced with
    loaded: dict[tuple[str, str], object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.people = People.of(self.rules, self.records)
        self.accounts = Accounts.of(self.records)
        for obj, pool in (("contact", self.records.contacts), ("lead", self.records.leads)):
            for r in pool:
                self.found.setdefault((obj, r.id), r)
        self.prospects = {p.id: p for p in self.records.prospects}

    def record_owner(self, obj: str, record_id: str) -> object:
        if obj == "lead" and record_id in self.created:
            return self.created[record_id]
        record = self.found.get((obj, record_id))
        if record is None:
            return self.loaded.get((obj, record_id))
        return owner_of(record)


BOOLEAN_COLUMNS = frozenset({"__created", "__deleted", "__gone"})

FETCHED = (
    "__id",
    "__rank",
    "__path",
    "__action",
    "__mobj",
    "__mid",
    "__mby",
    "__email",
    "__nemail",
    '"lead.__email"',
    '"contact.__email"',
    "__stages",
    "__creates",
    "__lead_writes",
    "__contact_writes",
    "__fired",
    "__missing",
    "__problems",
)


@dataclass(frozen=True, slots=True)
class LeadIds:
    """The Ids the reference gives the leads a cycle creates (cycle._new_lead_id): the
    k-th is the k-th `00QSR` number no lead of the record set has — a lead an earlier
    business unit created, or one an earlier run wrote back, keeps its Id and is skipped."""

    taken: tuple[int, ...] = ()  # the numbers existing leads hold, ascending

    @staticmethod
    def of(leads: Iterable[Record]) -> LeadIds:
        numbers = {
            int(lead.id[len(NEW_LEAD_PREFIX) :]) for lead in leads if _CREATED_ID.fullmatch(lead.id)
        }
        return LeadIds(tuple(sorted(numbers)))

    def number(self, k: int) -> int:
        """The number of the k-th created lead (k from 1)."""
        found = k
        for taken in self.taken:  # each taken number at or below it moves it one on
            if taken > found:
                break
            found += 1
        return found

    def nth(self, k: int) -> str:
        return f"{NEW_LEAD_PREFIX}{self.number(k):010d}"


_CREATED_ID = re.compile(re.escape(NEW_LEAD_PREFIX) + r"[0-9]{10}")
# the provisional Id a round gives a created lead (sql.py's apply): no existing lead may
# hold one, or the next round would match it for the created lead
_PROVISIONAL_ID = re.compile(re.escape(NEW_LEAD_PREFIX) + r"[0-9]{12}")


@dataclass(slots=True)
class Problems:
    """The formula failures of each plan row (sql.py's `__problems`), as the reference
    lists them on the outcome; a `D` failure (a value SQL cannot hold exactly) makes the
    engine decline. Rows come in prospect order, so a lead being created has the Id the
    reference gives it (cycle._new_lead_id: one past the leads created so far)."""

    final: dict[str, str]  # provisional Id → the created lead's Id
    created: int = 0
    ids: LeadIds = LeadIds()

    @staticmethod
    def decline(row: dict[str, Any]) -> None:
        """CannotEvaluate for the row's first `D` failure, if it has one."""
        for p in row["__problems"] or ():
            text: str = p["e"]
            if text[0] == Fail.DECLINE.value:
                location, _, message = text[1:].partition(FAIL_SEP)
                raise CannotEvaluate([Reason(p["r"], message, location)])

    def attach(self, outcome: Outcome, row: dict[str, Any]) -> Outcome:
        new_id = self.ids.nth(self.created + 1)
        if row["__action"] == "create_lead":
            self.created += 1
        listed = row["__problems"]
        if not listed:
            return outcome
        self.decline(row)
        found = []
        for p in listed:
            text: str = p["e"]
            location, _, message = text[1:].partition(FAIL_SEP)
            mid = row["__mid"]
            record = {"p": row["__id"], "n": new_id, "v": self.final.get(mid, mid)}[p["o"]]
            message = message.replace(RECORD_ID, record)  # a created lead's, written before
            found.append(FormulaProblem(p["r"], record, message, location))
        return dataclasses.replace(outcome, problems=tuple(found))


def _typed(name: str, data: dict[str, list[Any]], program: Program) -> dict[str, Any]:
    import pyarrow as pa

    obj = {"prospects": "prospect", "leads": "lead", "contacts": "contact"}.get(name)
    cls = {c.name: c.cls for c in program.columns(obj)} if obj else {}
    out: dict[str, Any] = {}
    for key, values in data.items():
        if key in ("__ord", "__rank", "__round"):
            out[key] = pa.array(values, pa.int64())
        elif key == "__stamp" or key.startswith("__hs"):
            out[key] = pa.array(values, pa.float64())
        elif key in BOOLEAN_COLUMNS or cls.get(key) is Cls.BOOL:
            out[key] = pa.array(values, pa.bool_())
        else:
            out[key] = pa.array(values, pa.string())
    return out


def check_round(rules: CheckedRules, program: Program, batch: list[dict[str, Any]]) -> None:
    """Writes that could reach another component: the email or duplicate key of a record."""
    email_mode = by_email(rules)
    dup_names = {i.name.casefold() for n in program.dup_rules for i in rules.duplicates[n].fields}
    for row in batch:
        created = row["__action"] == "create_lead" and email_mode and row["__nemail"]
        if created and row["__nemail"] != row["__email"]:
            raise CannotEvaluate(
                [
                    Reason(
                        f"prospect {row['__id']}",
                        "a created lead's email is not the prospect's",
                    )
                ]
            )
        if row["__action"] != "matched":
            continue
        obj = row["__mobj"]
        maps = dict(program.lead_maps if obj == "lead" else program.contact_maps)
        for w in row[f"__{obj}_writes"] or ():
            if w["d"] != "sf" or w["c"] is not None:
                continue
            target = maps[w["i"]].target(obj)
            assert target is not None
            name = target.name.casefold()
            new_key = str(w["s"] or "").strip().casefold()
            if name == "email" and new_key != row[f"{obj}.__email"]:
                raise CannotEvaluate(
                    [
                        Reason(
                            f"prospect {row['__id']}",
                            f"a write changes {obj} {row['__mid']}'s email key",
                        )
                    ]
                )
            if name in dup_names:
                raise CannotEvaluate(
                    [
                        Reason(
                            f"prospect {row['__id']}",
                            f"a write to {obj} {target.name}, a duplicate rule's field",
                        )
                    ]
                )


def _check_duplicates(
    program: Program, attempts: list[dict[str, Any]], component: Mapping[str, object]
) -> None:
    """Created leads of different components sharing a duplicate key would have seen each
    other in id order."""
    for n in program.dup_rules:
        owner: dict[str, object] = {}
        for row in attempts:
            key = row[f"__ndup{n}"]
            if key is None:
                continue
            c = component[row["__id"]]
            if owner.setdefault(key, c) != c:
                raise CannotEvaluate(
                    [
                        Reason(
                            f"prospect {row['__id']}",
                            "leads created for unrelated prospects share a duplicate key",
                        )
                    ]
                )


_CLS: dict[FieldType, Cls | None] = {}


def _cls(ftype: FieldType) -> Cls | None:
    """cls_of, memoised: the assembly asks it for every write of every prospect."""
    found = _CLS.get(ftype, _CLS)
    if found is _CLS:
        found = _CLS[ftype] = cls_of(ftype)
    return found  # type: ignore[return-value]


_FIELDS: dict[int, tuple[ValidationRule, tuple[str, ...]]] = {}


def _fields_of(rule: ValidationRule) -> tuple[str, ...]:
    """cycle._rule_fields, memoised per rule (it walks the rule's formula)."""
    held = _FIELDS.get(id(rule))
    if held is None or held[0] is not rule:
        held = _FIELDS[id(rule)] = (rule, _rule_fields(rule))
    return held[1]


def _value(raw: str | None, c: Cls | None) -> Value:
    """A value the SQL gave as text, in the Python type of its field class."""
    if c is Cls.NUMBER:
        return Decimal(raw) if raw is not None else None
    if c in (Cls.TEXT, Cls.MULTI):
        return raw if raw is not None else ""
    if c is Cls.BOOL:
        return raw == "true" if raw is not None else None
    if raw is not None and c is Cls.DATE:
        return dt.date.fromisoformat(raw)
    if raw is not None and c is Cls.DATETIME:
        return dt.datetime.fromisoformat(raw)
    return raw


def _outcome(
    rules: CheckedRules,
    program: Program,
    prospect: Prospect,
    row: dict[str, Any],
    final: dict[str, str],
    owners: _Owners,
) -> Outcome:
    held = set(row["__stages"])
    stages = tuple(s.name for s in rules.stages if s.name in held)
    path = row["__path"]
    if path in ("paused", "crm_deleted", "not_shared", "gated"):
        return Outcome(prospect.id, Action.SKIP, stages, SkipReason(path))
    action: str = row["__action"]
    dropped: list[Dropped] = []
    if path == "create":
        writes: dict[str, Value] = {}
        leads = dict(program.lead_maps)
        for w in row["__creates"] or ():
            m = leads[w["i"]]
            assert m.lead is not None
            if w["s"] == "w":
                writes[m.lead.name] = _value(w["v"], _cls(m.lead.type))
            else:
                pv = prospect.value(m.prospect.name)
                dropped.append(Dropped(m.lead.name, DropCode(w["s"]), pv))
        owner = created_owner(rules, owners.people, prospect.assigned_user)
        if owner.id is not None:
            declared = rules.object("lead").get("OwnerId")
            writes[declared.name if declared else "OwnerId"] = owner.id
        if action == "create_lead":
            created = final[f"{NEW_LEAD_PREFIX}{row['__rank']:012d}"]
            owners.created[created] = owner.id
            return Outcome(
                prospect.id,
                Action.CREATE_LEAD,
                stages,
                to_salesforce=tuple(writes.items()),
                dropped=tuple(dropped),
                created_id=created,
                owner=shown(owner),
            )
        failures = _failures(rules, program, "lead", action, row, writes, final)
        return Outcome(
            prospect.id,
            Action.ERROR,
            stages,
            failures=failures,
            dropped=tuple(dropped),
            owner=shown(owner),
        )
    obj, mid = row["__mobj"], final.get(row["__mid"], row["__mid"])
    to_sf: dict[str, Value] = {}
    to_pd: dict[str, Value] = {}
    maps = dict(program.lead_maps if obj == "lead" else program.contact_maps)
    for w in row[f"__{obj}_writes"] or ():
        m = maps[w["i"]]
        target = m.target(obj)
        assert target is not None
        sc, pc = _cls(target.type), _cls(m.prospect.type)
        if w["d"] == "sf":
            if w["c"] is None:
                to_sf[target.name] = _value(w["s"], sc)
            else:
                pv = prospect.value(m.prospect.name)
                dropped.append(Dropped(target.name, DropCode(w["c"]), pv))
        elif w["c"] is None:
            to_pd[m.prospect.name] = _value(w["p"], pc)
        else:
            dropped.append(Dropped(m.prospect.name, DropCode(w["c"]), _value(w["s"], sc)))
    if obj == "contact":  # as cycle.update: the contact's Account Name, before the checks
        contact = owners.found.get((obj, mid))
        record = owners.prospects.get(prospect.id)
        if contact is not None:
            company = account_company(rules, owners.accounts, record, contact)
        else:  # the direct path has no Records: it decided the company in SQL
            from engine.bulk.direct_company import row_company

            company = row_company(rules, row)
        if company is not None:
            with_company(company, to_pd, dropped)
    target_ = Target(obj, mid)
    if action.startswith("error:"):
        failures = _failures(rules, program, obj, action, row, to_sf, final)
        return Outcome(
            prospect.id,
            Action.ERROR,
            stages,
            target=target_,
            matched_by=row["__mby"],
            dropped=tuple(dropped),
            failures=failures,
        )
    followed = followed_owner(owners.people, prospect.assigned_user, owners.record_owner(obj, mid))[
        0
    ]
    kind = Action.UPDATE if to_sf or to_pd else Action.NO_CHANGE
    return Outcome(
        prospect.id,
        kind,
        stages,
        target=target_,
        matched_by=row["__mby"],
        to_salesforce=tuple(to_sf.items()),
        to_pardot=tuple(to_pd.items()),
        dropped=tuple(dropped),
        owner=followed,
    )


def _failures(
    rules: CheckedRules,
    program: Program,
    obj: str,
    action: str,
    row: dict[str, Any],
    writes: dict[str, Value],
    final: dict[str, str],
) -> tuple[Failure, ...]:
    model = rules.object(obj)
    if action == "error:ro":
        blocked = tuple(n for n in writes if (info := model.get(n)) and info.readonly)
        message = f"the connector user has no edit access to {obj} {', '.join(blocked)}"
        return (Failure(ErrorCode.READONLY, None, message, blocked),)
    if action == "error:req":
        missing = tuple(row["__missing"])
        message = f"Required fields are missing: [{', '.join(missing)}]"
        return (Failure(ErrorCode.REQUIRED, None, message, missing),)
    if action == "error:val":
        listed = program.lead_rules if obj == "lead" else program.contact_rules
        out = []
        fired = set(row["__fired"] or ())
        for j, _ in listed:
            if j in fired:
                rule = rules.validations[j]
                out.append(Failure(ErrorCode.VALIDATION, rule.name, rule.message, _fields_of(rule)))
        return tuple(out)
    duplicates: list[Failure] = []
    for n in program.dup_rules:
        twins: Iterable[str] | None = row[f"twins{n}"]
        if not twins:
            continue
        dup = rules.duplicates[n]
        names = ", ".join(f.name for f in dup.fields)
        shown = []
        for twin in twins:
            twin_obj, twin_id = twin.split(" ", 1)
            shown.append(f"{twin_obj} {final.get(twin_id, twin_id)}")
        duplicates.append(
            Failure(
                ErrorCode.DUPLICATE,
                f"lead by {names}",
                f"Use one of these records? {', '.join(shown)} (same {names})",
                tuple(f.name for f in dup.fields),
            )
        )
    return tuple(duplicates)
