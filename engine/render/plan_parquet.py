"""`dry-run --format parquet --output FILE`: one row per prospect of the plan, and one per
lead or contact that gets a prospect (SPEC §3.9), for data pipelines (docs/plan-formats.md).

Columns are typed where the plan's field is (text, a list of stage names); the field
values a row writes or drops hold values of any type, so those columns hold the JSON
plan's objects as JSON text. The Personalization, User Sync and campaign sections are not
rows of prospects: `--format json` or `jsonl` carries them. Rows go to the file in
batches, so a plan of a million prospects never becomes one table in memory.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from engine.files import InputError
from engine.plan import CREATE_PROSPECT, NewProspect, Outcome, Plan
from engine.render import plan_json

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows

BATCH = 65_536  # rows per row group
TEXT_COLUMNS = (
    "prospect",
    "action",
    "reason",
    "target_object",
    "target_id",
    "matched_by",
    "error_code",
    "error_rule",
    "error_message",
)
JSON_COLUMNS = ("to_salesforce", "to_pardot", "dropped", "errors", "formula_errors")
INSTALL = "--format parquet needs pyarrow: pip install pyarrow (or pip install syncrules again)"

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _row(o: Outcome) -> dict[str, Any]:
    entry = plan_json.outcome(o)
    target = entry.get("target") or {}
    return {
        "prospect": o.prospect,
        "action": entry["action"],
        "reason": entry.get("reason"),
        "target_object": target.get("object"),
        "target_id": target.get("id"),
        "matched_by": entry.get("matched_by"),
        "error_code": entry.get("error_code"),
        "error_rule": entry.get("rule"),
        "error_message": entry.get("message"),
        "stages": entry["stages"],
        **{name: _json(entry[name]) if name in entry else None for name in JSON_COLUMNS},
        "business_unit": o.business_unit,  # a column only with units (`_schema`)
    }


def _rows(plan: Plan) -> Iterator[dict[str, Any]]:
    yield from map(_row, plan.outcomes)
    yield from _created_rows(plan.from_salesforce)


def _created_rows(created: Iterable[NewProspect]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in created:
        entry = plan_json.new_prospect(n)
        rows.append(
            {
                "prospect": None,
                "action": CREATE_PROSPECT,
                "target_object": n.source.object,
                "target_id": n.source.id,
                "stages": [],
                "to_pardot": _json(entry["to_pardot"]),
                "dropped": _json(entry["dropped"]),
                "business_unit": n.business_unit,
            }
        )
    return rows


def _schema(units: bool = False) -> tuple[Any, Any, Any]:
    """pyarrow, pyarrow.parquet and the file's schema."""
    try:  # by name: pyarrow has no type stubs, and only this format needs it
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise InputError(INSTALL) from None
    text = pa.string()
    schema = pa.schema(
        [(name, text) for name in TEXT_COLUMNS]
        + [("stages", pa.list_(text))]
        + [(name, text) for name in JSON_COLUMNS]
        # a last column only when the rules declare business units (docs/plan-formats.md)
        + ([("business_unit", text)] if units else [])
    )
    return pa, pq, schema


def write(plan: Plan, path: str) -> None:
    """The rows to the Parquet file at `path` (the caller makes the write atomic)."""
    pa, pq, schema = _schema(bool(plan.business_units))
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in _rows(plan):
            batch.append(row)
            if len(batch) == BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema))
                batch = []
        if batch or not plan.outcomes:
            writer.write_table(pa.Table.from_pylist(batch, schema))


def write_rows(rows: PlanRows, path: str) -> None:
    """`write` of a direct-path plan left as rows in DuckDB (bulk/plan_rows.py): the
    columns as SQL made them, the few rows it leaves to Python from their Outcome, in
    row groups of BATCH rows as `write` makes them."""
    pa, pq, schema = _schema()
    names = schema.names
    pending: list[Any] = []
    held = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch, fallback in rows.columns():
            table = pa.Table.from_batches([batch]).drop_columns(["__rank", "__py"])
            table = table.rename_columns(names).cast(schema)
            if fallback:
                listed = table.to_pylist()
                for i, o in fallback.items():
                    listed[i] = _row(o)
                table = pa.Table.from_pylist(listed, schema)
            pending.append(table)
            held += table.num_rows
            while held >= BATCH:
                whole = pa.concat_tables(pending)
                writer.write_table(whole.slice(0, BATCH))
                pending, held = [whole.slice(BATCH)], held - BATCH
        created = _created_rows(rows.from_salesforce)
        if created:  # after the records, in the row groups `write` makes of both
            pending.append(pa.Table.from_pylist(created, schema))
            held += len(created)
            while held >= BATCH:
                whole = pa.concat_tables(pending)
                writer.write_table(whole.slice(0, BATCH))
                pending, held = [whole.slice(BATCH)], held - BATCH
        if held or not rows.counts()["prospects"]:
            writer.write_table(pa.concat_tables(pending) if pending else schema.empty_table())
