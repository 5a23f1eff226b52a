"""Field history on the direct path (issue 10; docs/design.md, "Field history"; the rule
itself is `runtime/history.py`).

A `most_recent` mapping compares the prospect's `updated_at` with the time its Salesforce
field last changed where the record set's `field_history` list tracks that field, else
with the record's `LastModifiedDate`. The compiled cycle reads that time from each
record's `__hs{n}` column (one per `most_recent` mapping n: sql.Program.history), which
the engine built from Records fills from `FieldHistory.stamp` (`duck.load_tables`).

Here the list is read by the Python loader with the other small lists, and the
reference's own `FieldHistory.of` decides each (record, field)'s last change; those go
into the engine as one table (`__history`: record Id, field folded, the time as the
epoch seconds the tables hold), and each tracked mapping's `__hs{n}` is joined from it
as the records' table is built — NULL where the record has no entry (it never changed
the field since tracking began), the record's own stamp for a field with no history.
Leads the cycle creates take the cycle's time, as the compiled cycle already gives them.
"""

from __future__ import annotations

from engine.bulk.direct import Tables
from engine.bulk.sql import Program, lit
from engine.records.model import RecordSet
from engine.runtime.history import FieldHistory

TABLE = "__history"


def load(tables: Tables, small: RecordSet) -> FieldHistory | None:
    """`__history` from the `field_history` list; None when it tracks no field."""
    history = FieldHistory.of(small)
    if not history.tracked:
        return None
    # a float's repr reads back as the same double: the SQL's CAST gives the stamp exactly
    rows = [(i, f, repr(when.timestamp())) for (i, f), when in sorted(history.changed.items())]
    tables.insert(TABLE, ("id", "f", "stamp"), rows)
    return history


def stamps(
    program: Program,
    history: FieldHistory | None,
    obj: str,
    table: str,
    id_column: str,
    stamp: str,
) -> tuple[list[tuple[str, str, bool]], str]:
    """Each `most_recent` mapping's `__hs{n}` of `obj` as the records' table is built
    (direct._Loader._store's items: SQL, column, constant) and the joins they read:
    `stamp` (the record's LastModifiedDate) for a field the history does not track."""
    maps = dict(program.lead_maps if obj == "lead" else program.contact_maps)
    items: list[tuple[str, str, bool]] = []
    joins = ""
    for n in program.history(obj):
        target = maps[n].target(obj)
        assert target is not None
        folded = target.name.casefold()
        if history is None or folded not in history.tracked:
            items.append((stamp, f"__hs{n}", False))
            continue
        alias = f"__h{n}"
        items.append((f"CAST({alias}.stamp AS DOUBLE)", f"__hs{n}", False))
        joins += (
            f" LEFT JOIN {TABLE} {alias} ON {alias}.id = {table}.{id_column} "
            f"AND {alias}.f = {lit(folded)}"
        )
    return items, joins


__all__ = ["TABLE", "load", "stamps"]
