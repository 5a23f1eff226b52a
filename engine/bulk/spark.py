"""The Spark engine: the compiled cycle (`sql.py`) re-emitted as Spark SQL by sqlglot and
run through PySpark (`--spark-master URL`, default `local[*]`), in the same rounds as the
DuckDB engine (`duck.py` says why rounds give SPEC §3's sequential semantics).

`plan` runs on a record set the Python loader loaded, handed to Spark as DataFrames;
`open_direct` has Spark read a CSV or Parquet record-set directory itself
(`spark_load.py`, `spark_direct.py`), for record sets past what the Python loader holds.

Installed with `pip install 'syncrules[spark]'` plus a Java runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot

from engine.bulk.direct_prospects import creates_prospects
from engine.bulk.duck import (
    BOOLEAN_COLUMNS,
    FETCHED,
    assemble,
    check_round,
    created_stamp,
    prepare,
    read_columns,
    taken_table,
    with_new_prospects,
)
from engine.bulk.sql import CannotEvaluate, Cls, Program
from engine.bulk.udf import bind_clock
from engine.check.model import CheckedRules
from engine.plan import Plan
from engine.records.model import RecordSet
from engine.runtime.context import Clock

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows


# the driver's logging configuration, shipped with the package (pyproject's package-data)
LOG4J2 = Path(__file__).with_name("spark-log4j2.properties").as_uri()


def spark_sql(statement: str) -> str:
    """One statement of the program in Spark's dialect."""
    return sqlglot.transpile(statement, read="duckdb", write="spark")[0]


def projected(frame: Any, names: list[str]) -> Any:
    """The DataFrame's columns `names`, selected on the analysed query (not re-parsed
    around its SQL text, which would analyse the round's hundreds of columns again)."""
    return frame.select(*(frame[spark_name(n)] for n in names))


def spark_name(name: str) -> str:
    """A column name quoted for Spark SQL."""
    return "`" + name.replace("`", "``") + "`"


@dataclass(slots=True)
class SparkEngine:
    rules: CheckedRules
    master: str = "local[*]"

    def session(self) -> Any:
        """The Spark session the cycle runs in (one per process: Spark's own rule)."""
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master(self.master)
            .appName("syncrules")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # Catalyst infers filters from the constraints of every column of a plan: on
            # the round's ~800 columns that was a quarter of the optimiser's time (28 of
            # 117 s of rule time on the acme sample), for no filter a round can use
            .config("spark.sql.constraintPropagation.enabled", "false")
            # errors only, from the JVM's start: log4j's start-up lines and warnings
            # never reach the command's stderr (setLogLevel below comes too late for them)
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG4J2}")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        return spark

    def open_direct(self, root: str, clock: Clock) -> PlanRows | None:
        """The plan with Spark reading the record files under `root` itself
        (`spark_direct.py`), left as rows in DuckDB for the renderers (`PlanRows`, which
        the caller closes); None when that path does not cover this rule set or record
        set — then the Python loader's path words every error and reason to decline."""
        from engine.bulk.spark_direct import open_direct

        return open_direct(self, root, clock)

    def plan(self, records: RecordSet, clock: Clock) -> Plan:
        program, loaded, component, last_round = prepare(self.rules, records)
        if program.hosts:  # Spark has no Python UDF of the reference (udf.py)
            raise CannotEvaluate([host.reason for host in program.hosts])
        bind_clock(program, clock)
        spark = self.session()
        for name, data in loaded.tables.items():
            frame = spark.createDataFrame(_rows(data), _schema(name, data, program))
            frame.createOrReplaceTempView(name)
        rows: list[dict[str, Any]] = []
        query = spark_sql(program.round_sql.replace("$round", "__ROUND__"))
        wanted = [*FETCHED, *(f"twins{n}" for n in program.dup_rules)]
        wanted += [f"__ndup{n}" for n in program.dup_rules]
        fetch = spark_sql(f"SELECT {', '.join(wanted)} FROM cycle_round")
        stamp = created_stamp(clock)
        nexts = [
            (table, spark_sql(select.replace("$created_stamp", stamp)))
            for table, select in program.next_tables
        ]
        # only the columns the rows and the next round read are checkpointed (some 230 of
        # 800 on the benchmark org's rules): named from round 1's analysed query
        used = " ".join([fetch, *(select for _, select in nexts)])
        kept: list[str] = []
        for k in range(1, last_round + 1):
            frame = spark.sql(query.replace("__ROUND__", str(k)))
            kept = kept or read_columns(frame.columns, used)
            projected(frame, kept).localCheckpoint().createOrReplaceTempView("cycle_round")
            batch = [_plain(r.asDict()) for r in spark.sql(fetch).collect()]
            check_round(self.rules, program, batch)
            rows.extend(batch)
            for table, select in nexts:
                spark.sql(select).localCheckpoint().createOrReplaceTempView(table)
        plan = assemble(self.rules, program, records, rows, component)
        if not creates_prospects(self.rules):
            return plan
        taken = taken_table(records, plan)
        frame = spark.createDataFrame(_rows(taken), _schema("__taken", taken, program))
        frame.createOrReplaceTempView("__taken")
        query = spark_sql(f"SELECT obj, id, ord FROM ({program.candidates_sql}) AS c")
        found = [(r["obj"], r["id"], r["ord"]) for r in spark.sql(query).collect()]
        return with_new_prospects(self.rules, records, plan, found, clock)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Spark's Rows as the dicts the assembly reads (structs inside lists included)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, list):
            value = [v.asDict() if hasattr(v, "asDict") else v for v in value]
        out[key] = value
    return out


def _rows(data: dict[str, list[Any]]) -> list[tuple[Any, ...]]:
    return list(zip(*data.values(), strict=True)) if data else []


def _schema(name: str, data: dict[str, list[Any]], program: Program) -> Any:
    from pyspark.sql import types as t

    obj = {"prospects": "prospect", "leads": "lead", "contacts": "contact"}.get(name)
    cls = {c.name: c.cls for c in program.columns(obj)} if obj else {}
    fields = []
    for key in data:
        kind: Any
        if key in ("__ord", "__rank", "__round"):
            kind = t.LongType()
        elif key == "__stamp" or key.startswith("__hs"):
            kind = t.DoubleType()
        elif key in BOOLEAN_COLUMNS or cls.get(key) is Cls.BOOL:
            kind = t.BooleanType()
        else:
            kind = t.StringType()
        fields.append(t.StructField(key, kind, True))
    return t.StructType(fields)
