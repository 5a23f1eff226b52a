"""Prospects from Salesforce (SPEC §3.9) on the bulk engines (issue 10).

After every prospect has its action, each visible, live, unconverted contact, then lead,
with an email that no prospect is linked to or matched with gets a prospect. SQL finds
those records (`sql.Program.candidates_sql` over the engine's tables and `__taken`: the
prospects' CRM ids and the rows' targets); the reference's own `new_prospect` builds
each one's prospect from the record as the Python loader types it, so every engine
plans the same entries and `run` adds the same records.

On the direct path no Record exists: the loader keeps the cells of the leads and
contacts no prospect's CRM id names (`direct._Loader._unlinked`), and only the
candidates among them are typed here, by `records.load.records_of`. With `match:
email`, a record whose email a prospect has after the cycle's writes gets none: the
rounds give each prospect's final email key (`final_email_sql`, `__pemail`), and SQL
hands Python only the keys the candidates hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.bulk.sql import CannotEvaluate, Program, Reason, cls_of, lit, q
from engine.check.model import CheckedRules
from engine.plan import NewProspect
from engine.records.model import Record, RecordSet
from engine.runtime.company import Accounts
from engine.runtime.context import Clock
from engine.runtime.cycle import NEW_PROSPECT_PREFIX
from engine.runtime.ownership import People
from engine.vocabulary import MatchMode

if TYPE_CHECKING:
    from engine.bulk.direct import DirectSet

# the plan rows' paths with no target (duck._outcome): skipped, or a lead created
_NO_TARGET = "('paused', 'crm_deleted', 'not_shared', 'gated', 'create')"
# cycle._new_prospect_id's prefix: the only prospect ids a new one's can collide with
NEW_PROSPECT_IDS = f"{NEW_PROSPECT_PREFIX}-"
CANDIDATE_BATCH = 10_000  # candidates typed as Records at a time
TRIM = "' \t\n\r'"  # what str.strip() strips from printable ASCII (direct.TRIM)


@dataclass(frozen=True, slots=True)
class Unlinked:
    """Where one Salesforce list's records that no prospect names are, as read."""

    list_name: str  # "contacts" or "leads"
    path: str  # the file ("" when the record set has none: no records)
    header: tuple[str, ...]  # its columns, in file order (c0, c1, … in `table`)
    table: str | None  # the kept cells (CSV); None: read again from the Parquet file
    id_column: str  # the Id's column: in `table` (c3), or the Parquet file's name


@dataclass(frozen=True, slots=True)
class Created:
    """The prospects the cycle creates, as the plan lists them and as `run` adds them."""

    entries: tuple[NewProspect, ...]
    records: tuple[Record, ...]


def creates_prospects(rules: CheckedRules) -> bool:
    return rules.connector.create_prospects and not rules.connector.paused


def build(
    rules: CheckedRules,
    wanted: Iterable[Record],
    emails: set[str],
    ids: set[str],
    clock: Clock,
    first: int,
    accounts: Accounts,
    people: People,
    *,
    keep: bool = True,
) -> Created:
    """`cycle.prospects_from_salesforce`'s loop over the records SQL found, given in its
    order (contacts then leads, each in Id order), one at a time: with match: email, none
    for a record whose email `emails` holds (a prospect's, after the cycle's writes) or
    one made before it. `ids`: the prospect ids a new one must not take; `first`: the
    number of prospects read; `keep`: the new prospects' Records too (for `run`)."""
    from engine.runtime.cycle import _email_of, new_prospect

    by_email = rules.connector.match is MatchMode.EMAIL
    entries: list[NewProspect] = []
    records: list[Record] = []
    for record in wanted:
        email = _email_of(rules, record)
        if by_email and email in emails:
            continue  # SPEC §3.9: that person already has a prospect
        emails.add(email)
        made, added = new_prospect(
            rules, record, ids, clock, first + len(entries), accounts, people
        )
        entries.append(made)
        if keep:
            records.append(added)
    return Created(tuple(entries), tuple(records))


def final_email_sql(rules: CheckedRules, program: Program) -> str:
    """A plan row's prospect's email key after the cycle's writes (cycle._prospect_email),
    over the round's columns: a mapping's write of Salesforce's email into the prospect
    on a synced record (an error writes nothing), else the email as read."""
    branches = []
    for obj, maps in (("lead", program.lead_maps), ("contact", program.contact_maps)):
        for n, m in maps:
            target = m.target(obj)
            if m.prospect.name != "email" or target is None:
                continue
            if cls_of(m.prospect.type) is None or cls_of(target.type) is None:
                continue  # no write (sql._packed)
            pre = f"{obj[0]}{n}"
            value = f"COALESCE(CAST({q(pre + '.pdv')} AS VARCHAR), '')"
            branches.append(
                f"WHEN __action = 'matched' AND {q(pre + '.dir')} = 'pd' "
                f"AND {q(pre + '.code')} IS NULL THEN lower(trim({value}, {TRIM}))"
            )
    if not branches:
        return "__email"
    return f"(CASE {' '.join(branches)} ELSE __email END)"


def taken_sql(targets: str) -> str:
    """`__taken`: the records prospects are linked to or matched with — every prospect's
    CRM ids (`__sf_fids`) and the targets of `targets`, a table of plan rows (`__mobj`,
    `__mid`, `__path`)."""
    return (
        "SELECT DISTINCT obj, id FROM (SELECT obj, id FROM __sf_fids UNION ALL "
        f"SELECT __mobj AS obj, __mid AS id FROM {targets} "
        f"WHERE __mobj IS NOT NULL AND __path NOT IN {_NO_TARGET})"
    )


def plan(
    con: Any,
    rules: CheckedRules,
    program: Program,
    loaded: DirectSet,
    clock: Clock,
    *,
    keep: bool = False,
    found: bool = False,
) -> Created:
    """After the last round of the direct path: the prospects from Salesforce, from the
    plan rows (`__plan_rows`, with `__pemail`) and the loader's tables. A file DuckDB
    cannot read again (changed since it was loaded) is CannotEvaluate: the direct path
    steps aside and the Python loader words what is wrong with it. `found`: the caller
    has put the candidates in `__sf_found` (and, with match: email, their email keys in
    `contacts` and `leads`; their cells in the unlinked tables) — Spark finds them where
    it holds the tables (spark_direct.py)."""
    import duckdb

    try:
        return _plan(con, rules, program, loaded, clock, keep, found)
    except duckdb.Error as error:
        reason = f"the candidates' records could not be read again ({error})"
        raise CannotEvaluate([Reason("prospects from Salesforce", reason)]) from None


def _plan(
    con: Any,
    rules: CheckedRules,
    program: Program,
    loaded: DirectSet,
    clock: Clock,
    keep: bool,
    found: bool,
) -> Created:
    sql = con.execute
    if not found:
        sql(f"CREATE OR REPLACE TABLE __taken AS {taken_sql('__plan_rows')}")
        sql(
            "CREATE OR REPLACE TABLE __sf_found AS SELECT obj, id, ord "
            f"FROM ({program.candidates_sql})"
        )
    emails: set[str] = set()
    if rules.connector.match is MatchMode.EMAIL:
        keys = " UNION ALL ".join(
            f"SELECT x.__email AS e FROM __sf_found f JOIN {table} x "
            f"ON f.obj = '{obj}' AND x.__id = f.id"
            for obj, table in (("contact", "contacts"), ("lead", "leads"))
        )
        emails = {
            str(e)
            for (e,) in sql(
                f"SELECT DISTINCT __pemail FROM __plan_rows WHERE __pemail IN ({keys})"
            ).fetchall()
        }
    ids = {
        str(i)
        for (i,) in sql(
            f"SELECT __id FROM __plan_rows WHERE starts_with(__id, {lit(NEW_PROSPECT_IDS)})"
        ).fetchall()
    }
    small: RecordSet = loaded.small
    accounts, people = Accounts.of(small), People.of(rules, small)
    wanted = _candidates(con, rules, loaded.unlinked)
    made = build(rules, wanted, emails, ids, clock, loaded.prospects, accounts, people, keep=keep)
    for table in (
        "__sf_found",
        "__sf_fids",
        "__taken",
        *(u.table for u in loaded.unlinked if u.table),
    ):
        sql(f"DROP TABLE IF EXISTS {table}")  # the candidates were Records: free the memory
    return made


def _candidates(con: Any, rules: CheckedRules, unlinked: Iterable[Unlinked]) -> Iterator[Record]:
    """The records `__sf_found` names, contacts then leads, each in Id order, typed as
    the Python loader types them, a batch at a time: at 1,000,000 prospects of a CRM the
    connector never ran on, half a million records get a prospect, and all of them at
    once as Records are some hundreds of MB."""
    from engine.bulk.duck import arrow_batches
    from engine.records.load import records_of

    for source in unlinked:
        obj = "contact" if source.list_name == "contacts" else "lead"
        found = f"__sf_found f ON f.obj = '{obj}' AND f.id = "
        if source.table is not None:
            cells = ", ".join(f"u.c{n}" for n in range(len(source.header)))
            query = (
                f"SELECT f.ord, {cells} FROM {source.table} u "
                f"JOIN {found}u.{source.id_column} ORDER BY f.id"
            )
        elif source.path:
            columns = ", ".join(f"p.{q(h)}" for h in source.header)
            query = (
                f"SELECT f.ord, {columns} FROM read_parquet({lit(source.path)}) p "
                f"JOIN {found}CAST(p.{q(source.id_column)} AS VARCHAR) ORDER BY f.id"
            )
        else:
            continue
        for batch in arrow_batches(con, query, CANDIDATE_BATCH):
            cells_of = [batch.column(n).to_pylist() for n in range(batch.num_columns)]
            rows = [
                (int(row[0]), dict(zip(source.header, row[1:], strict=True)))
                for row in zip(*cells_of, strict=True)
            ]
            yield from records_of(rules, source.list_name, source.path, rows)


__all__ = [
    "Created",
    "Unlinked",
    "build",
    "creates_prospects",
    "final_email_sql",
    "plan",
    "taken_sql",
]
