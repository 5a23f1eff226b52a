"""`dry-run --engine spark` over a CSV or Parquet record-set directory: Spark reads the
files (`spark_load.py`), runs the cycle's rounds as Spark SQL, and hands each round's
plan rows to DuckDB as Arrow, where `plan_rows.PlanRows` finishes them for the renderers
— the JSON plan, JSON Lines, Parquet and the table come out of the same code as on the
DuckDB engine, byte for byte the reference's.

Spark holds the record set (on a cluster, spread over its executors); the driver holds
the plan rows, in a DuckDB bounded like the DuckDB engine's, spilling to disk. A record
set the direct loader declines goes back to the caller (None), whose Python loader words
every error and every reason to decline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlglot

from engine.runtime.context import Clock
from engine.vocabulary import MatchMode

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows
    from engine.bulk.spark import SparkEngine
    from engine.bulk.sql import Program


def open_direct(engine: SparkEngine, root: str, clock: Clock) -> PlanRows | None:
    from engine.bulk import direct, direct_prospects
    from engine.bulk.duck import DuckEngine, created_stamp, direct_rules, program_for
    from engine.bulk.plan_rows import open_rows
    from engine.bulk.spark import spark_name
    from engine.bulk.spark_load import SparkTables
    from engine.bulk.udf import bind_clock

    rules = engine.rules
    if direct.record_files(root) is None:
        return None
    program = program_for(rules)
    if program.reasons or program.hosts or not direct_rules(rules):
        return None  # the Python loader's path says why Spark declines
    bind_clock(program, clock)
    spark = engine.session()
    loaded = direct.load_into(SparkTables(spark), root, rules, program)
    if loaded is None:
        return None

    creating = direct_prospects.creates_prospects(rules)

    def fill(con: Any) -> direct.DirectSet:
        last = max(loaded.last_round, 1)
        targets = _rounds(spark, con, program, rules, last, created_stamp(clock), creating)
        _copy(spark, con, "__components", "SELECT __id, __comp FROM __components")
        _copy(spark, con, "__record_owner", "SELECT obj, id, owner FROM __record_owner")
        if loaded.company:  # contacts' companies from their accounts (direct_company.py)
            _copy(spark, con, "__contact_company", "SELECT id, name, code FROM __contact_company")
        names = ", ".join(spark_name(c.name) for c in program.prospect)
        _copy(
            spark,
            con,
            "prospects",
            f"SELECT __id{', ' if names else ''}{names} FROM prospects",
            ranked=True,
        )
        if creating:
            _candidates(spark, con, rules, program, loaded, targets)
            loaded.created = direct_prospects.plan(con, rules, program, loaded, clock, found=True)
        return loaded

    return open_rows(rules, program, DuckEngine(rules).connect, fill)


def _rounds(
    spark: Any, con: Any, program: Program, rules: Any, count: int, stamp: str, creating: bool
) -> Any:
    """Every round in Spark; its plan rows into DuckDB's `__plan_rows` (the columns the
    DuckDB engine keeps there: duck.DuckEngine.open_direct). A round's query computes
    some 600 columns of which the rows and the next round read a fraction: only those
    are checkpointed; the last round's writes are not applied, as nothing reads them.
    `creating` (prospects from Salesforce): the rows' targets are kept in Spark, where
    the candidates are found (`_candidates`), and returned as one DataFrame."""
    from engine.bulk.direct_prospects import final_email_sql
    from engine.bulk.duck import FETCHED, read_columns
    from engine.bulk.plan_text import MACROS, EntrySql
    from engine.bulk.spark import projected, spark_name, spark_sql

    kept = [*FETCHED, *(f"twins{n}" for n in program.dup_rules)]
    kept += [f"__ndup{n}" for n in program.dup_rules]
    kept += ["__assigned", "__owner"]
    # the entries' texts are computed by DuckDB, as its engine computes them in the round
    # (plan_text's macros), from the round's columns they read, which Spark hands over
    entries = EntrySql(rules, program).columns()
    if creating and rules.connector.match is MatchMode.EMAIL:
        entries.append(f"{final_email_sql(rules, program)} AS __pemail")
    for macro in MACROS:
        con.execute(macro)
    # Spark hands the columns as they are; DuckDB casts them as its engine does
    plain = [sqlglot.parse_one(c, read="duckdb").alias_or_name for c in kept]
    read = [
        column.name
        for text in entries
        for column in sqlglot.parse_one(text, read="duckdb").find_all(sqlglot.exp.Column)
    ]
    plain = list(dict.fromkeys([*plain, *read]))
    fetch = f"SELECT {', '.join(map(spark_name, plain))} FROM cycle_round"
    query = spark_sql(program.round_sql.replace("$round", "__ROUND__"))
    nexts = [(t, spark_sql(s.replace("$created_stamp", stamp))) for t, s in program.next_tables]
    used = " ".join([*kept, *entries, *(select for _, select in program.next_tables)])
    needed: list[str] = []  # named from round 1's analysed query
    targets = None
    for k in range(1, count + 1):
        frame = spark.sql(query.replace("__ROUND__", str(k)))
        needed = needed or read_columns(frame.columns, used)
        projected(frame, needed).localCheckpoint().createOrReplaceTempView("cycle_round")
        if creating:
            these = spark.sql("SELECT __mobj, __mid, __path FROM cycle_round").localCheckpoint()
            targets = these if targets is None else targets.unionAll(these)
        for n, where in enumerate(_chunks(spark)):
            con.register("__arrow", _arrow(spark.sql(f"{fetch} {where}")))
            into = "INSERT INTO __plan_rows " if k > 1 or n else "CREATE TABLE __plan_rows AS "
            con.execute(f"{into}SELECT {', '.join([*kept, *entries])} FROM __arrow")
            con.unregister("__arrow")
        if k == count:
            break
        for table, select in nexts:
            spark.sql(select).localCheckpoint().createOrReplaceTempView(table)
    spark.catalog.dropTempView("cycle_round")
    return targets


def _candidates(
    spark: Any, con: Any, rules: Any, program: Program, loaded: Any, targets: Any
) -> None:
    """SPEC §3.9 on Spark: the records that get a prospect found where Spark holds the
    tables (`__taken`, `program.candidates_sql`), and handed to DuckDB with what
    `direct_prospects.plan` reads of them — `__sf_found`, with match: email their email
    keys (as `contacts` and `leads`), and the cells of those read from a CSV file (the
    unlinked tables; a Parquet file's are read again from the file). Only the candidates
    reach the driver, never a whole table."""
    from engine.bulk.direct_prospects import taken_sql
    from engine.bulk.spark import spark_sql

    targets.createOrReplaceTempView("__targets")
    spark.sql(spark_sql(taken_sql("__targets"))).localCheckpoint().createOrReplaceTempView(
        "__taken"
    )
    found = spark.sql(spark_sql(f"SELECT obj, id, ord FROM ({program.candidates_sql})"))
    found.localCheckpoint().createOrReplaceTempView("__sf_found")
    _copy(spark, con, "__sf_found", "SELECT obj, id, ord FROM __sf_found")
    joined = "JOIN __sf_found f ON f.obj = '{obj}' AND f.id = {column}"
    if rules.connector.match is MatchMode.EMAIL:
        for obj, table in (("contact", "contacts"), ("lead", "leads")):
            on = joined.format(obj=obj, column="x.__id")
            _copy(spark, con, table, f"SELECT x.__id, x.__email FROM {table} x {on}")
    for source in loaded.unlinked:
        if source.table is not None:
            obj = "contact" if source.list_name == "contacts" else "lead"
            on = joined.format(obj=obj, column=f"u.{source.id_column}")
            _copy(spark, con, source.table, f"SELECT u.* FROM {source.table} u {on}")
    for view in ("__targets", "__taken", "__sf_found"):
        spark.catalog.dropTempView(view)


CHUNK = 50_000  # plan rows collected to the driver at a time (each held twice, as Arrow)


def _chunks(spark: Any, table: str = "cycle_round") -> list[str]:
    """WHERE clauses splitting this round's rows into chunks of about CHUNK by rank:
    Spark collects a DataFrame's Arrow batches whole in the driver before Python reads
    them, so a round of a million rows is fetched a part at a time."""
    low, high, rows = spark.sql(
        f"SELECT min(__rank), max(__rank), count(*) FROM {table}"
    ).collect()[0]
    if rows <= CHUNK:
        return [""]
    parts = -(-rows // CHUNK)
    step = -(-(high - low + 1) // parts)
    return [
        f"WHERE __rank >= {start} AND __rank < {start + step}"
        for start in range(low, high + 1, step)
    ]


def _copy(spark: Any, con: Any, name: str, select: str, *, ranked: bool = False) -> None:
    """A Spark table the plan rows read (components, owners, prospects' values) into
    DuckDB; `ranked`: in chunks by `__rank` (one row per prospect)."""
    for n, where in enumerate(_chunks(spark, name) if ranked else [""]):
        con.register("__arrow", _arrow(spark.sql(f"{select} {where}")))
        into = f"INSERT INTO {name} " if n else f"CREATE TABLE {name} AS "
        con.execute(f"{into}SELECT * FROM __arrow")
        con.unregister("__arrow")


def _arrow(frame: Any) -> Any:
    """A DataFrame's rows as an Arrow table on the driver (PySpark 4: toArrow)."""
    to_arrow = getattr(frame, "toArrow", None)
    if to_arrow is not None:
        return to_arrow()
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.Table.from_batches(frame._collect_as_arrow())  # PySpark 3.5


__all__ = ["open_direct"]
