"""DuckDB reads the record files itself: the bulk path of `dry-run` (issue 10).

The Python loader (`records/load.py`) types every value of every record into `Record`
objects; at a million prospects that alone takes minutes and gigabytes. Here DuckDB reads
`prospects`, `leads` and `contacts` straight from a record-set directory's CSV
(`read_csv`, every column as text) or Parquet files (`read_parquet`) and builds the tables
the compiled cycle runs on (`sql.py`) in SQL, with vectorised checks that each value is
one the SQL conversion types exactly as the Python loader would. No record goes through
Python one by one; only columns with few distinct values (booleans, grades, picklists)
and the rare text outside printable ASCII are checked in Python, by the reference's own
rules.

The fast path covers the ordinary export — the connector's deleted, converted and
merged records, multi-select picklists and related records' values included — and says
no (`None`) to anything else — a value that does not fit its type, an unusual spelling of
a number or date-time, a YAML/JSON list file, text the SQL engines decline — and the
caller then loads the record set with the Python loader, as before. That loader is the
reference: it words every input error (file, record, field; exit 2) and every reason the
engine declines, so both stay exactly as they were. The other lists (`users`,
`accounts`, …) are small and go through the Python loader.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.bulk.direct_prospects import Created, Unlinked, creates_prospects
from engine.bulk.forest import Forest
from engine.bulk.sql import (
    KEY_SEP,
    NEW_LEAD_PREFIX,
    Cls,
    Column,
    LinkState,
    Program,
    lit,
    printable,
    q,
    tame,
)
from engine.check.model import CheckedRules, FieldInfo, ObjectModel
from engine.fieldtypes import GRADES, SALESFORCE_OBJECTS, Kind, api_key
from engine.files import InputError
from engine.records.model import LISTS, OBJECT_LISTS, SALESFORCE_TYPES, Origin, Record, RecordSet
from engine.runtime.context import Directory, _id_field, directory
from engine.runtime.history import FieldHistory
from engine.runtime.ownership import People, created_owner

BULK_LISTS = ("prospects", "leads", "contacts")
BULK_FORMATS = (".csv", ".parquet")
_STEMS = {name.casefold(): name for name in LISTS} | {
    type_name.casefold(): OBJECT_LISTS[obj] for type_name, obj in SALESFORCE_TYPES.items()
}
_RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".parquet")

# What SQL types exactly as the Python loader does (records/load.py), spelled with ASCII
# only: anything else is left to the Python loader (a different spelling, or an error).
PRINTABLE = r"[\t\n\r -~]*"  # sql.printable: ASCII without control characters
NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"  # load._DECIMAL without surrounding space
# of the NUMBERs, what sql.number_fits declines (over 27 digits before the point or 10
# after it) or str(Decimal) spells with an exponent (6 zeros after the point, none before)
NUMBER_ODD = r"[+-]?(0*[1-9][0-9]{27,}(\.[0-9]*)?|[0-9]*\.[0-9]{11,}|0*\.0{6}[0-9]*)"
# of the NUMBERs, those str(Decimal) spells as they are written (decimal_str)
NUMBER_PLAIN = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# a UTC date-time as exports write it; other offsets and spellings: the Python loader
DATETIME = DATE + r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|\+00:00)?"
ID = r"[!-~]([ -~]*[!-~])?"  # printable ASCII, nothing to strip
TRIM = "' \t\n\r'"  # what str.strip() strips from printable ASCII
DISTINCT_LIMIT = 10_000  # distinct values checked in Python per column; more: decline
# the Id of the stand-in records related values are decided on; each record's Id replaces it
_RECORD_TOKEN = "@@record@@"
MERGE_STEPS = 8  # MasterRecordId links followed from a deleted record; more: decline


class _Decline(Exception):
    """The fast path does not cover this record set: load it with the Python loader."""


@dataclass(slots=True)
class DirectSet:
    """What DuckDB loaded: the tables are in the connection (and `__components`, each
    prospect's component); `small` holds every other list (users, accounts, …) as the
    Python loader reads them."""

    small: RecordSet
    prospects: int
    last_round: int
    taken: tuple[int, ...] = ()  # the 00QSR numbers leads hold (duck.LeadIds)
    company: bool = False  # contacts' companies from accounts (direct_company.TABLE)
    # SPEC §3.9: where the cells of the leads and contacts no prospect names are
    # (direct_prospects.py), and the prospects it plans from them after the rounds
    unlinked: tuple[Unlinked, ...] = ()
    created: Created | None = None


def record_files(root: str) -> dict[str, str] | None:
    """List name → file name in a record-set directory, when prospects, leads and contacts
    are CSV or Parquet; None when the fast path does not apply (or the directory is one the
    Python loader will refuse, in its own words)."""
    if not os.path.isdir(root):
        return None
    found: dict[str, str] = {}
    for entry in sorted(Path(root).iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.is_dir() or entry.name == "error_queue.json":
            continue
        if entry.suffix.lower() not in _RECORD_SUFFIXES:
            continue
        list_name = _STEMS.get(entry.stem.casefold())
        if list_name is None or list_name in found or not entry.is_file():
            return None
        found[list_name] = entry.name
    if "prospects" not in found:
        return None
    for name in BULK_LISTS:
        if name in found and Path(found[name]).suffix.lower() not in BULK_FORMATS:
            return None
    return found


def estimate_prospects(root: str) -> int | None:
    """About how many prospects a directory holds, without loading them (for `auto`): a
    CSV's line count less its header, a Parquet file's row count."""
    files = record_files(root)
    if files is None:
        return None
    path = os.path.join(root, files["prospects"])
    if path.lower().endswith(".parquet"):
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # unreadable: the Python loader words it
            return None
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def load(
    con: Any, root: str, rules: CheckedRules, program: Program, *, keep_raw: bool = False
) -> DirectSet | None:
    """Build the engine's tables in the DuckDB connection `con` from the files under
    `root`; None: use the Python loader (the fast path does not cover this record set).
    `keep_raw` keeps each list's cells as read (`raw_<list>`: columns c0, c1, … in the
    file's order, every value text), which `run` writes the new record set from
    (direct_write.py)."""
    return load_into(DuckTables(con), root, rules, program, keep_raw=keep_raw)


def load_into(
    tables: Tables, root: str, rules: CheckedRules, program: Program, *, keep_raw: bool = False
) -> DirectSet | None:
    """`load` on any SQL engine holding the tables (DuckDB here, Spark: spark_load.py)."""
    files = record_files(root)
    if files is None:
        return None
    try:
        return _Loader(tables, root, files, rules, program, keep_raw).run()
    except _Decline:
        return None
    except tables.errors:
        return None


class Tables(Protocol):
    """Where the loader's tables live, and how its statements run there. The statements
    are DuckDB SQL; another engine re-emits them in its dialect (spark_load.py)."""

    errors: tuple[type[BaseException], ...]  # what the engine raises on a file it cannot read
    order: str  # a raw table's rows in file order (ORDER BY it)
    order_column: str | None  # a select item keeping that order when a raw table is made
    dense: bool  # `order` numbers a raw table's rows 0, 1, … (DuckDB's rowid): its position

    def create(self, name: str, select: str) -> None:
        """Table `name` holding `select`'s rows; replacing a table of that name."""

    def drop(self, name: str) -> None: ...

    def view(self, name: str, select: str) -> None:
        """View `name` of `select` (over tables made here: computed where it is read)."""

    def rows(self, select: str) -> list[tuple[Any, ...]]: ...

    def insert(
        self, name: str, columns: tuple[str, ...], rows: Sequence[tuple[str | None, ...]]
    ) -> None:
        """Table `name` of text `columns` holding `rows` (decided in Python: the few
        distinct values checked there, or a list such as the accounts, which may be many)."""

    def csv_source(self, path: str, count: int) -> str:
        """What a SELECT reads a CSV file from: columns c0… c{count-1}, every value text,
        NULL where blank, the header row skipped; _Decline where the file is not
        well-formed CSV of `count` columns in UTF-8."""

    def parquet_source(self, path: str) -> tuple[str, list[tuple[str, str]]]:
        """What a SELECT reads a Parquet file from, and its columns (name, DuckDB type)."""


@dataclass(slots=True)
class DuckTables:
    """The loader's tables in a DuckDB connection (the engine's own)."""

    con: Any
    order: str = "rowid"
    order_column: str | None = None
    dense: bool = True  # a table made by one CREATE … AS numbers its rows from 0
    errors: tuple[type[BaseException], ...] = ()

    def __post_init__(self) -> None:
        import duckdb

        self.errors = (duckdb.Error,)

    def create(self, name: str, select: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE {name}")

    def view(self, name: str, select: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")

    def rows(self, select: str) -> list[tuple[Any, ...]]:
        return list(self.con.execute(select).fetchall())

    def insert(
        self, name: str, columns: tuple[str, ...], rows: Sequence[tuple[str | None, ...]]
    ) -> None:
        # one Arrow table, not an INSERT a row: 100,000 accounts are one statement
        import pyarrow as pa

        data = {c: pa.array([r[n] for r in rows], pa.string()) for n, c in enumerate(columns)}
        self.con.register("__arrow_insert", pa.table(data))
        try:
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM __arrow_insert")
        finally:
            self.con.unregister("__arrow_insert")

    def csv_source(self, path: str, count: int) -> str:
        typed = ", ".join(f"'c{n}': 'VARCHAR'" for n in range(count))
        return (
            f"read_csv({lit(path)}, header = true, auto_detect = false, "
            f"columns = {{{typed}}}, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, allow_quoted_nulls = false, null_padding = false, "
            "encoding = 'utf-8')"
        )

    def parquet_source(self, path: str) -> tuple[str, list[tuple[str, str]]]:
        source = f"read_parquet({lit(path)})"
        described = self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        return source, [(str(name), str(kind)) for name, kind, *_ in described]


@dataclass(slots=True)
class _Raw:
    """One list as DuckDB read it: table `raw_<list>`, every value text ('' when blank)."""

    obj: str
    table: str
    columns: dict[str, str]  # header name → the raw table's column (c0, c1, …)
    booleans: frozenset[str] = frozenset()  # raw columns read from Parquet booleans
    parquet: bool = False  # read from a Parquet file: its cells' Python types are lost
    # every cell printable ASCII (the file's bytes are: file_bytes), so no cell needs
    # the test that SQL's text functions agree with Python's on it
    printable: bool = False

    def unprintable(self, x: str) -> list[str]:
        """The check that column `x` holds printable ASCII only, unless the file says so."""
        return [] if self.printable else [f"NOT regexp_full_match({x}, '{PRINTABLE}')"]

    def find(self, model: ObjectModel, name: str) -> str | None:
        """The column holding field `name` (Salesforce names are case-insensitive)."""
        if model.salesforce:
            folded = api_key(name)
            hit = next((c for n, c in self.columns.items() if api_key(n) == folded), None)
            return hit
        return self.columns.get(name)


@dataclass(slots=True)
class _Loader:
    tables: Tables
    root: str
    files: dict[str, str]
    rules: CheckedRules
    program: Program
    keep_raw: bool = False
    users: Directory = field(default_factory=lambda: Directory({}))
    history: FieldHistory | None = None  # the field_history list's (direct_history.py)

    def one(self, statement: str) -> Any:
        return self.tables.rows(statement)[0][0]

    def run(self) -> DirectSet:
        small = self._small_lists()
        # field history and Company from the Account: the reference decides them once
        # per record and field, and per account, and SQL joins them in
        # (direct_history.py, direct_company.py)
        from engine.bulk import direct_history

        if self.program.history("lead") or self.program.history("contact"):
            self.history = direct_history.load(self.tables, small)
        if any(
            (t := m.target(obj)) is not None and t.name.casefold() == "ownerid"
            for m in self.rules.mappings
            for obj in ("lead", "contact")
        ):
            raise _Decline  # a written owner is not the owner as loaded
        self.users = directory(small.users)
        raws = {name: self._raw(name) for name in BULK_LISTS}
        for raw in raws.values():
            self._check(raw)
        self._check_ids(raws)
        taken = self._taken(raws["leads"])
        self._build_records(raws["leads"], "leads")
        self._build_records(raws["contacts"], "contacts")
        company = self._company(raws["contacts"], small)
        if self.history is not None:
            self.tables.drop(direct_history.TABLE)  # read into the records' tables
        self._owners(raws, People.of(self.rules, small))
        stateful = self._stateful(raws)
        if stateful:
            self._links(raws)
        # each prospect's round before its table: the table is built once, with it
        last = self._rounds(raws["prospects"], stateful)
        self._build_prospects(raws["prospects"], stateful)
        unlinked = self._unlinked(raws) if creates_prospects(self.rules) else ()
        count = int(self.one("SELECT count(*) FROM prospects"))
        groups = directory(small.users).groups
        pairs = sorted((k, g) for k, members in groups.items() for g in members)
        self.tables.insert("__groups", ("k", "g"), pairs)
        for name in () if self.keep_raw else BULK_LISTS:
            self.tables.drop(f"raw_{name}")
        return DirectSet(small, count, last, taken, company, unlinked)

    def _company(self, contacts: _Raw, small: RecordSet) -> bool:
        """Company from the Account: each contact's account Name and its fit
        (direct_company.py); whether any contact has one."""
        from engine.bulk import direct_company

        contact_id = self._id_column(contacts, self.rules.object("contact"))
        return direct_company.load(self.tables, self.rules, small, contacts, contact_id)

    # -- the other lists ---------------------------------------------------------------

    def _small_lists(self) -> RecordSet:
        """users, accounts, … through the Python loader: a folder of links to those files
        only (an error there: the caller's Python loader words it with the real path)."""
        from engine.records.load import load_records

        others = {n: f for n, f in self.files.items() if n not in BULK_LISTS}
        with tempfile.TemporaryDirectory(prefix="syncrules-lists-") as folder:
            for file_name in others.values():
                os.symlink(
                    os.path.abspath(os.path.join(self.root, file_name)),
                    os.path.join(folder, file_name),
                )
            try:
                return load_records(folder, self.rules)
            except InputError:
                raise _Decline from None

    # -- reading -----------------------------------------------------------------------

    def _raw(self, list_name: str) -> _Raw:
        obj = LISTS[list_name]
        table = f"raw_{list_name}"
        file_name = self.files.get(list_name)
        if file_name is None:  # no file: an empty list
            key = "id" if obj == "prospect" else "Id"
            self.tables.create(
                table, f"SELECT {self._ordered(['CAST(NULL AS VARCHAR) AS c0'])} WHERE FALSE"
            )
            return _Raw(obj, table, {key: "c0"})
        path = os.path.join(self.root, file_name)
        if file_name.lower().endswith(".csv"):
            return self._csv(obj, table, path, list_name)
        return self._parquet(obj, table, path)

    def _csv(self, obj: str, table: str, path: str, list_name: str) -> _Raw:
        names = _csv_header(path, obj)
        if names is None:
            raise _Decline
        columns = {name: f"c{n}" for n, name in enumerate(names)}
        text = file_bytes(path)
        # the Python loader reads the text with every line end as LF (files.decode_source);
        # only a quoted cell can hold a CR, and few do: the others are not copied twice
        cells = [
            f"(CASE WHEN contains(c{n}, e'\\r') THEN replace(replace(c{n}, e'\\r\\n', e'\\n'), "
            f"e'\\r', e'\\n') ELSE COALESCE(c{n}, '') END)"
            if text.carriage
            else f"COALESCE(c{n}, '')"
            for n in range(len(names))
        ]
        # a row of blank cells is skipped, as the Python loader skips it (Excel leaves them)
        # (a CR or LF is blank to trim either way, so the cells as read decide it)
        blank = " AND ".join(f"trim(COALESCE(c{n}, ''), {TRIM}) = ''" for n in range(len(names)))
        items = [f"{c} AS c{n}" for n, c in enumerate(cells)]
        source = self.tables.csv_source(path, len(names))
        self.tables.create(
            table, f"SELECT {self._ordered(items)} FROM {source} WHERE NOT ({blank})"
        )
        return _Raw(obj, table, columns, printable=text.printable)

    def _ordered(self, items: list[str]) -> str:
        """A raw table's select items, with what keeps its rows' file order."""
        order = self.tables.order_column
        return ", ".join(items if order is None else [*items, order])

    def _parquet(self, obj: str, table: str, path: str) -> _Raw:
        origin, described = self.tables.parquet_source(path)
        columns: dict[str, str] = {}
        cells = []
        booleans = set()
        for n, (name, kind) in enumerate(described):
            source = q(str(name))
            if kind == "VARCHAR":
                cell = f"COALESCE({source}, '')"
            elif kind == "BOOLEAN":  # the loader reads True as `true` wherever text goes
                cell = f"CASE WHEN {source} THEN 'true' WHEN NOT {source} THEN 'false' ELSE '' END"
                booleans.add(f"c{n}")
            elif kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT"):
                cell = f"COALESCE(CAST({source} AS VARCHAR), '')"
            else:  # floats, decimals, dates, lists: the Python loader types them
                raise _Decline
            columns[str(name)] = f"c{n}"
            cells.append(f"{cell} AS c{n}")
        if not cells:
            raise _Decline
        self.tables.create(table, f"SELECT {self._ordered(cells)} FROM {origin}")
        return _Raw(obj, table, columns, frozenset(booleans), parquet=True)

    # -- checks: every value is one SQL types exactly as the Python loader ----------------

    def _check(self, raw: _Raw) -> None:
        model = self.rules.object(raw.obj)
        bad: list[str] = []  # SQL: a row holding a value the fast path leaves to Python
        few: list[tuple[str, Callable[[str], bool]]] = []  # columns checked value by value
        for name, column in raw.columns.items():
            info = model.get(name)
            if info is not None:
                self._declared(info, column, bad, few)
        strict = {n for o, n in self.program.strict if o == raw.obj}
        for c in self.program.columns(raw.obj):
            found = raw.find(model, c.name)
            if found is not None and c.cls in (Cls.TEXT, Cls.MULTI) and not raw.printable:
                ok: Callable[[str], bool] = printable if c.name in strict else tame
                column = found
                few.append(
                    (
                        f"CASE WHEN NOT regexp_full_match({column}, '{PRINTABLE}') "
                        f"THEN {column} END",
                        ok,
                    )
                )
        id_column = self._id_column(raw, model)
        bad.append(f"NOT regexp_full_match({id_column}, '{ID}')")
        if raw.obj == "prospect":
            for attribute in ("email", "assigned_user", "crm_lead_fid", "crm_contact_fid"):
                text = raw.columns.get(attribute)
                if text is not None:
                    bad += raw.unprintable(text)
            self._datetime(raw.columns.get("updated_at"), bad)
        else:
            self._datetime(raw.find(model, "LastModifiedDate"), bad)
            email = raw.find(model, "Email")
            if email is not None:
                bad += raw.unprintable(email)
            info = model.get("Email")
            if info is not None and _cls(info) is not Cls.TEXT:
                raise _Decline
            if raw.obj == "lead":  # a lead of the form the rounds give created leads
                bad.append(f"regexp_full_match({id_column}, '{NEW_LEAD_PREFIX}[0-9]{{12}}')")
        self._state_checks(raw, bad, few)
        if bad:
            found = self.one(
                f"SELECT count(*) FROM {raw.table} WHERE " + " OR ".join(f"({b})" for b in bad)
            )
            if found:
                raise _Decline
        for expr, ok in few:
            values = self.tables.rows(
                f"SELECT DISTINCT v FROM (SELECT {expr} AS v FROM {raw.table}) "
                f"WHERE v IS NOT NULL LIMIT {DISTINCT_LIMIT + 1}"
            )
            if len(values) > DISTINCT_LIMIT or not all(ok(v) for (v,) in values):
                raise _Decline

    def _declared(
        self,
        info: FieldInfo,
        x: str,
        bad: list[str],
        few: list[tuple[str, Callable[[str], bool]]],
    ) -> None:
        kind = info.type.kind
        if kind is Kind.NUMBER:
            bad.append(f"NOT ({x} = '' OR regexp_full_match({x}, '{NUMBER}'))")
            # the Python path words why: one pattern, where measuring the parts took
            # 0.75 s of CPU a column at 1,000,000 rows
            bad.append(f"regexp_full_match({x}, '{NUMBER_ODD}')")
        elif kind is Kind.DATE:
            bad.append(
                f"NOT ({x} = '' OR (regexp_full_match({x}, '{DATE}') AND "
                f"left({x}, 4) <> '0000' AND TRY_CAST({x} AS DATE) IS NOT NULL))"
            )
        elif kind is Kind.DATETIME:
            self._datetime(x, bad)
        elif kind is Kind.BOOLEAN:
            few.append((x, lambda v: v == "" or v.lower() in ("true", "false", "1", "0")))
        elif kind is Kind.GRADE:
            few.append((x, lambda v: v == "" or v in GRADES))
        elif kind is Kind.PICKLIST:
            few.append((x, lambda v: v == "" or info.type.allows(v)))
        elif kind is Kind.MULTIPICKLIST:

            def chosen(v: str) -> bool:
                # tame: str.strip() strips what SQL's trim does (multi_select)
                parts = [p.strip() for p in v.split(";") if p.strip()]
                return tame(v) and all(info.type.allows(p) for p in parts)

            few.append((x, chosen))

    @staticmethod
    def _datetime(x: str | None, bad: list[str]) -> None:
        if x is not None:
            bad.append(
                f"NOT ({x} = '' OR (regexp_full_match({x}, '{DATETIME}') AND "
                f"left({x}, 4) NOT IN ('0000', '9999') AND "
                f"TRY_CAST(left({x}, 10) AS DATE) IS NOT NULL))"
            )

    # -- the connector's state (records/state.py): read whether declared or not ---------

    def _state_column(self, raw: _Raw, name: str) -> str | None:
        """The raw column of a state column: `crm_deleted` on prospects (its name exact),
        `IsDeleted` and `MasterRecordId` on leads and contacts, `IsConverted` and
        `ConvertedContactId` on leads (API names, any case)."""
        if raw.obj == "prospect":
            return raw.columns.get(name) if name == "crm_deleted" else None
        if name in ("IsConverted", "ConvertedContactId") and raw.obj != "lead":
            return None
        return raw.find(self.rules.object(raw.obj), name)

    def _state_checks(
        self, raw: _Raw, bad: list[str], few: list[tuple[str, Callable[[str], bool]]]
    ) -> None:
        """A flag is `true`/`false` in any case around blanks, or blank (state._flag);
        anything else is an input error the Python loader words. An Id column is
        printable ASCII, so that SQL's trim is str.strip(); a Parquet boolean there
        (state._id reads it as no Id) is left to the Python loader."""
        for flag in ("crm_deleted", "IsDeleted", "IsConverted"):
            x = self._state_column(raw, flag)
            if x is not None:
                few.append((x, _state_flag_ok))
        for link in ("MasterRecordId", "ConvertedContactId"):
            x = self._state_column(raw, link)
            if x is not None:
                if x in raw.booleans:
                    raise _Decline
                bad += raw.unprintable(x)

    def _state_flag(self, raw: _Raw, name: str) -> str:
        """A state flag as SQL (state._flag, over the values `_state_checks` let through)."""
        x = self._state_column(raw, name)
        return "FALSE" if x is None else f"(lower(trim({x}, {TRIM})) = 'true')"

    def _state_id(self, raw: _Raw, name: str) -> str:
        """A state Id column as SQL (state._id: stripped, blank is none)."""
        x = self._state_column(raw, name)
        return "CAST(NULL AS VARCHAR)" if x is None else f"NULLIF(trim({x}, {TRIM}), '')"

    def _stateful(self, raws: dict[str, _Raw]) -> bool:
        """Whether any file has a state column; without one every record is live and
        unconverted, every prospect unflagged, and the tables are built without the
        joins that resolve each prospect's link (`_links`)."""
        names = ("crm_deleted", "IsDeleted", "IsConverted", "MasterRecordId")
        return any(self._state_column(raw, n) is not None for raw in raws.values() for n in names)

    def _id_column(self, raw: _Raw, model: ObjectModel) -> str:
        column = raw.columns.get("id") if raw.obj == "prospect" else raw.find(model, "Id")
        if column is None:
            raise _Decline
        return column

    def _check_ids(self, raws: dict[str, _Raw]) -> None:
        ids = {}
        for name, raw in raws.items():
            ids[name] = self._id_column(raw, self.rules.object(raw.obj))
            ((count, distinct),) = self.tables.rows(
                f"SELECT count(*), count(DISTINCT {ids[name]}) FROM {raw.table}"
            )
            if count != distinct:
                raise _Decline
        both = self.one(
            f"SELECT count(*) FROM raw_leads AS l JOIN raw_contacts AS c "
            f"ON l.{ids['leads']} = c.{ids['contacts']}"
        )
        if both:
            raise _Decline
        # a CRM id of the form created leads get that names no record (duck.load_tables)
        prospects = raws["prospects"]
        for attribute in ("crm_lead_fid", "crm_contact_fid"):
            fid = prospects.columns.get(attribute)
            if fid is not None and self.one(
                f"SELECT count(*) FROM {prospects.table} WHERE starts_with({fid}, "
                f"{lit(NEW_LEAD_PREFIX)}) AND {fid} NOT IN (SELECT {ids['leads']} FROM raw_leads "
                f"UNION ALL SELECT {ids['contacts']} FROM raw_contacts)"
            ):
                raise _Decline

    def _taken(self, raw: _Raw) -> tuple[int, ...]:
        """The numbers of the leads an earlier run created (`00QSR` and ten digits), which
        the leads this cycle creates skip (duck.LeadIds)."""
        x = self._id_column(raw, self.rules.object("lead"))
        rows = self.tables.rows(
            f"SELECT DISTINCT CAST(substr({x}, {len(NEW_LEAD_PREFIX) + 1}) AS BIGINT) AS n "
            f"FROM {raw.table} WHERE regexp_full_match({x}, '{NEW_LEAD_PREFIX}[0-9]{{10}}') "
            "ORDER BY n"
        )
        return tuple(int(n) for (n,) in rows)

    def _links(self, raws: dict[str, _Raw]) -> None:
        """Where each prospect's CRM ids lead before its turn, as duck.Links.resolve
        decides it from Records, into `__links` (id, __lead_fid, __contact_fid, __state,
        __master_obj, __master_id): a flagged prospect is deleted; a deleted linked
        record (its contact, else its lead) is followed to the live record it was merged
        into (cycle.master_of), and that to its conversion's contact when it is a
        converted lead, else the prospect is deleted; a converted lead is followed to its
        live contact; a converted lead beside a live contact is dropped."""
        for name, obj in (("contacts", "contact"), ("leads", "lead")):
            raw = raws[name]
            model = self.rules.object(obj)
            self.tables.create(
                f"__st_{obj}",
                f"SELECT {self._id_column(raw, model)} AS id, "
                f"{self._state_flag(raw, 'IsDeleted')} AS deleted, "
                f"{self._state_flag(raw, 'IsConverted')} AS converted, "
                f"{self._state_id(raw, 'MasterRecordId')} AS master, "
                f"{self._state_id(raw, 'ConvertedContactId')} AS conv FROM {raw.table}",
            )
            self._masters(obj)
        # a lead's live master and, when converted, its conversion's live contact
        self.tables.create(
            "__sl",
            "SELECT s.id, s.deleted, s.converted, m.live AS master, "
            "CASE WHEN c.id IS NOT NULL AND NOT c.deleted THEN c.id END AS conv "
            "FROM __st_lead s LEFT JOIN __masters_lead m ON m.start = s.id "
            "LEFT JOIN __st_contact c ON c.id = s.conv",
        )
        self.tables.create(
            "__sc",
            "SELECT s.id, s.deleted, m.live AS master FROM __st_contact s "
            "LEFT JOIN __masters_contact m ON m.start = s.id",
        )
        raw = raws["prospects"]
        get = raw.columns.get
        lead, contact = get("crm_lead_fid"), get("crm_contact_fid")
        flagged = self._state_flag(raw, "crm_deleted")
        # D: deleted; MC, ML: a merged contact, lead followed to its master; C: a live
        # contact (and the lead beside it unless converted); V: a converted lead; L: a
        # lead or none
        kind = (
            f"CASE WHEN {flagged} THEN 'D' "
            "WHEN c.id IS NOT NULL AND c.deleted THEN "
            "(CASE WHEN c.master IS NULL THEN 'D' ELSE 'MC' END) "
            "WHEN c.id IS NULL AND l.id IS NOT NULL AND l.deleted THEN "
            "(CASE WHEN l.master IS NULL THEN 'D' ELSE 'ML' END) "
            "WHEN c.id IS NOT NULL THEN 'C' "
            "WHEN l.id IS NOT NULL AND l.converted THEN 'V' ELSE 'L' END"
        )
        lead_join = f"LEFT JOIN __sl l ON l.id = r.{lead} " if lead else ""
        contact_join = f"LEFT JOIN __sc c ON c.id = r.{contact} " if contact else ""
        no_lead = "(SELECT CAST(NULL AS VARCHAR) AS id, FALSE AS deleted, FALSE AS converted, "
        no_lead += "CAST(NULL AS VARCHAR) AS master, CAST(NULL AS VARCHAR) AS conv)"
        no_contact = "(SELECT CAST(NULL AS VARCHAR) AS id, FALSE AS deleted, "
        no_contact += "CAST(NULL AS VARCHAR) AS master)"
        self.tables.create(
            "__k",
            f"SELECT r.{get('id')} AS id, {kind} AS k, c.id AS cid, c.master AS cmaster, "
            "l.id AS lid, l.master AS lmaster, l.converted AS lconverted, l.conv AS lconv, "
            "m.converted AS mconverted, m.conv AS mconv "
            f"FROM {raw.table} r "
            + (lead_join or f"CROSS JOIN {no_lead} l ")
            + (contact_join or f"CROSS JOIN {no_contact} c ")
            + "LEFT JOIN __sl m ON m.id = l.master",
        )
        self.tables.create(
            "__links",
            "SELECT id, "
            "CASE k WHEN 'ML' THEN (CASE WHEN mconverted THEN NULL ELSE lmaster END) "
            "WHEN 'C' THEN (CASE WHEN lid IS NOT NULL AND NOT lconverted THEN lid END) "
            "WHEN 'L' THEN lid END AS __lead_fid, "
            "CASE k WHEN 'MC' THEN cmaster WHEN 'ML' THEN (CASE WHEN mconverted THEN mconv END) "
            "WHEN 'C' THEN cid WHEN 'V' THEN lconv END AS __contact_fid, "
            f"CASE k WHEN 'D' THEN {lit(LinkState.DELETED)} WHEN 'MC' THEN {lit(LinkState.MERGE)} "
            f"WHEN 'ML' THEN {lit(LinkState.MERGE)} END AS __state, "
            "CASE k WHEN 'MC' THEN 'contact' WHEN 'ML' THEN 'lead' END AS __master_obj, "
            "CASE k WHEN 'MC' THEN cmaster WHEN 'ML' THEN lmaster END AS __master_id FROM __k",
        )
        for table in ("__k", "__sl", "__sc", "__st_lead", "__st_contact"):
            self.tables.drop(table)
        for obj in ("lead", "contact"):
            self.tables.drop(f"__masters_{obj}")

    def _masters(self, obj: str) -> None:
        """`__masters_<obj>` (start, live): each deleted record's live master, following
        MasterRecordId through masters merged again (cycle.master_of); a record whose
        chain ends at a missing or deleted record, or comes back to it, has none. A chain
        longer than MERGE_STEPS is left to the Python loader's path."""
        table = f"__st_{obj}"
        walk, found = f"__walk_{obj}", f"__masters_{obj}"
        self.tables.create(
            walk, f"SELECT id AS start, master AS cur FROM {table} WHERE deleted AND master <> ''"
        )
        steps: list[str] = []  # each step's table: the starts it found a live master for
        while self.one(f"SELECT count(*) FROM {walk}"):
            if len(steps) == MERGE_STEPS:
                raise _Decline
            step = f"{found}{len(steps)}"
            steps.append(step)
            self.tables.create(
                step,
                "SELECT w.start, w.cur, t.id, t.deleted, t.master "
                f"FROM {walk} w LEFT JOIN {table} t ON t.id = w.cur",
            )
            self.tables.create(
                walk,
                f"SELECT start, master AS cur FROM {step} WHERE id IS NOT NULL AND deleted "
                "AND master IS NOT NULL AND master <> start",
            )
        live = [
            f"SELECT start, id AS live FROM {t} WHERE id IS NOT NULL AND NOT deleted" for t in steps
        ]
        self.tables.create(
            found, " UNION ALL ".join(live) or f"SELECT start, cur AS live FROM {walk}"
        )
        for t in (*steps, walk):
            self.tables.drop(t)

    # -- the engine's tables (as duck.load_tables builds them from Records) ---------------

    def _store(self, name: str, items: list[tuple[str, str, bool]], tail: str) -> None:
        """Table `name` of `items` (SQL, column name, whether constant) selected `tail`
        (FROM …). A field not in the file holds one constant on every row, which an
        in-memory table stores row by row (16 bytes a value at least: a third of the
        benchmark org's tables, some 500 MB at a million prospects): only the others are
        stored, in `name__stored`, and `name` is a view adding the constants in place."""
        stored = [f"{sql} AS {alias}" for sql, alias, constant in items if not constant]
        self.tables.create(f"{name}__stored", f"SELECT {', '.join(stored)} {tail}")
        shown = [f"{sql} AS {alias}" if constant else alias for sql, alias, constant in items]
        self.tables.view(name, f"SELECT {', '.join(shown)} FROM {name}__stored")

    def _fields(self, raw: _Raw, columns: list[Column]) -> list[tuple[str, str, bool]]:
        """`_store`'s items for the declared fields: each one's value, constant when the
        file has no column for it."""
        model = self.rules.object(raw.obj)
        return [(self._value(raw, c), q(c.name), raw.find(model, c.name) is None) for c in columns]

    def _value(self, raw: _Raw, c: Column) -> str:
        x = raw.find(self.rules.object(raw.obj), c.name)
        if x is None:  # not in the file: the type's blank (runtime.fit.blank_of)
            return {Cls.TEXT: "''", Cls.MULTI: "''", Cls.BOOL: "FALSE"}.get(
                c.cls, "CAST(NULL AS VARCHAR)"
            )
        if c.cls is Cls.TEXT:
            return x
        if c.cls is Cls.MULTI:
            return multi_select(x)
        if c.cls is Cls.BOOL:
            return f"(lower({x}) IN ('true', '1'))"
        if c.cls is Cls.NUMBER:
            return f"(CASE WHEN {x} = '' THEN NULL ELSE {decimal_str(x)} END)"
        if c.cls is Cls.DATETIME:
            return f"(CASE WHEN {x} = '' THEN NULL ELSE {iso_utc(x)} END)"
        return f"NULLIF({x}, '')"  # grade, date (its isoformat is its text)

    def _stamp(self, x: str | None) -> str:
        if x is None:
            return "CAST(NULL AS DOUBLE)"
        return f"(CASE WHEN {x} = '' THEN NULL ELSE {epoch(x)} END)"

    def _key(self, raw: _Raw, x: str | None) -> str:
        """cycle._email_of / a duplicate key part: str(v).strip().casefold()."""
        return "''" if x is None else f"lower({stripped(x)})"

    def _build_records(self, raw: _Raw, table: str) -> None:
        model = self.rules.object(raw.obj)
        items = self._fields(raw, self.program.columns(raw.obj))
        id_column = self._id_column(raw, model)
        # SPEC §3.2, §3.3: a deleted record is invisible; a deleted or converted one is
        # never matched by email nor counted by a duplicate rule (as duck.load_tables)
        deleted = self._state_flag(raw, "IsDeleted")
        constant_deleted = self._state_column(raw, "IsDeleted") is None
        gone = f"({deleted} OR {self._state_flag(raw, 'IsConverted')})"
        stamp = self._stamp(raw.find(model, "LastModifiedDate"))
        order = f"{raw.table}.{self.tables.order}"  # a related join holds a rowid too
        from engine.bulk import direct_history

        history, history_joins = direct_history.stamps(
            self.program, self.history, raw.obj, raw.table, id_column, stamp
        )
        items += [
            (id_column, "__id", False),
            (self._position(order), "__ord", False),
            (self._key(raw, raw.find(model, "Email")), "__email", False),
            (stamp, "__stamp", False),
            *history,
            ("FALSE", "__created", True),
            (deleted, "__deleted", constant_deleted),
            (gone, "__gone", constant_deleted and self._state_column(raw, "IsConverted") is None),
        ]
        for n in self.program.dup_rules:
            parts = []
            for info in self.rules.duplicates[n].fields:
                if _cls(info) is not Cls.TEXT:
                    raise _Decline
                declared = model.get(info.name)
                if declared is not None and _cls(declared) is not Cls.TEXT:
                    raise _Decline
                parts.append(raw.find(model, declared.name if declared else info.name))
            if any(p is None for p in parts):
                items.append(("CAST(NULL AS VARCHAR)", f"__dup{n}", True))
                continue
            present = [p for p in parts if p is not None]
            blank = " OR ".join(f"{p} = ''" for p in present)
            joined = f" || {lit(KEY_SEP)} || ".join(self._key(raw, p) for p in present)
            items.append(
                (f"(CASE WHEN {gone} OR {blank} THEN NULL ELSE {joined} END)", f"__dup{n}", False)
            )
            printed = " OR ".join(t for p in present for t in raw.unprintable(p))
            if printed and self.one(f"SELECT count(*) FROM {raw.table} WHERE {printed}"):
                raise _Decline
        related, on = self._related(raw)
        items += related
        join = f" LEFT JOIN __rel_{raw.obj} __r ON {on}" if on else ""
        join += history_joins
        self._store(table, items, f"FROM {raw.table}{join}")
        if on:
            self.tables.drop(f"__rel_{raw.obj}")

    def _position(self, order: str) -> str:
        """A record's position in its file (0, 1, …): the raw table's row number where the
        engine numbers rows densely, without the sort a window over the table takes (a
        third of building the leads' table at 600,000 leads)."""
        if self.tables.dense:
            return f"CAST({order} AS BIGINT)"
        return f"CAST(row_number() OVER (ORDER BY {order}) - 1 AS BIGINT)"

    # -- related records' values (sql.Related) -------------------------------------------

    def _related(self, raw: _Raw) -> tuple[list[tuple[str, str, bool]], str]:
        """The related values the rules read on this object (`__rel{n}`, `__rel{n}u`), as
        duck.related_columns gives them from Records: they depend only on the record's
        cells of the columns MergeFields reads — the one named as the reference
        (`RecordType.DeveloperName`), and the relationship's Id field (`OwnerId`, to the
        user) — so the reference's own code decides them once per distinct set of those
        cells, on a stand-in record whose Id is a token each record's Id replaces in SQL
        (a Missing reason names the record). The decisions are joined by those cells.
        Returns `_store`'s items and the join's condition ("": none is read)."""
        from engine.bulk.duck import related_columns

        related = self.program.related_of(raw.obj)
        if not related:
            return [], ""
        model = self.rules.object(raw.obj)
        read: dict[str, str] = {}  # header name → raw column, of the columns read
        for r in related:
            path: str | None = r.reference
            if r.reference.startswith("$"):
                head, _, rest = r.reference.partition(".")
                path = "RecordType." + rest if head.casefold() == "$recordtype" else None
            names = [path] if path else []
            if path and "." in path:
                id_field = _id_field(path.split(".")[0])
                names += [id_field] if id_field else []
            for name in names:
                folded = name.casefold()
                read.update((n, c) for n, c in raw.columns.items() if n.casefold() == folded)
        if read and raw.parquet:
            raise _Decline  # MergeFields reads the Parquet cells' own types (a null, 12)
        keys = sorted(read.items())
        cells = [c for _, c in keys]
        if cells:
            combos = self.tables.rows(
                f"SELECT DISTINCT {', '.join(cells)} FROM {raw.table} LIMIT {DISTINCT_LIMIT + 1}"
            )
        else:
            combos = [()]
        if len(combos) > DISTINCT_LIMIT:
            raise _Decline
        pool = [
            Record(
                raw.obj,
                _RECORD_TOKEN,
                {},
                {name: cell for (name, _), cell in zip(keys, combo, strict=True)},
                Origin("", n),
            )
            for n, combo in enumerate(combos)
        ]

        def bad(record: Record, name: str, why: str) -> None:
            raise _Decline  # a value SQL does not hold exactly: the Python loader's path

        data = related_columns(self.rules, self.program, raw.obj, pool, self.users, bad)
        names = [f"k{n}" for n in range(len(cells))]
        for r in related:
            names += [r.column, r.missing]
        rows = []
        for n, combo in enumerate(combos):
            row = [*combo]
            for r in related:
                value, missing = data[r.column][n], data[r.missing][n]
                if value is not None and _RECORD_TOKEN in str(value):
                    raise _Decline
                row += [None if value is None else str(value), missing]
            rows.append(tuple(row))
        self.tables.insert(f"__rel_{raw.obj}", tuple(names), rows)
        on = " AND ".join(f"__r.k{n} = {raw.table}.{c}" for n, c in enumerate(cells))
        record_id = self._id_column(raw, model)
        token = lit(_RECORD_TOKEN)
        items = [
            item
            for r in related
            for item in (
                (f"__r.{r.column}", r.column, False),
                (f"replace(__r.{r.missing}, {token}, {raw.table}.{record_id})", r.missing, False),
            )
        ]
        return items, on or "TRUE"

    def _build_prospects(self, raw: _Raw, stateful: bool) -> None:
        items = self._fields(raw, self.program.prospect)
        get = raw.columns.get
        email, assigned = get("email"), get("assigned_user") or "''"
        fids = {"lead": get("crm_lead_fid"), "contact": get("crm_contact_fid")}
        items += [
            (str(get("id")), "__id", False),
            ("__r.__rank", "__rank", False),  # _rounds
            (self._key(raw, email), "__email", False),
            (assigned, "__assigned", False),
            (f"COALESCE(__m.owner, {assigned})", "__owner", False),  # decided in _owners
        ]
        links = ""
        if stateful:  # resolved by _links
            names = ("__lead_fid", "__contact_fid", "__state", "__master_obj", "__master_id")
            items += [(f"__k.{name}", name, False) for name in names]
            links = f" LEFT JOIN __links __k ON __k.id = {get('id')}"
        else:  # duck.Links.resolve without the connector's state: a CRM id names a record or not
            for obj in ("lead", "contact"):
                fid = fids[obj]
                if fid is None:
                    items.append(("CAST(NULL AS VARCHAR)", f"__{obj}_fid", True))
                else:
                    found = f"(CASE WHEN {fid} IN (SELECT __id FROM {obj}s) THEN {fid} END)"
                    items.append((found, f"__{obj}_fid", False))
            items += [
                ("CAST(NULL AS VARCHAR)", "__state", True),
                ("CAST(NULL AS VARCHAR)", "__master_obj", True),
                ("CAST(NULL AS VARCHAR)", "__master_id", True),
            ]
        items += [
            (self._stamp(get("updated_at")), "__stamp", False),
            ("__r.__round", "__round", False),  # _rounds
        ]
        self._store(
            "prospects",
            items,
            f"FROM {raw.table} JOIN __rounds __r ON __r.__id = {get('id')} "
            f"LEFT JOIN __created_owner __m ON __m.assigned = {assigned}{links}",
        )
        self.tables.drop("__rounds")
        if stateful:
            self.tables.drop("__links")
        # the records prospects are linked to before the cycle, but a flagged prospect's
        live = f" AND NOT {self._state_flag(raw, 'crm_deleted')}"
        owned = [
            f"SELECT '{obj}' AS obj, {fid} AS id FROM {raw.table} WHERE {fid} <> ''{live}"
            for obj, fid in sorted(fids.items())
            if fid is not None
        ]
        body = " UNION ALL ".join(owned) if owned else "SELECT NULL AS obj, NULL AS id WHERE FALSE"
        # DISTINCT over UNION ALL, not UNION: Spark 4 fails a later UNION with this
        # table ("key not found") when it was checkpointed from a UNION of two selects
        self.tables.create(
            "__owned",
            f"SELECT DISTINCT CAST(obj AS VARCHAR) AS obj, CAST(id AS VARCHAR) AS id "
            f"FROM ({body}) ORDER BY obj, id",
        )

    def _unlinked(self, raws: dict[str, _Raw]) -> tuple[Unlinked, ...]:
        """SPEC §3.9: the records every prospect's CRM ids name (`__sf_fids`, which
        `__taken` starts from after the rounds), and the cells of the leads and contacts
        none names, the only ones that may get a prospect: kept as read from a CSV file
        (`__sf_unlinked_<list>`), read again from a Parquet file, whose cells' own types
        (a null, a boolean) the Python loader reads and the raw table does not hold."""
        prospects = raws["prospects"]
        selects = [
            f"SELECT '{obj}' AS obj, {fid} AS id FROM {prospects.table} WHERE {fid} <> ''"
            for obj in ("contact", "lead")
            if (fid := prospects.columns.get(f"crm_{obj}_fid")) is not None
        ]
        body = " UNION ALL ".join(selects) or "SELECT '' AS obj, '' AS id WHERE FALSE"
        self.tables.create("__sf_fids", f"SELECT DISTINCT obj, id FROM ({body})")
        kept = []
        for name in ("contacts", "leads"):
            raw = raws[name]
            id_column = self._id_column(raw, self.rules.object(raw.obj))
            path = os.path.join(self.root, self.files[name]) if name in self.files else ""
            if raw.parquet:
                header = tuple(raw.columns)
                id_name = next(n for n, c in raw.columns.items() if c == id_column)
                kept.append(Unlinked(name, path, header, None, id_name))
                continue
            cells = ", ".join(f"{raw.table}.{c}" for c in raw.columns.values())
            self.tables.create(
                f"__sf_unlinked_{name}",
                f"SELECT {cells}, {raw.table}.{self.tables.order} AS __ord FROM {raw.table} "
                f"WHERE NOT EXISTS (SELECT 1 FROM __sf_fids f WHERE f.obj = '{raw.obj}' "
                f"AND f.id = {raw.table}.{id_column})",
            )
            kept.append(
                Unlinked(name, path, tuple(raw.columns), f"__sf_unlinked_{name}", id_column)
            )
        return tuple(kept)

    def _owners(self, raws: dict[str, _Raw], people: People) -> None:
        """A created lead's owner per assigned user (ownership.created_owner, over the few
        distinct assigned users) into __created_owner (prospects.__owner), and each lead's
        and contact's OwnerId as read into __record_owner (the owner a synced prospect
        follows)."""
        column = raws["prospects"].columns.get("assigned_user") or "''"
        assigned = [r[0] for r in self.tables.rows(f"SELECT DISTINCT {column} FROM raw_prospects")]
        if len(assigned) > DISTINCT_LIMIT:
            raise _Decline
        pairs = [
            (a, created_owner(self.rules, people, a or None).id or "") for a in sorted(assigned)
        ]
        self.tables.insert("__created_owner", ("assigned", "owner"), pairs)
        selects = []
        for name, obj in (("leads", "lead"), ("contacts", "contact")):
            raw = raws[name]
            model = self.rules.object(obj)
            owner = raw.find(model, "OwnerId")
            if owner is not None:
                selects.append(
                    f"SELECT '{obj}' AS obj, {self._id_column(raw, model)} AS id, {owner} AS owner "
                    f"FROM {raw.table}"
                )
        body = " UNION ALL ".join(selects) or "SELECT '' AS obj, '' AS id, '' AS owner WHERE FALSE"
        self.tables.create("__record_owner", body)

    # -- rounds: duck.components and duck.rounds, from the keys ---------------------------

    def _rounds(self, raw: _Raw, stateful: bool) -> int:
        """Each prospect's component (duck.components: prospects reaching one record or
        email key), its round and its rank (by id), into __rounds. A record is one with
        its email key (its node is the key; a record without one, or a CRM id naming no
        record, is its own node), so a prospect reaches at most three nodes: its email
        key (match by email), and its lead's and contact's. Nearly every prospect's nodes
        are one node; the few that join two are unioned in Python, and every other
        prospect's component is its node's."""
        from engine.bulk.duck import by_email

        get = raw.columns.get

        def node(obj: str, attribute: str) -> str:
            fid = get(attribute)
            if fid is None:
                return "CAST(NULL AS VARCHAR)"
            return (
                f"(CASE WHEN r.{fid} = '' THEN NULL WHEN {obj[0]}.__email <> '' THEN "
                f"'e:' || {obj[0]}.__email ELSE '{obj[0]}:' || r.{fid} END)"
            )

        cell = get("email")
        key = self._key(raw, None if cell is None else f"r.{cell}")  # the prospect's __email
        email = f"(CASE WHEN {key} <> '' THEN 'e:' || {key} END)"
        nodes = [email] if by_email(self.rules) else []
        nodes += [node("lead", "crm_lead_fid"), node("contact", "crm_contact_fid")]
        joins = [
            f"LEFT JOIN leads l ON l.__id = r.{get('crm_lead_fid')}" if get("crm_lead_fid") else "",
            f"LEFT JOIN contacts c ON c.__id = r.{get('crm_contact_fid')}"
            if get("crm_contact_fid")
            else "",
        ]
        if stateful:
            # the records the connector's state leads to (duck.components): the link as
            # resolved (a conversion's contact, a merge's master) and the merge's master
            joins.append(f"LEFT JOIN __links p ON p.id = r.{get('id')}")  # _links
            for alias, table, on in (
                ("rl", "leads", "p.__lead_fid"),
                ("rc", "contacts", "p.__contact_fid"),
                ("ml", "leads", "(CASE WHEN p.__master_obj = 'lead' THEN p.__master_id END)"),
                ("mc", "contacts", "(CASE WHEN p.__master_obj = 'contact' THEN p.__master_id END)"),
            ):
                joins.append(f"LEFT JOIN {table} {alias} ON {alias}.__id = {on}")
                nodes.append(
                    f"(CASE WHEN {alias}.__id IS NULL THEN NULL WHEN {alias}.__email <> '' THEN "
                    f"'e:' || {alias}.__email ELSE '{table[0]}:' || {alias}.__id END)"
                )
        # a prospect's node is its first; the list of its nodes only where another differs
        # (a list and its lambdas a row took twice the CPU of the rest of the statement)
        names = [f"n{i}" for i in range(len(nodes))]
        first = f"COALESCE({', '.join(names)})"
        differs = " OR ".join(f"{n} <> {first}" for n in names)
        inner = ", ".join(f"{sql} AS {n}" for sql, n in zip(nodes, names, strict=True))
        self.tables.create(
            "__nodes",
            f"SELECT __id, COALESCE({first}, 'p:' || __id) AS n, "
            f"CASE WHEN {differs} THEN [{', '.join(names)}] END AS ns "
            f"FROM (SELECT r.{get('id')} AS __id, {inner} "
            f"FROM {raw.table} r {' '.join(joins)})",
        )
        forest = Forest()
        for (ns,) in self.tables.rows("SELECT ns FROM __nodes WHERE ns IS NOT NULL"):
            held = [n for n in ns if n is not None]
            for other in held[1:]:
                forest.union(held[0], other)
        pairs = sorted((n, forest.find(n)) for n in forest.members() if forest.find(n) != n)
        self.tables.insert("__joined", ("n", "root"), pairs)
        self.tables.create(
            "__components",
            "SELECT x.__id, COALESCE(j.root, x.n) AS __comp FROM __nodes x "
            "LEFT JOIN __joined j ON j.n = x.n",
        )
        # the prospect's rank too: ordering the narrow rows here, not the table's whole rows
        self.tables.create(
            "__rounds",
            "SELECT __id, CAST(row_number() OVER (PARTITION BY __comp ORDER BY __id) AS BIGINT) "
            "AS __round, CAST(row_number() OVER (ORDER BY __id) AS BIGINT) AS __rank "
            "FROM __components",
        )
        self.tables.drop("__nodes")
        self.tables.drop("__joined")
        return int(self.one("SELECT COALESCE(max(__round), 0) FROM __rounds"))


def stripped(x: str) -> str:
    """`trim(x, TRIM)`, which takes twice as long as `lower`, only for a text that begins or
    ends with what it strips (a key is rarely written with blanks around it)."""
    ends = "(' ', e'\\t', e'\\n', e'\\r')"
    return (
        f"(CASE WHEN left({x}, 1) IN {ends} OR right({x}, 1) IN {ends} "
        f"THEN trim({x}, {TRIM}) ELSE {x} END)"
    )


def _state_flag_ok(value: str) -> bool:
    """records/state._flag reads it without error, and SQL's lower(trim()) alike."""
    stripped = value.strip()
    return (
        value.isascii()
        and stripped == value.strip(" \t\n\r")
        and (stripped.lower() in ("", "true", "false"))
    )


def _cls(info: FieldInfo) -> Cls | None:
    from engine.bulk.sql import cls_of

    return cls_of(info.type)


def decimal_str(x: str) -> str:
    """`str(Decimal(x))` for a text matching NUMBER that the checks kept (no exponent form):
    `+` and leading zeros dropped, `.5` → `0.5`, `5.` → `5`, trailing zeros kept. Most
    numbers are written as str(Decimal) writes them and are kept as they are: building
    the text from its parts took 1.3 s of CPU a column at 1,000,000 rows."""
    body = f"ltrim({x}, '+-')"
    whole = f"ltrim(split_part({body}, '.', 1), '0')"
    frac = f"split_part({body}, '.', 2)"
    return (
        f"(CASE WHEN regexp_full_match({x}, '{NUMBER_PLAIN}') THEN {x} ELSE "
        f"((CASE WHEN starts_with({x}, '-') THEN '-' ELSE '' END) "
        f"|| (CASE WHEN {whole} = '' THEN '0' ELSE {whole} END) "
        f"|| (CASE WHEN {frac} <> '' THEN '.' || {frac} ELSE '' END)) END)"
    )


def multi_select(x: str) -> str:
    """A multi-select picklist's value as records/load.py normalises it: the parts between
    `;` stripped, blank ones dropped, joined with `;` (`" A ;;B"` → `"A;B"`, blank `""`),
    for a text the checks found tame (Python's strip() and SQL's trim agree on it)."""
    parts = f"list_transform(string_split({x}, ';'), lambda p: trim(p, {TRIM}))"
    return f"array_to_string(list_filter({parts}, lambda p: p <> ''), ';')"


def _fraction(x: str) -> str:
    """The microseconds of a DATETIME text, as six digits ('000000' when none)."""
    return f"rpad(regexp_extract({x}, '\\.([0-9]+)', 1), 6, '0')"


def iso_utc(x: str) -> str:
    """`datetime.isoformat()` of the loaded value: UTC, microseconds only when not zero."""
    micro = _fraction(x)
    return (
        f"(left({x}, 19) || (CASE WHEN substr({x}, 20, 1) <> '.' OR {micro} = '000000' "
        f"THEN '' ELSE '.' || {micro} END) || '+00:00')"
    )


def epoch(x: str) -> str:
    """`datetime.timestamp()` of the loaded value: microseconds since 1970 over 10**6.
    The fraction is looked for only where there is one (most exports write none)."""
    micros = f"(CASE WHEN substr({x}, 20, 1) = '.' THEN CAST({_fraction(x)} AS BIGINT) ELSE 0 END)"
    return f"((epoch_us(CAST(left({x}, 19) AS TIMESTAMP)) + {micros}) / 1000000.0)"


@dataclass(frozen=True, slots=True)
class FileBytes:
    """What a CSV file's bytes say of every cell in it, read before DuckDB reads it."""

    printable: bool  # every byte printable ASCII, a tab or a line break (a BOM aside)
    carriage: bool  # a cell may hold a CR: the file has a CR and a quote


# what a printable cell's bytes are: `bytes.translate` deleting them leaves nothing (a
# table lookup a byte, ten times the speed of a regex class searched over the bytes)
_PRINTABLE_BYTES = bytes(range(ord(" "), ord("~") + 1)) + b"\t\n\r"
_CHUNK = 1 << 23


def file_bytes(path: str) -> FileBytes:
    """One pass over the file's bytes (about 0.14 s of CPU, reading included, for the
    167 MB of a million prospects' three files): a cell is a run of the file's bytes
    less its quotes, so a file of printable ASCII holds only printable cells — the usual
    export, whose cells then need no test one by one — and a cell holds a CR only when
    quoted, so without a quote or a CR none needs its line ends turned."""
    printable = True
    quote = carriage = False
    with open(path, "rb") as handle:
        chunk = handle.read(_CHUNK).removeprefix(b"\xef\xbb\xbf")
        while chunk:
            printable = printable and not chunk.translate(None, _PRINTABLE_BYTES)
            quote = quote or b'"' in chunk
            carriage = carriage or b"\r" in chunk
            chunk = handle.read(_CHUNK)
    return FileBytes(printable, quote and carriage)


def _csv_header(path: str, obj: str) -> list[str] | None:
    """The header row as records/load.py reads it, or None where it would refuse it (a
    blank or repeated name, one column holding another delimiter, no header at all)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            cells = next((row for row in reader if row), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if cells is None:
        return None
    names = [cell.strip() for cell in cells]
    if len(names) == 1 and any(d in names[0] for d in ";\t|"):
        return None
    keys = [api_key(n) if obj in SALESFORCE_OBJECTS else n for n in names]
    if not all(names) or len(set(keys)) != len(keys):
        return None
    # DuckDB's header row must be this one: a blank line or a BOM-only start before it,
    # or a header spanning lines (a quoted line break), is left to the Python loader
    with open(path, "rb") as handle:
        first = handle.readline().removeprefix(b"\xef\xbb\xbf")
    if first.strip() == b"" or first.count(b'"') % 2:
        return None
    return names
