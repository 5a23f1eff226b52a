"""Parquet files in a record-set directory (SPEC §2): read one list, write it back.

DuckDB reads and writes Parquet; nothing else in `records/` knows the format. Values come
back as Python values — booleans, ints, floats, decimals, dates, date-times (in UTC), text,
lists — so the loader types them by the declarations as it types YAML and JSON values.
The column types are kept, so `run --out` writes each column back with the type it had.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.fieldtypes import api_key
from engine.files import InputError

INSTALL = "pip install duckdb (syncrules lists it as a dependency)"
NULL_TYPE = '"NULL"'  # DuckDB's type of a Parquet column with no type (all null)
INTEGER_TYPES = frozenset(
    f"{u}{t}" for u in ("", "U") for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
)


@dataclass(frozen=True, slots=True)
class Table:
    """One Parquet file as read: column names and types (DuckDB's names), then the rows."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[dict[str, Any]]


def _connect() -> Any:
    try:
        import duckdb
    except ImportError:
        raise InputError(
            f"reading and writing Parquet needs the duckdb package: {INSTALL}"
        ) from None
    con = duckdb.connect(":memory:")
    # UTC date-times and one thread: the same file always reads and writes the same way
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET threads = 1")
    return con


def read_table(path: str) -> Table:
    """A Parquet file's columns and rows; a file DuckDB cannot read is an input error."""
    con = _connect()
    import duckdb  # present: _connect said so

    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
        result = con.execute("SELECT * FROM read_parquet(?)", [path])
        columns = tuple(str(d[0]) for d in result.description)
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    except duckdb.Error as error:
        raise InputError(f"{path}: not a readable Parquet file: {_first_line(error)}") from None
    finally:
        con.close()
    return Table(columns, tuple(str(d[1]) for d in described), rows)


def render_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    types: Sequence[str],
    where: str,
    *,
    salesforce: bool = False,
) -> bytes:
    """A Parquet file of these rows: the columns as read with their types, then new columns
    (typed from their first value). `where` names the file in messages. `salesforce`: a
    key matches its column case-insensitively (SPEC §1), as the CSV writer matches it —
    a created lead's `Email` is written into an `email` column, not beside it. A column
    read with no type (all null: DuckDB's "NULL") is typed from its first value, as a
    new column is, when anything is written into it."""
    names = list(columns)
    fold = api_key if salesforce else str
    by_key = {fold(c): c for c in names}
    kinds = {c: "" if t == NULL_TYPE else t for c, t in zip(columns, types, strict=False)}
    placed = []
    for row in rows:
        out = {}
        for key, value in row.items():
            column = by_key.setdefault(fold(key), key)
            if column not in kinds:
                names.append(column)
                kinds[column] = ""
            if not kinds[column] and value is not None:
                kinds[column] = _type_of(value)
            out[column] = value
        placed.append(out)
    rows = placed
    untyped = {c for c, t in zip(columns, types, strict=False) if t == NULL_TYPE}
    for name in names:
        if not kinds[name] and name in untyped:
            kinds[name] = NULL_TYPE  # nothing written into it: null as it was read
    for name in names:
        # a fraction written into an integer column would be rounded: widen the column
        if kinds[name] in INTEGER_TYPES and any(
            isinstance(v := row.get(name), float | Decimal) and v != int(v) for row in rows
        ):
            kinds[name] = "DOUBLE"
    con = _connect()
    import duckdb  # present: _connect said so

    with tempfile.TemporaryDirectory(prefix="syncrules-parquet-") as folder:
        target = os.path.join(folder, "out.parquet")
        try:
            table = ", ".join(f"{_quote(n)} {kinds[n] or 'VARCHAR'}" for n in names)
            con.execute(f"CREATE TABLE records ({table})")
            if rows and names:
                # one list per column, unnested side by side: a row-by-row executemany
                # takes minutes for a large org, this a few seconds
                columns_in = ", ".join(f"unnest(?::{kinds[n] or 'VARCHAR'}[])" for n in names)
                con.execute(
                    f"INSERT INTO records SELECT {columns_in}",
                    [[row.get(n) for row in rows] for n in names],
                )
            con.execute(f"COPY records TO {_literal(target)} (FORMAT parquet)")
        except duckdb.Error as error:
            raise InputError(f"{where}: cannot write as Parquet: {_first_line(error)}") from None
        finally:
            con.close()
        with open(target, "rb") as handle:
            return handle.read()


def _type_of(value: Any) -> str:
    """The column type a new column gets from its first non-null value."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float | Decimal):
        return "DOUBLE"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP WITH TIME ZONE"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, list | tuple):
        return "VARCHAR[]"
    return "VARCHAR"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
