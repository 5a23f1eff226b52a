"""Spark reads the record files itself: the direct loader (`direct.py`) on Spark.

`direct._Loader` builds the tables the compiled cycle runs on with DuckDB SQL: vectorised
checks that every value is one SQL types exactly as the Python loader would, then the
typed tables. `SparkTables` runs the same statements as Spark SQL (re-emitted by sqlglot,
as the cycle is: `spark.spark_sql`), each table a checkpointed temporary view, so one set
of checks serves both engines and a record set too big for one machine's Python loader
reaches Spark. Spark reads the files (`spark.read.csv`, every column as text;
`spark.read.parquet`), so their paths must be readable by every executor
(docs/engines.md, running on a Spark cluster).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from engine.bulk.direct import _Decline

# Spark's types as DuckDB names them: direct._Loader._parquet decides by these names
_PARQUET_TYPES = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
}
CORRUPT = "__corrupt"  # a CSV row of another column count, as Spark's parser saw it
REPLACED = "\ufffd"  # what Spark reads an invalid UTF-8 sequence as


def loader_sql(statement: str) -> str:
    """One of the loader's DuckDB statements in Spark's dialect. What sqlglot leaves as
    DuckDB's: `regexp_full_match` (Spark's RLIKE finds a match anywhere, and Java's `$`
    also matches before a final line break, so the pattern is anchored with `^` and `\\z`)
    and `epoch_us` (Spark's unix_micros, as a double so that `/ 1e6` is DuckDB's)."""

    def spark_only(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.RegexpFullMatch):
            pattern = node.expression
            assert isinstance(pattern, exp.Literal)
            assert pattern.is_string  # the loader's patterns are literals
            anchored = exp.Literal.string(f"^(?:{pattern.this})\\z")
            return exp.RegexpLike(this=node.this, expression=anchored)
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "epoch_us":
            micros = exp.Anonymous(this="UNIX_MICROS", expressions=node.expressions)
            return exp.Cast(this=micros, to=exp.DataType.build("DOUBLE"))
        return node

    tree = sqlglot.parse_one(statement, read="duckdb").transform(spark_only)
    return tree.sql(dialect="spark")


@dataclass(slots=True)
class SparkTables:
    """The loader's tables as temporary views of one Spark session, each checkpointed
    (computed once, its lineage cut) as it is made."""

    spark: Any
    order: str = "__row"
    order_column: str | None = "monotonically_increasing_id() AS __row"
    dense: bool = False  # increasing, with gaps between partitions
    errors: tuple[type[BaseException], ...] = ()
    _sources: int = 0
    _frames: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from py4j.protocol import Py4JError  # type: ignore[import-untyped]
        from pyspark.errors import PySparkException

        self.errors = (PySparkException, Py4JError)

    def sql(self, statement: str) -> Any:
        return self.spark.sql(loader_sql(statement))

    def create(self, name: str, select: str) -> None:
        frame = self.sql(select).localCheckpoint()
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self._frames.pop(name, None)

    def view(self, name: str, select: str) -> None:
        frame = self.sql(select)  # not checkpointed: a projection of a checkpointed table
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def rows(self, select: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.sql(select).collect()]

    def insert(self, name: str, columns: tuple[str, ...], rows: Any) -> None:
        from pyspark.sql import types as t

        schema = t.StructType([t.StructField(c, t.StringType(), True) for c in columns])
        frame = self.spark.createDataFrame(list(rows), schema)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def csv_source(self, path: str, count: int) -> str:
        """The CSV as Spark's parser reads it (quoted line breaks included: one task per
        file), declined when a row has another number of cells or the text is not UTF-8
        — DuckDB's read_csv refuses both, and the Python loader words them."""
        from pyspark.sql import types as t

        columns = [f"c{n}" for n in range(count)]
        schema = t.StructType([t.StructField(c, t.StringType(), True) for c in (*columns, CORRUPT)])
        frame = self.spark.read.csv(
            path,
            schema=schema,
            header=True,
            sep=",",
            quote='"',
            escape='"',
            multiLine=True,
            mode="PERMISSIVE",
            columnNameOfCorruptRecord=CORRUPT,
            encoding="UTF-8",
            ignoreLeadingWhiteSpace=False,
            ignoreTrailingWhiteSpace=False,
        )
        name = self._source(frame)
        # every cell named: Spark parses a row whole only when all its columns are read
        replaced = " OR ".join(f"contains({c}, '{REPLACED}')" for c in columns)
        bad = self.spark.sql(
            f"SELECT count(*) FROM {name} WHERE {CORRUPT} IS NOT NULL OR {replaced}"
        ).collect()[0][0]
        if bad:
            raise _Decline
        return name

    def parquet_source(self, path: str) -> tuple[str, list[tuple[str, str]]]:
        frame = self.spark.read.parquet(path)
        described = [
            (f.name, _PARQUET_TYPES.get(f.dataType.simpleString(), f.dataType.simpleString()))
            for f in frame.schema.fields
        ]
        return self._source(frame), described

    def _source(self, frame: Any) -> str:
        self._sources += 1
        name = f"__file{self._sources}"
        frame.createOrReplaceTempView(name)
        return name

    def frame(self, name: str) -> Any:
        """A table made here, as a DataFrame."""
        return self._frames[name]


__all__ = ["SparkTables", "loader_sql"]
