"""The direct path's plan as rows in DuckDB, read out in batches (issue 10).

After the rounds (`duck.DuckEngine.open_direct`), every prospect's plan row is in the
table `__plan_rows`. `PlanRows` finishes them in SQL — the created leads' final Ids, the
checks that make the engine decline, the action, the owner decisions (decided in Python
once per distinct assigned user and record owner) — into `__rows`, sorted by prospect, and
hands the renderers each batch's entries as text written by SQL (`plan_text.py`): the
JSON plan, JSON Lines and Parquet never build a Python object per prospect. A row the SQL
cannot write exactly is built as an `Outcome` by the reference's code (`duck._outcome`)
and rendered by the renderer, in its place. `plan()` still gives the whole `Plan`, for the
table format and the tests.
"""

from __future__ import annotations

import bisect
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.bulk import direct_company
from engine.bulk.direct_prospects import Created
from engine.bulk.duck import (
    ROW_BATCH,
    LeadIds,
    Problems,
    _outcome,
    _Owners,
    arrow_batches,
    arrow_table,
    by_email,
    check_round,
    dropping,
    record_owners,
    rows_of,
)
from engine.bulk.plan_text import MACROS, EntrySql, Style
from engine.bulk.sql import NEW_LEAD_PREFIX, CannotEvaluate, Program, Reason, cls_of, lit, q
from engine.check.model import CheckedRules
from engine.plan import CREATE_PROSPECT, Action, NewProspect, Outcome, Owner, Plan, Summary
from engine.runtime.ownership import created_owner, followed_owner, shown

if TYPE_CHECKING:
    from engine.bulk.direct import DirectSet

JSON_PAD = "    "  # a record's indent in the JSON plan (render/plan_json.write)
# a row with formula failures (sql.py's `__problems`) is written by Python: the outcome
# lists them as the reference does (duck.Problems)
FAILED = "(__problems IS NOT NULL AND len(__problems) > 0)"
# a `D` failure: a value SQL cannot hold exactly, which makes the engine decline
DECLINES = f"({FAILED} AND len(list_filter(__problems, lambda p: left(p.e, 1) = 'D')) > 0)"
# the rows whose write lists (`__creates`, `__lead_writes`, `__contact_writes`) a lean
# cycle keeps (duck.DuckEngine.open_direct): those Python may build an Outcome of — every
# row whose entry SQL may not write (a dropped value, an error, a formula failure, a FAIL
# in a side's writes) and every row `_check` hands to check_round
LISTS_KEPT = (
    f"__suspect OR __drops OR starts_with(__action, 'error:') OR {FAILED} "
    "OR COALESCE(contains(__sf_items || __pd_items, chr(0)), TRUE)"
)
# per batch of entries: each one's text, or None where `fallback` holds its Outcome
Batch = tuple[list[str | None], dict[int, Outcome]]
Piece = bytes | memoryview  # of an entry's UTF-8 bytes (PlanRows.entry_bytes)


@dataclass(slots=True)
class PlanRows:
    """The plan rows of a direct-path cycle, held in DuckDB until `close`."""

    rules: CheckedRules
    program: Program
    con: Any
    spill: str
    owners: _Owners
    batch: int = ROW_BATCH
    tally: dict[str, int] = field(default_factory=dict)
    fallbacks: int = 0  # entries built in Python so far (tests: the SQL wrote the rest)
    # the 00QSR numbers leads of the record set hold, which created leads skip (duck.LeadIds)
    ids: LeadIds = field(default_factory=LeadIds)
    suspect: bool = False  # the rounds computed `__suspect` (suspect_sql) for each row
    company: bool = False  # the loader built direct_company.TABLE
    # the write lists are kept only where LISTS_KEPT holds (`__lists`): the entries and
    # the Parquet columns can be read, not `plan()` nor `outcomes()`
    lean: bool = False
    # SPEC §3.9: the prospects the cycle creates from Salesforce (direct_prospects.py)
    created: Created = field(default_factory=lambda: Created((), ()))
    _final: dict[str, str] | None = None
    _source: str = "__plan_rows"  # what __base reads the rows from (prepare)
    _created_ranks: list[int] = field(default_factory=list)  # of the created leads, sorted

    # -- finishing the rows in SQL --------------------------------------------------

    def prepare(self) -> None:
        """The rows' final Ids, owners and actions; CannotEvaluate for what would have
        crossed components (duck.check_round, duck._check_duplicates)."""
        sql = self.con.execute
        for macro in MACROS:
            sql(macro)
        # as cycle._new_lead_id: a create that ends in an error takes no Id (no gaps)
        number, numbers = "c.__k", ""
        if self.ids.taken:  # the k-th created lead takes the k-th number no lead holds
            sql("CREATE TABLE __taken_numbers (n BIGINT)")
            self.con.executemany(
                "INSERT INTO __taken_numbers VALUES (?)", [(n,) for n in self.ids.taken]
            )
            sql(
                "CREATE TABLE __numbers AS SELECT row_number() OVER (ORDER BY range) AS k, "
                "range AS n FROM range(1, (SELECT count(*) FROM __plan_rows) "
                f"+ {len(self.ids.taken)} + 1) WHERE range NOT IN (SELECT n FROM __taken_numbers)"
            )
            number, numbers = "u.n", "JOIN __numbers u ON u.k = c.__k"
        sql(
            f"CREATE TABLE __final AS SELECT {lit(NEW_LEAD_PREFIX)} || "
            "lpad(CAST(c.__rank AS VARCHAR), 12, '0') AS prov, "
            f"{lit(NEW_LEAD_PREFIX)} || lpad(CAST({number} AS VARCHAR), 10, '0') AS final, "
            "c.__owner AS owner, c.__rank AS rank FROM (SELECT __rank, __owner, "
            "row_number() OVER (ORDER BY __rank) AS __k FROM __plan_rows "
            f"WHERE __path = 'create' AND __action = 'create_lead') c {numbers}"
        )
        self._check()
        self._declines()
        # a contact's company from its account (direct_company.py), joined in
        rows = direct_company.rows(self.con, self.rules) if self.company else "__plan_rows"
        self._source = rows
        sql(
            f"CREATE VIEW __base AS SELECT r.*, {EntrySql(self.rules, self.program).action()} "
            "AS __act, COALESCE(f.final, r.__mid) AS __target, "
            "CASE WHEN r.__path = 'create' THEN 'lead' ELSE r.__mobj END AS __fobj, "
            "CASE WHEN r.__mobj IS NULL THEN '' WHEN f.prov IS NOT NULL THEN f.owner "
            "ELSE COALESCE(o.owner, '') END AS __rowner "
            f"FROM {rows} r LEFT JOIN __final f ON r.__mobj = 'lead' AND f.prov = r.__mid "
            "LEFT JOIN __record_owner o ON o.obj = r.__mobj AND o.id = r.__mid"
        )
        self._owner_tables()
        sql(
            "CREATE VIEW __rows AS SELECT b.*, "
            "c.pretty AS __created_owner_pretty, c.compact AS __created_owner_compact, "
            "f.pretty AS __followed_owner_pretty, f.compact AS __followed_owner_compact "
            "FROM __base b LEFT JOIN __owner_created c ON c.assigned = b.__assigned "
            "LEFT JOIN __owner_followed f ON f.assigned = b.__assigned AND f.rowner = b.__rowner"
        )
        # the action reads the rows' own columns: counted without __base's joins
        action = EntrySql(self.rules, self.program).action()
        tally = dict(sql(f"SELECT {action} AS a, count(*) FROM {rows} GROUP BY 1").fetchall())
        self.tally = {a.value: int(tally.get(a.value, 0)) for a in Action}
        self.tally["prospects"] = sum(self.tally.values())

    def _check(self) -> None:
        """What sends the cycle back to the Python loader's path, which words it: leads
        created for unrelated prospects with one duplicate key, and the writes
        duck.check_round refuses, checked by it on the rows SQL finds suspect."""
        sql = self.con.execute
        for n in self.program.dup_rules:
            # only a key two created leads hold can span components: those few rows are
            # joined with their components, not every created lead (0.38 -> 0.08 s of CPU
            # at 1,000,000 prospects)
            twice = (
                f"SELECT __ndup{n} FROM __plan_rows WHERE __path = 'create' "
                f"AND __ndup{n} IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
            )
            shared = sql(
                f"SELECT count(*) FROM (SELECT r.__ndup{n} FROM __plan_rows r "
                "JOIN __components c ON c.__id = r.__id WHERE r.__path = 'create' "
                f"AND r.__ndup{n} IN ({twice}) GROUP BY 1 HAVING count(DISTINCT c.__comp) > 1)"
            ).fetchall()
            if shared[0][0]:
                reason = "leads created for unrelated prospects share a duplicate key"
                raise CannotEvaluate([Reason("duplicate rule", reason)])
        # the round computed the test per row (`suspect_sql`) where DuckDB ran it; rows
        # Spark's rounds handed over are tested here, over their write lists
        test = "__suspect" if self.suspect else suspect_sql(self.rules, self.program, lists=True)
        if test != "FALSE":
            suspects = rows_of(
                arrow_table(self.con, f"SELECT * FROM __plan_rows WHERE {test} ORDER BY __rank")
            )
            check_round(self.rules, self.program, suspects)

    def _declines(self) -> None:
        """CannotEvaluate, before anything is written, when a row holds a value SQL cannot
        hold exactly (Problems.decline words the reason from the first such row)."""
        found = rows_of(
            arrow_table(
                self.con,
                f"SELECT * FROM __plan_rows WHERE {DECLINES} ORDER BY __rank LIMIT 1",
            )
        )
        for row in found:
            Problems.decline(row)

    def _owner_tables(self) -> None:
        """The owner object each row shows (`plan_json.outcome`'s "owner"), decided by
        runtime/ownership.py once per distinct assigned user (a created lead) and per
        distinct assigned user and record owner (a synced record's owner followed)."""
        people = self.owners.people
        sql = self.con.execute
        created = []
        for (assigned,) in sql(
            f"SELECT DISTINCT __assigned FROM {self._source} WHERE __path = 'create' ORDER BY 1"
        ).fetchall():
            decided = shown(created_owner(self.rules, people, assigned or None))
            created.append((assigned, *_owner_texts(decided)))
        followed = []
        for assigned, rowner in sql(
            "SELECT DISTINCT __assigned, __rowner FROM __base "
            "WHERE __act IN ('update', 'no_change') ORDER BY 1, 2"
        ).fetchall():
            decided = followed_owner(people, assigned or None, rowner)[0]
            followed.append((assigned, rowner, *_owner_texts(decided)))
        sql("CREATE TABLE __owner_created (assigned VARCHAR, pretty VARCHAR, compact VARCHAR)")
        sql(
            "CREATE TABLE __owner_followed "
            "(assigned VARCHAR, rowner VARCHAR, pretty VARCHAR, compact VARCHAR)"
        )
        if created:
            self.con.executemany("INSERT INTO __owner_created VALUES (?, ?, ?)", created)
        if followed:
            self.con.executemany("INSERT INTO __owner_followed VALUES (?, ?, ?, ?)", followed)

    # -- reading -------------------------------------------------------------------

    @property
    def from_salesforce(self) -> tuple[NewProspect, ...]:
        return self.created.entries

    def counts(self) -> dict[str, int]:
        """The JSON plan's summary (Plan.counts)."""
        return (
            {"prospects": self.tally["prospects"]}
            | {a.value: self.tally[a.value] for a in Action}
            | {CREATE_PROSPECT: len(self.from_salesforce)}
        )

    @property
    def has_errors(self) -> bool:
        return self.tally[Action.ERROR.value] > 0

    def entries(self, form: str) -> Iterator[Batch]:
        """Each batch's entries, in prospect order: `json`, ",\\n" and the entry at the
        JSON plan's indent; `jsonl`, the JSON Lines record and its line end. One query
        writes them all and DuckDB sorts the texts by prospect (spilling to disk beyond
        its memory limit); the order is checked batch by batch.
        """
        for texts, missing, fallback in self._texts(form):
            listed: list[str | None] = texts.to_pylist()
            for i in missing:
                listed[i] = None
            yield listed, fallback

    def entry_bytes(self, form: str, render: Callable[[Outcome], str]) -> Iterator[list[Piece]]:
        """`entries` as the UTF-8 bytes a file holds: each batch's texts as spans of
        the Arrow buffer DuckDB wrote them in, and `render`'s text of each Outcome built
        in Python, in its place. At a million prospects, turning the texts into Python
        strings and back into bytes took about as much CPU as writing them."""
        for texts, missing, fallback in self._texts(form):
            pieces: list[Piece] = []
            start = 0
            for i in missing:
                pieces.append(_span(texts, start, i))
                pieces.append(render(fallback[i]).encode("utf-8"))
                start = i + 1
            pieces.append(_span(texts, start, len(texts)))
            yield [p for p in pieces if len(p)]

    def _texts(self, form: str) -> Iterator[tuple[Any, list[int], dict[int, Outcome]]]:
        """Each batch's entry texts (an Arrow string array), the rows among them SQL
        leaves to Python (NULL or holding FAIL), and those rows' Outcomes."""
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        style = Style(indent=form == "json")
        around = (",\n" + JSON_PAD, "") if style.indent else ("", "\n")
        text = EntrySql(self.rules, self.program).entry(
            style, JSON_PAD if style.indent else "", None if style.indent else "records", around
        )
        # FAIL is a NUL, which no other entry holds: DuckDB finds the rows holding one
        # (a memchr per row, in its threads) rather than Python searching every text
        query = (
            "SELECT __rank, t, t IS NULL OR contains(t, chr(0)) AS __py FROM "
            f"(SELECT __rank, CASE WHEN {FAILED} THEN NULL ELSE {text} END AS t FROM __rows) "
            "ORDER BY __rank"
        )
        expected = 1
        for table in arrow_batches(self.con, query, self.batch):
            if not table.num_rows:
                continue
            ranks = table.column("__rank")
            steps = pc.pairwise_diff(ranks)
            if ranks[0].as_py() != expected or not pc.all(pc.equal(steps, 1), min_count=0).as_py():
                raise AssertionError("DuckDB returned the plan rows out of prospect order")
            expected += table.num_rows
            texts = table.column("t")
            if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
                texts = texts.cast(pa.large_string())  # a string view: offsets and bytes
            flags = table.column("__py")
            missing = pc.indices_nonzero(flags).to_pylist() if pc.any(flags).as_py() else []
            fallback: dict[int, Outcome] = {}
            if missing:
                self.fallbacks += len(missing)
                outcomes = self._outcomes([ranks[i].as_py() for i in missing])
                fallback = dict(zip(missing, outcomes, strict=True))
            yield texts, missing, fallback

    def columns(self) -> Iterator[tuple[Any, dict[int, Outcome]]]:
        """The Parquet format's columns (`plan_text.EntrySql.parquet`), in prospect order,
        a batch at a time, with the Outcome of each row SQL leaves to Python."""
        entry = EntrySql(self.rules, self.program)
        check = entry.entry(Style(indent=False), "")  # where this holds FAIL, Python writes
        columns = ", ".join(f"{sql} AS c{n}" for n, sql in enumerate(entry.parquet()))
        query = (
            f"SELECT __rank, {check} IS NULL OR contains({check}, chr(0)) OR {FAILED} AS __py, "
            f"{columns} "
            "FROM __rows ORDER BY __rank"
        )
        for table in arrow_batches(self.con, query, self.batch):
            flags = table.column("__py").to_pylist()
            missing = [i for i, flag in enumerate(flags) if flag]
            fallback: dict[int, Outcome] = {}
            if missing:
                self.fallbacks += len(missing)
                ranks = table.column("__rank")
                outcomes = self._outcomes([ranks[i].as_py() for i in missing])
                fallback = dict(zip(missing, outcomes, strict=True))
            yield table, fallback

    # -- Python's outcomes, for the rows SQL does not write, and for `plan()` -----

    def final(self) -> dict[str, str]:
        """Provisional Id of each created lead → the Id the reference gives it."""
        if self._final is None:
            found = self.con.execute(
                "SELECT prov, final, owner, rank FROM __final ORDER BY rank"
            ).fetchall()
            self._final = {prov: final for prov, final, _, _ in found}
            self._created_ranks = [rank for *_, rank in found]
            self.owners.created.update({final: owner or None for _, final, owner, _ in found})
        return self._final

    def _outcomes(self, ranks: list[int]) -> list[Outcome]:
        listed = ", ".join(map(str, ranks))
        query = f"SELECT * FROM __rows WHERE __rank IN ({listed}) ORDER BY __rank"
        return self._build(rows_of(arrow_table(self.con, query)))

    def _build(self, rows: list[dict[str, Any]]) -> list[Outcome]:
        if self.lean and not all(r["__lists"] for r in rows):
            raise AssertionError("a plan row Python builds has no write lists (LISTS_KEPT)")
        final = self.final()
        prospect = dropping(self.con, self.program, rows)
        record_owners(self.con, rows, self.owners)
        built = [
            _outcome(self.rules, self.program, prospect(r), r, final, self.owners) for r in rows
        ]
        for i, row in enumerate(rows):
            if row["__problems"]:
                # the Id a lead created here would get: one past the leads created before
                before = bisect.bisect_left(self._created_ranks, row["__rank"])
                built[i] = Problems(final, before, self.ids).attach(built[i], row)
        return built

    def plan(self) -> Plan:
        """The whole plan as Python objects (the table format, `run`, tests), built a
        batch of rows at a time."""
        self._whole()
        outcomes: list[Outcome] = []
        query = "SELECT * FROM __rows ORDER BY __rank"
        for batch in arrow_batches(self.con, query, self.batch):
            outcomes.extend(self._build(rows_of(batch)))
        return Plan(tuple(outcomes), (), from_salesforce=self.from_salesforce)

    def outcomes(self, where: str) -> Iterator[list[Outcome]]:
        """The Outcomes of the rows `where` (SQL over `__rows`) selects, in prospect order,
        a batch at a time: `run` builds only those it reads, and holds one batch."""
        self._whole()
        query = f"SELECT * FROM __rows WHERE {where} ORDER BY __rank"
        for batch in arrow_batches(self.con, query, self.batch):
            if batch.num_rows:
                yield self._build(rows_of(batch))

    def _whole(self) -> None:
        if self.lean:
            raise AssertionError("a lean cycle's rows keep the write lists of a few rows only")

    def summary(self, errors_by_rule: dict[tuple[str, str], int]) -> Summary:
        """The plan's totals (Plan.counts, reasons, the formula failures) counted in SQL;
        `errors_by_rule` is counted by the caller from the error rows' Outcomes."""
        reasons = self.con.execute(
            "SELECT __path, count(*) FROM __base WHERE __act = 'skip' GROUP BY 1 ORDER BY 1"
        ).fetchall()
        # each entry of a row's `__problems` is one FormulaProblem (duck.Problems.attach)
        ((problems,),) = self.con.execute(
            f"SELECT COALESCE(sum(len(__problems)), 0) FROM __plan_rows WHERE {FAILED}"
        ).fetchall()
        return Summary(
            self.counts(),
            {str(reason): int(n) for reason, n in reasons},
            dict(sorted(errors_by_rule.items())),
            int(problems),
            len(self.from_salesforce),
        )

    def close(self) -> None:
        _release(self.con, self.spill)


def open_rows(
    rules: CheckedRules,
    program: Program,
    connect: Callable[[str], Any],
    fill: Callable[[Any], DirectSet | None],
    *,
    suspect: bool = False,
    lean: bool = False,
) -> PlanRows | None:
    """The direct path's set-up, for DuckDB's engine and Spark's: a DuckDB connection
    (`connect(spill)`, bounded, spilling to a folder made for it) that `fill` puts the
    cycle's plan rows in (`__plan_rows`), returning what it loaded (the small lists the
    owners read, the 00QSR numbers the leads hold) — None: the direct path does not
    apply — and the rows finished (`prepare`); `suspect`: the rounds computed
    `__suspect`; `lean`: they kept the write lists only where LISTS_KEPT holds. The
    connection and its folder go to the PlanRows, whose `close` removes them, or are
    removed here when `fill` gives None or anything fails (CannotEvaluate included)."""
    spill = tempfile.mkdtemp(prefix="syncrules-duckdb-")
    con = connect(spill)
    try:
        loaded = fill(con)
        if loaded is not None:
            owners = _Owners(rules, loaded.small)
            ids = LeadIds(loaded.taken)
            rows = PlanRows(rules, program, con, spill, owners, ids=ids, suspect=suspect, lean=lean)
            rows.company = loaded.company
            if loaded.created is not None:
                rows.created = loaded.created
            rows.prepare()
            return rows
    except BaseException:
        _release(con, spill)
        raise
    _release(con, spill)
    return None


def _release(con: Any, spill: str) -> None:
    try:
        con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def suspect_sql(rules: CheckedRules, program: Program, *, lists: bool = False) -> str:
    """The plan rows duck.check_round must look at (`PlanRows._check`): a created lead's
    email key other than its prospect's, and an update writing a record's email or a
    duplicate rule's field. Over the round's columns (each mapping's direction, drop code
    and value), or with `lists` over the rows' write lists."""
    tests = []
    if by_email(rules):
        tests.append(
            "(__action = 'create_lead' AND COALESCE(__nemail, '') <> '' "
            "AND __nemail IS DISTINCT FROM __email)"
        )
    dup_names = {i.name.casefold() for n in program.dup_rules for i in rules.duplicates[n].fields}
    for obj, maps in (("lead", program.lead_maps), ("contact", program.contact_maps)):
        key = f'"{obj}.__email"'
        items = []  # (mapping, writes the email, writes a duplicate key's field)
        for n, m in maps:
            target = m.target(obj)
            if target is None or not cls_of(m.prospect.type) or not cls_of(target.type):
                continue  # no write: not in the write lists (sql._packed)
            email, dup = target.name.casefold() == "email", target.name.casefold() in dup_names
            if email or dup:
                items.append((n, email, dup))
        if not items:
            continue
        if lists:
            listed = ", ".join(str(n) for n, email, _ in items if email) or "NULL"
            new_key = "lower(trim(COALESCE(w.s, ''), ' \t\n\r'))"
            changed = (
                f"(w.i IN ({listed}) AND ({new_key} IS DISTINCT FROM {key} "
                "OR NOT regexp_full_match(COALESCE(w.s, ''), '[\t\n\r -~]*')))"
            )
            dups = ", ".join(str(n) for n, _, dup in items if dup) or "NULL"
            found = (
                f"len(list_filter(COALESCE(__{obj}_writes, []), lambda w: w.d = 'sf' "
                f"AND w.c IS NULL AND ({changed} OR w.i IN ({dups})))) > 0"
            )
        else:
            each = []
            for n, _, dup in items:
                pre = f"{obj[0]}{n}"
                value = f"COALESCE(CAST({q(pre + '.sfv')} AS VARCHAR), '')"
                hit = (
                    "TRUE"
                    if dup
                    else (
                        f"(lower(trim({value}, ' \t\n\r')) IS DISTINCT FROM {key} "
                        f"OR NOT regexp_full_match({value}, '[\t\n\r -~]*'))"
                    )
                )
                each.append(f"({q(pre + '.dir')} = 'sf' AND {q(pre + '.code')} IS NULL AND {hit})")
            found = f"({' OR '.join(each)}) IS TRUE"
        tests.append(f"(__action = 'matched' AND __mobj = '{obj}' AND {found})")
    return " OR ".join(tests) or "FALSE"


def _span(texts: Any, start: int, stop: int) -> memoryview:
    """The UTF-8 bytes of the strings `start` to `stop` of an Arrow string array, in its
    own buffer (a string array holds its strings end to end): no copy."""
    import pyarrow as pa

    _, offsets, data = texts.buffers()
    if data is None or start == stop:
        return memoryview(b"")
    at = memoryview(offsets).cast("q" if pa.types.is_large_string(texts.type) else "i")
    first = texts.offset
    return memoryview(data)[at[first + start] : at[first + stop]]


def _owner_texts(owner: Owner | None) -> tuple[str | None, str | None]:
    """An owner object as the JSON plan (nested in a record) and JSON Lines write it."""
    if owner is None:
        return None, None
    value = {"decision": owner.decision.value, "id": owner.id}
    pretty = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + JSON_PAD + "  ")
    return pretty, json.dumps(value, ensure_ascii=False, separators=(",", ":"))


__all__ = ["LISTS_KEPT", "Batch", "Piece", "PlanRows", "open_rows"]
