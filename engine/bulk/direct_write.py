"""`run --out` on the direct path: the new record set written from DuckDB (issue 10).

On the direct path (`direct.py`) DuckDB has read the `prospects`, `leads` and `contacts`
files itself; no `Record` exists to hand `records/write.py`. This module writes the new
record set from the cells DuckDB read (`raw_<list>`, kept by `direct.load`) and the plan,
byte for byte as `write.output_files` writes it after `engines.apply_plan`:

- a file none of whose records the cycle touched is the input file's bytes;
- a touched CSV file is its header as read (names trimmed), then every record in file
  order with the changed cells rendered over it, then the created leads, written as
  Python's `csv.writer` writes them (quoted only when a cell holds `,`, `"` or a line
  end; `\\n` line ends). The records' lines are built by SQL and streamed in batches;
  only the changed cells and the created leads are rendered in Python, by
  `write.render_value`, so every value is spelled as the Python writer spells it;
- a touched Parquet file is the file's rows with the changed cells cast into their
  columns, copied by DuckDB with the settings `records/parquet.render_table` uses.

What a plan changes is read from its outcomes as `engines.apply_plan` applies them (the
link to the matched or created record, the writes on both sides, the owner taken by
`ownership.take_owner`), then the prospects from Salesforce (direct_prospects.py) as
`new_prospect` made them. The outcomes are those of the rows that change a record, built
a batch at a time (`PlanRows.outcomes`); each batch's cells move into DuckDB as it is
applied (`_List.flush`), and the new columns' order and each record's last cell are
decided there (`_List.finish`), so Python holds one batch, never a cell per changed
record of the whole set. Where the Python writer would do something this module does not
mirror — a lead list without a file, a value a Parquet column cannot hold as it is, a
new Parquet column whose values have several types, a prospect flagged deleted —
`record_files` returns False, what it wrote is discarded, and `run` takes the Python
loader's path, which writes it.

Each file is written into `run`'s staging folder (`files.StagedFolder`) as it is made — a
CSV file a batch of lines at a time, a Parquet file by DuckDB's COPY, an untouched file
copied — so no output is held whole in memory (at 1,000,000 prospects the files are
418 MB); the folder still takes `--out`'s place as one set.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from engine.bulk.direct import BULK_LISTS, _csv_header
from engine.bulk.duck import arrow_batches
from engine.bulk.sql import lit
from engine.fieldtypes import SALESFORCE_OBJECTS, api_key
from engine.plan import Action, Outcome, SkipReason
from engine.records.model import LISTS, PROSPECT_ATTRIBUTES, Record, Value
from engine.records.write import changed_fields, render_value
from engine.runtime.context import Clock
from engine.runtime.ownership import take_owner

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows
    from engine.files import StagedFolder

LINE_BATCH = 50_000  # records' lines fetched from DuckDB at a time
CREATED_BATCH = 10_000  # prospects from Salesforce whose cells are held in Python at a time
_LINKS = ("crm_lead_fid", "crm_contact_fid", "assigned_user")  # what a prospect holds
# the Parquet column types whose cells a changed value is cast into exactly
_PARQUET_TEXT = frozenset({"VARCHAR"})
_PARQUET_INTEGER = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT"})


class _Decline(Exception):
    """The Python writer would do what this module does not mirror: take its path."""


# a cell the plan writes: its text (None: null), and for Parquet the DuckDB type the
# Python value converts to ("" in CSV), which DuckDB then casts into the column's type
Cell = tuple[str | None, str]


Slot = int | str  # a column of the file as read (its index), or a new column (its key)


# `_List.flush`'s table of cells: column → its SQL type
_CELL_SQL = {
    "id": "VARCHAR",
    "made": "BOOLEAN",
    "n": "INTEGER",
    "key": "VARCHAR",
    "rank": "INTEGER",
    "t": "VARCHAR",
    "y": "VARCHAR",
    "batch": "INTEGER",
    "pos": "INTEGER",
    "rec": "BIGINT",
}


@dataclass(slots=True)
class _List:
    """One bulk list's file: its columns as read, and what the plan changes in it. The
    cells of a batch of outcomes are kept here until `flush` moves them into DuckDB
    (`__cells_<name>`): Python never holds a cell per changed record of the whole set."""

    name: str
    file: str  # the file name in the record-set directory
    header: list[str]  # column names as the Python loader reads them (c0, c1, … in DuckDB)
    types: list[str]  # Parquet column types; empty for CSV
    changed: dict[str, dict[Slot, Cell]] = field(default_factory=dict)  # id → column → cell
    created: dict[str, dict[Slot, Cell]] = field(default_factory=dict)  # new Id → cells
    made: dict[str, int] = field(default_factory=dict)  # every created Id → its place
    added: list[str] = field(default_factory=list)  # new columns, in the writer's order
    touched: bool = False
    batch: int = 0  # batches flushed so far

    @property
    def csv(self) -> bool:
        return not self.types

    def column(self, key: str) -> Slot:
        """The column a key is written into (`write._raw_key`, `_render_csv`,
        `parquet.render_table`: Salesforce names case-insensitively); a key the file has
        no column for is a new column, named by the key."""
        if LISTS[self.name] in SALESFORCE_OBJECTS:
            wanted = api_key(key)
            found = next((n for n, h in enumerate(self.header) if api_key(h) == wanted), None)
        else:
            found = self.header.index(key) if key in self.header else None
        return key if found is None else found

    def cell(self, slot: Slot, value: Value) -> Cell:
        """A value as the Python writer puts it in a column: CSV text (`render_value`), or
        for Parquet the value `render_value` gives and the DuckDB type it converts to."""
        if self.csv:
            return render_value(value, "csv"), ""
        written = render_value(value, "parquet")
        if written is None:
            return None, "NULL"
        integer = isinstance(slot, int) and self.types[slot] in _PARQUET_INTEGER
        if integer and isinstance(written, float):
            raise _Decline  # render_table widens the column to DOUBLE
        for kind, convert in _PARQUET_VALUES:
            if isinstance(written, kind):
                return convert(written), _PARQUET_VALUE_TYPES[kind]
        raise _Decline  # lists and the rest: the Python writer

    def create(self, record_id: str) -> None:
        self.made[record_id] = len(self.made)
        self.created[record_id] = {}
        self.touched = True

    def set(self, record_id: str, key: str, value: Value) -> None:
        slot = self.column(key)
        group = self.created if record_id in self.made else self.changed
        group.setdefault(record_id, {})[slot] = self.cell(slot, value)
        self.touched = True

    def flush(self, con: Any) -> None:
        """This batch's cells into `__cells_<name>`: the record, whether it was created,
        the column read (n) or the new column's key, the key's rank among a prospect's
        (its fields, then its attributes in PROSPECT_ATTRIBUTES order, as
        `write.changed_fields` renders them), the text and its type, and where the cell was set
        first (batch, pos: its place in the record's cells in that batch)."""
        import pyarrow as pa  # type: ignore[import-untyped]

        attributes = {name: n + 1 for n, name in enumerate(PROSPECT_ATTRIBUTES)}
        ranked = self.name == "prospects"
        columns: dict[str, list[Any]] = {c: [] for c in _CELL_SQL}
        for made, group in ((False, self.changed), (True, self.created)):
            for record_id, cells in group.items():
                for pos, (slot, (text, kind)) in enumerate(cells.items()):
                    new = isinstance(slot, str)
                    columns["id"].append(record_id)
                    columns["made"].append(made)
                    columns["n"].append(None if new else slot)
                    columns["key"].append(slot if new else None)
                    rank = attributes.get(slot, 0) if isinstance(slot, str) and ranked else 0
                    columns["rank"].append(rank)
                    columns["t"].append(text)
                    columns["y"].append(kind)
                    columns["batch"].append(self.batch)
                    columns["pos"].append(pos)
                    columns["rec"].append(self.made.get(record_id) if made else None)
        arrow = {"VARCHAR": pa.string(), "BOOLEAN": pa.bool_(), "INTEGER": pa.int32()}
        arrow["BIGINT"] = pa.int64()
        table = pa.table({c: pa.array(v, arrow[_CELL_SQL[c]]) for c, v in columns.items()})
        if not self.batch:
            described = ", ".join(f"{c} {t}" for c, t in _CELL_SQL.items())
            con.execute(f"CREATE OR REPLACE TABLE __cells_{self.name} ({described})")
        if table.num_rows:
            con.register("__cells_arrow", table)
            con.execute(f"INSERT INTO __cells_{self.name} SELECT * FROM __cells_arrow")
            con.unregister("__cells_arrow")
        self.changed.clear()
        self.created.clear()
        self.batch += 1

    def finish(self, con: Any, id_cell: str) -> None:
        """After the last batch: the new columns in the order `write._render_csv` /
        `render_table` append them — as each record (in file order, then the created
        ones) first writes one, a record's keys in the order `write.changed_fields` renders
        them — and the cells each record ends with (the last one set in each column), as
        `__changes_<name>` (records read) and `__created_<name>` (k: creation order)."""
        cells = f"__cells_{self.name}"
        first = "QUALIFY row_number() OVER (PARTITION BY key ORDER BY o1, o2, o3, o4) = 1"
        read = con.execute(
            f"SELECT key FROM (SELECT c.key, r.rowid AS o1, c.rank AS o2, c.batch AS o3, "
            f"c.pos AS o4 FROM {cells} c JOIN raw_{self.name} r ON r.{id_cell} = c.id "
            f"WHERE NOT c.made AND c.key IS NOT NULL {first}) ORDER BY o1, o2, o3, o4"
        ).fetchall()
        made = con.execute(
            f"SELECT key FROM (SELECT key, rec AS o1, rank AS o2, batch AS o3, pos AS o4 "
            f"FROM {cells} WHERE made AND key IS NOT NULL {first}) ORDER BY o1, o2, o3, o4"
        ).fetchall()
        self.added = list(dict.fromkeys(str(k) for (k,) in (*read, *made)))
        con.execute(f"CREATE OR REPLACE TABLE __added_{self.name} (key VARCHAR, idx INTEGER)")
        if self.added:
            con.executemany(
                f"INSERT INTO __added_{self.name} VALUES (?, ?)",
                [(k, len(self.header) + i) for i, k in enumerate(self.added)],
            )
        for table, made_flag in ((f"__changes_{self.name}", "NOT"), (f"__created_{self.name}", "")):
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT id, n, t, y, rec AS k FROM "
                f"(SELECT c.id, COALESCE(c.n, a.idx) AS n, c.t, c.y, c.rec, c.batch "
                f"FROM {cells} c LEFT JOIN __added_{self.name} a ON a.key = c.key "
                f"WHERE {made_flag} c.made) "
                "QUALIFY row_number() OVER (PARTITION BY id, n ORDER BY batch DESC) = 1"
            )

    def index(self, slot: Slot) -> int:
        """The position of a column in the file written."""
        return slot if isinstance(slot, int) else len(self.header) + self.added.index(slot)


def _iso(value: Any) -> str:
    return str(value.isoformat())


# Python value → its text and the DuckDB type it converts to (bool before int: a bool is
# an int in Python; datetimes before dates, likewise)
_PARQUET_VALUES: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (bool, lambda v: "true" if v else "false"),
    (int, str),
    (float, repr),
    (str, str),
    (dt.datetime, _iso),
    (dt.date, _iso),
)
# a new column's type from its first value's (parquet._type_of)
_COLUMN_TYPES = {
    "BOOLEAN": "BOOLEAN",
    "HUGEINT": "BIGINT",
    "DOUBLE": "DOUBLE",
    "VARCHAR": "VARCHAR",
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    "DATE": "DATE",
}
_PARQUET_VALUE_TYPES: dict[type, str] = {
    bool: "BOOLEAN",
    int: "HUGEINT",
    float: "DOUBLE",
    str: "VARCHAR",
    dt.datetime: "TIMESTAMPTZ",
    dt.date: "DATE",
}


@dataclass(slots=True)
class _Prospect:
    """What `take_owner` reads and changes of a prospect (a stand-in for its Record)."""

    assigned_user: str | None
    changed: set[str] = field(default_factory=set)


# the rows whose outcomes change the record set (engines.apply_plan): a created lead, a
# synced record, and a prospect flagged deleted (which this module declines)
CHANGING = "__act IN ('create_lead', 'update', 'no_change') OR __path = 'crm_deleted'"


def record_files(
    rows: PlanRows, root: str, files: dict[str, str], clock: Clock, out: StagedFolder
) -> bool:
    """Write what `run --out` writes for the record set (as `write.output_files`) into
    `out`, file by file as each is made, from the cells `direct.load(keep_raw=True)` left
    in the rows' connection. Only the outcomes of the rows that change a record are
    built, a batch at a time. False where this module does not mirror the Python writer
    (see the module's text): then what `out` holds is to be discarded."""
    try:
        writer = _Writer(rows.con, root, files)
        writer.render(rows.outcomes(CHANGING), clock, out, rows.created.records)
    except _Decline:
        return False
    return True


@dataclass(slots=True)
class _Writer:
    con: Any
    root: str
    files: dict[str, str]  # list name → file name (direct.record_files)

    def render(
        self,
        batches: Iterable[list[Outcome]],
        clock: Clock,
        out: StagedFolder,
        created: Iterable[Record] = (),
    ) -> None:
        """`created`: the prospects from Salesforce (SPEC §3.9), which `apply_plan` adds
        after the outcomes' changes, as `new_prospect` made them."""
        lists = {name: self._list(name) for name in BULK_LISTS}
        prospects = lists["prospects"]
        assert prospects is not None  # the direct path needs a prospects file
        files = [each for each in lists.values() if each is not None]
        for each in files:
            each.flush(self.con)  # the table of cells, empty
        for batch in batches:
            self._apply(batch, self._links(prospects, batch), clock, lists)
            for each in files:
                each.flush(self.con)
        for n, record in enumerate(created, 1):  # as write.render_record writes one
            prospects.create(record.id)
            prospects.set(record.id, "id", record.id)
            for key, value in changed_fields(record):
                prospects.set(record.id, key, value)
            if n % CREATED_BATCH == 0:  # their cells into DuckDB, as a batch's are
                prospects.flush(self.con)
        prospects.flush(self.con)
        for each in files:
            each.finish(self.con, self._id_cell(each))
        for name in LISTS:  # the order the Python loader stores the lists in
            file_name = self.files.get(name)
            if file_name is None:
                continue
            found = lists.get(name)
            if found is None or not found.touched:
                out.copy(file_name, os.path.join(self.root, file_name))
            elif found.csv:
                out.write(file_name, self._csv(found))
            else:
                with out.file(file_name) as path:
                    self._parquet(found, path)

    def _list(self, name: str) -> _List | None:
        file_name = self.files.get(name)
        if file_name is None:
            return None
        path = os.path.join(self.root, file_name)
        if file_name.lower().endswith(".csv"):
            header = _csv_header(path, LISTS[name])
            if header is None:
                raise _Decline
            return _List(name, file_name, header, [])
        described = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(path)})")
        rows = described.fetchall()
        return _List(name, file_name, [str(r[0]) for r in rows], [str(r[1]) for r in rows])

    # -- what the plan changes (engines.apply_plan) -----------------------------------

    def _apply(
        self,
        outcomes: list[Outcome],
        links: list[list[str | None]],
        clock: Clock,
        lists: dict[str, _List | None],
    ) -> None:
        prospects = lists["prospects"]
        assert prospects is not None
        for o, held in zip(outcomes, links, strict=True):
            if o.reason is SkipReason.CRM_DELETED:
                raise _Decline  # the direct path declines the connector's deleted state
            if o.action is Action.CREATE_LEAD:
                assert o.created_id is not None
                leads = lists["leads"]
                if leads is None:
                    raise _Decline  # the Python writer makes a new file
                leads.create(o.created_id)
                leads.set(o.created_id, "Id", o.created_id)
                for key, value in o.to_salesforce:
                    leads.set(o.created_id, key, value)
                leads.set(o.created_id, "LastModifiedDate", clock.now)
                prospects.set(o.prospect, "crm_lead_fid", o.created_id)
                self._owner(prospects, o, held)
                continue
            if o.action not in (Action.UPDATE, Action.NO_CHANGE) or o.target is None:
                continue
            contact = o.target.object == "contact"
            if held[1 if contact else 0] != o.target.id:
                held[1 if contact else 0] = o.target.id
                prospects.set(o.prospect, _LINKS[1 if contact else 0], o.target.id)
            target = lists["contacts" if contact else "leads"]
            if target is None:
                raise _Decline  # a matched record comes from a file
            for key, value in o.to_salesforce:
                target.set(o.target.id, key, value)
            for key, value in o.to_pardot:
                prospects.set(o.prospect, key, value)
            self._owner(prospects, o, held)

    def _links(self, prospects: _List, outcomes: list[Outcome]) -> list[list[str | None]]:
        """Each outcome's prospect's CRM ids and assigned user as loaded (blank: None):
        [lead, contact, assigned], read for one batch of outcomes at a time."""
        import pyarrow as pa

        index = {name: n for n, name in enumerate(prospects.header)}
        cells = [f"r.c{index[w]}" if w in index else "''" for w in _LINKS]
        wanted = pa.table({"id": pa.array([o.prospect for o in outcomes], pa.string())})
        self.con.register("__wanted", wanted)
        try:
            table = self._arrow(
                f"SELECT w.id, {', '.join(cells)} FROM __wanted w "
                f"JOIN raw_prospects r ON r.c{index['id']} = w.id"
            )
        finally:
            self.con.unregister("__wanted")
        columns = [table.column(n).to_pylist() for n in range(len(_LINKS) + 1)]
        found = {i: [c[n] or None for c in columns[1:]] for n, i in enumerate(columns[0])}
        if len(found) != len(outcomes):
            raise _Decline  # never expected: the plan is the direct path's own
        return [found[o.prospect] for o in outcomes]

    def _owner(self, prospects: _List, o: Outcome, held_now: list[str | None]) -> None:
        """The assigned user `run` records (`ownership.take_owner`, on a stand-in)."""
        held = _Prospect(held_now[2])
        take_owner(cast(Record, held), o.owner)
        if held.changed:
            held_now[2] = held.assigned_user
            prospects.set(o.prospect, "assigned_user", held.assigned_user)

    # -- CSV -------------------------------------------------------------------------

    def _csv(self, found: _List) -> Iterator[bytes]:
        """The file as `write._render_csv` writes it, a batch of lines at a time: header,
        records, created records."""
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow([*found.header, *found.added])
        yield head.getvalue().encode("utf-8")
        yield from self._lines(found)
        created = io.StringIO()
        writer = csv.writer(created, lineterminator="\n")
        width = len(found.header) + len(found.added)
        query = f"SELECT id, n, t FROM __created_{found.name} ORDER BY k, n"
        row: list[str] = []
        last = None
        for batch in arrow_batches(self.con, query, LINE_BATCH):
            ids, columns, texts = (batch.column(c).to_pylist() for c in ("id", "n", "t"))
            for record_id, n, text in zip(ids, columns, texts, strict=True):
                if record_id != last:
                    if last is not None:
                        writer.writerow(row)
                    row, last = [""] * width, record_id
                row[n] = text or ""
            yield created.getvalue().encode("utf-8")
            created.seek(0)
            created.truncate()
        if last is not None:
            writer.writerow(row)
        yield created.getvalue().encode("utf-8")

    def _lines(self, found: _List) -> Iterator[bytes]:
        """The records' lines, in file order, each cell the changed one or as read."""
        width = len(found.header) + len(found.added)
        cells = [
            _csv_cell(
                f"COALESCE(o.x{n}, r.c{n})" if n < len(found.header) else f"COALESCE(o.x{n}, '')"
            )
            for n in range(width)
        ]
        line = f"concat_ws(',', {', '.join(cells)})" if width > 1 else cells[0]
        if width == 1:  # csv.writer quotes a lone empty cell, or the line would be blank
            line = f"(CASE WHEN {line} = '' THEN '\"\"' ELSE {line} END)"
        pivot = ", ".join(f"max(t) FILTER (WHERE n = {n}) AS x{n}" for n in range(width))
        id_cell = self._id_cell(found)
        query = (
            f"SELECT {line} || chr(10) AS line FROM raw_{found.name} r LEFT JOIN "
            f"(SELECT id, {pivot} FROM __changes_{found.name} GROUP BY id) o "
            f"ON o.id = r.{id_cell} "
            "ORDER BY r.rowid"
        )
        for batch in arrow_batches(self.con, query, LINE_BATCH):
            yield "".join(batch.column("line").to_pylist()).encode("utf-8")

    def _id_cell(self, found: _List) -> str:
        return f"c{found.index(found.column('id' if found.name == 'prospects' else 'Id'))}"

    # -- Parquet ---------------------------------------------------------------------

    def _parquet(self, found: _List, target: str) -> None:
        """The file as `parquet.render_table` writes it, into `target`: the columns as
        read with their types, the rows in file order with the changed cells, then the
        created records, copied by a connection set up as that function's (one thread,
        UTC). A written
        value is converted to DuckDB's type for it and cast into the column, as
        render_table's typed lists do."""
        import duckdb

        from engine.records.parquet import NULL_TYPE, _connect, _quote

        path = os.path.join(self.root, found.file)
        read = len(found.header)
        width = read + len(found.added)
        columns = [_quote(h) for h in [*found.header, *found.added]]
        present: dict[int, set[str]] = {}
        for n, kind in self.con.execute(
            f"SELECT DISTINCT n, y FROM (SELECT n, y FROM __changes_{found.name} "
            f"UNION ALL SELECT n, y FROM __created_{found.name})"
        ).fetchall():
            present.setdefault(int(n), set()).add(str(kind))
        con = _connect()
        try:
            for table in ("__changes", "__created"):  # into the writer's own connection
                con.register("__cells_arrow", self._arrow(f"SELECT * FROM {table}_{found.name}"))
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM __cells_arrow")
                con.unregister("__cells_arrow")
            # a column read with no type (all null) is typed by what is written into it,
            # as a new column is (parquet.render_table)
            types = [
                self._added_type(n, present)
                if n >= read or (present.get(n, set()) - {"NULL"} and found.types[n] == NULL_TYPE)
                else found.types[n]
                for n in range(width)
            ]

            def value(n: int, at: str = "") -> str:
                """Column n's written cell, cast from its value's type into the column's."""
                kinds = sorted(present.get(n, ()))
                if not kinds:
                    return f"CAST(NULL AS {types[n]})"
                branches = " ".join(
                    f"WHEN {lit(k)} THEN CAST(CAST({at}x{n} AS {k}) AS {types[n]})"
                    if k != "NULL"
                    else f"WHEN 'NULL' THEN CAST(NULL AS {types[n]})"
                    for k in kinds
                )
                return f"(CASE {at}y{n} {branches} END)"

            pivot = ", ".join(
                f"bool_or(n = {n}) AS s{n}, max(t) FILTER (WHERE n = {n}) AS x{n}, "
                f"max(y) FILTER (WHERE n = {n}) AS y{n}"
                for n in range(width)
            )
            kept = ", ".join(
                f"CASE WHEN o.s{n} THEN {value(n, 'o.')} ELSE "
                f"{f'r.{columns[n]}' if n < read else f'CAST(NULL AS {types[n]})'} END"
                for n in range(width)
            )
            made = ", ".join(value(n) for n in range(width))
            key = found.index(found.column("id" if found.name == "prospects" else "Id"))
            id_column = f"CAST(r.{columns[key]} AS VARCHAR)"
            table = ", ".join(f"{c} {k}" for c, k in zip(columns, types, strict=True))
            con.execute(f"CREATE TABLE records ({table})")
            con.execute(
                f"INSERT INTO records SELECT {kept} FROM (SELECT *, row_number() OVER () "
                f"AS __row FROM read_parquet({lit(path)})) r LEFT JOIN (SELECT id, {pivot} "
                f"FROM __changes GROUP BY id) o ON o.id = {id_column} ORDER BY r.__row"
            )
            con.execute(
                f"INSERT INTO records SELECT {made} FROM (SELECT id, min(k) AS k, {pivot} "
                "FROM __created GROUP BY id) ORDER BY k"
            )
            con.execute(f"COPY records TO {lit(target)} (FORMAT parquet)")
        except duckdb.Error:
            raise _Decline from None  # the Python writer words what cannot be written
        finally:
            con.close()

    @staticmethod
    def _added_type(n: int, present: dict[int, set[str]]) -> str:
        """A new Parquet column's type (`parquet._type_of` of its first value, a whole
        number's widened to DOUBLE by a fraction), from the types of the values written:
        where the first value's type is not the only one, the Python writer decides."""
        kinds = present.get(n, set()) - {"NULL"}
        if not kinds:
            return "VARCHAR"
        if kinds == {"HUGEINT", "DOUBLE"}:
            return "DOUBLE"
        if len(kinds) > 1:
            raise _Decline
        return _COLUMN_TYPES[next(iter(kinds))]

    def _arrow(self, query: str) -> Any:
        relation = self.con.sql(query)
        arrow = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        return arrow()


def _csv_cell(x: str) -> str:
    """A cell as csv.writer writes it (QUOTE_MINIMAL, `\\n` line ends): quoted, its quotes
    doubled, when it holds the delimiter, the quote or a line feed."""
    return (
        f"(CASE WHEN contains({x}, ',') OR contains({x}, '\"') OR contains({x}, chr(10)) "
        f"THEN '\"' || replace({x}, '\"', '\"\"') || '\"' ELSE {x} END)"
    )


__all__ = ["record_files"]
