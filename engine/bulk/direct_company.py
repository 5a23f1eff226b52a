"""A contact's Company from its Account on the direct path (issue 10; docs/design.md,
"Company from the Account"; the rule itself is `runtime/company.py`).

The reference resolves it in `cycle.update`, after the mapped fields and before the
checks: a prospect synced with a contact whose account (its `AccountId`, stripped) has a
non-blank Name (person accounts never) gets that Name in the field of the mapping with
lead `Company` and no contact field — dropped when it does not fit the field, written
to Account Engagement (last in `to_pardot`, making the action `update`) when it fits and
the prospect does not already hold it.

On the direct path no contact becomes a Python `Record`, so the decision is made here
as the tables are built and the plan rows are finished:

- `load`: the accounts (read by the Python loader with the other small lists, as
  `Accounts.of` reads them: first Id wins, person accounts and blank Names left out)
  go into the engine as one table, with each Name's fit decided by the reference's own
  `fit` once per account; joined to the contacts by their `AccountId` cell into
  `__contact_company` (contact Id → Name, drop code). DuckDB takes the accounts as an
  Arrow table, not row by row.
- `rows`: the plan rows with the company decided per contact row — the write when
  the Name fits and differs from the prospect's value, the drop code when it does not
  fit — joined in, and the three columns the entries are written from (`__writes_any`,
  `__drops`, `__pd_items`: plan_text.EntrySql.columns) extended by it.
- `row_company`: the same decision as `account_company` gives it, from a row, for the
  `Outcome`s Python builds (`duck._outcome`: dropped values, errors, `run`, the table).

Exactness: `same` of two values of one field type is string equality when the type's
SQL class is text or grade (the Name fits, so it is its own fitted value, and a loaded
value that differs from it never fits into it); a company field of another type, a
second mapping writing the same prospect field from contacts (the dict's order is
Python's), a Parquet boolean `AccountId`, and an `AccountId` outside printable ASCII
(SQL's trim is `str.strip` only there) step aside to the Python loader's path.
"""

from __future__ import annotations

import json
from typing import Any

from engine.bulk.direct import TRIM, Tables, _Decline, _Raw
from engine.bulk.plan_text import ITEM_END, KEY_END, value_sql
from engine.bulk.sql import Cls, cls_of, lit, q
from engine.check.model import CheckedRules
from engine.plan import DropCode, Dropped
from engine.records.model import RecordSet, Value
from engine.runtime.company import Accounts, company_mapping
from engine.runtime.fit import fit

TABLE = "__contact_company"  # contact Id → its account's Name, and the fit's drop code
_ACCOUNTS = "__accounts"


def load(
    tables: Tables, rules: CheckedRules, small: RecordSet, contacts: _Raw, contact_id: str
) -> bool:
    """`__contact_company` from the accounts list and the contacts' `AccountId` cells
    (`contacts`: the raw table; `contact_id`: its Id column). False when no contact's
    company can come from an account (no mapping carries Company, no named account, no
    `AccountId` column): nothing is built. _Decline where the SQL would not be exact."""
    mapping = company_mapping(rules)
    if mapping is None:
        return False
    named = [(i, n) for i, n in Accounts.of(small).names.items() if n]
    model = rules.object("contact")
    account = contacts.find(model, "AccountId")
    if not named or account is None:
        return False
    field = mapping.prospect
    if cls_of(field.type) not in (Cls.TEXT, Cls.GRADE):
        raise _Decline  # `same` is more than string equality (a number's 1.0 and 1)
    others = (m for m in rules.mappings if m is not mapping and m.sync.value != "off")
    if any(m.prospect.name == field.name and m.target("contact") for m in others):
        raise _Decline  # two writes of one key: the dict's order is Python's
    declared = model.get("AccountId")
    if declared is not None and cls_of(declared.type) is not Cls.TEXT:
        raise _Decline  # to_text of a typed value
    if account in contacts.booleans:
        raise _Decline  # the loader reads a Parquet boolean as True, not as text
    # a file of printable ASCII needs no look at its cells (direct.file_bytes)
    test = " OR ".join(contacts.unprintable(account))
    if test and tables.rows(f"SELECT count(*) FROM {contacts.table} WHERE {test}")[0][0]:
        raise _Decline  # str.strip() strips more than SQL's trim beyond printable ASCII
    rows = []
    for account_id, name in named:
        _, code = fit(name, field.type)
        rows.append((account_id, name, None if code is None else code.value))
    _accounts(tables, rows)
    tables.create(
        TABLE,
        f"SELECT c.{contact_id} AS id, a.name AS name, a.code AS code "
        f"FROM {contacts.table} c JOIN {_ACCOUNTS} a ON a.id = trim(c.{account}, {TRIM})",
    )
    tables.drop(_ACCOUNTS)
    return True


def _accounts(tables: Tables, rows: list[tuple[str, str, str | None]]) -> None:
    """The accounts table (id, name, code)."""
    tables.insert(_ACCOUNTS, ("id", "name", "code"), rows)


def rows(con: Any, rules: CheckedRules) -> str:
    """The plan rows as `PlanRows` reads them: `__plan_rows` with each contact row's
    company decided (`__co_name`, `__co_code`, `__co_write`: NULL where none) and the
    entries' columns extended by it — the write appended last to the prospect side's
    members, the drop making the entry Python's (it lists the Name: `row_company`). The
    decisions are one table (`__co`, the rows with an account's Name), made here once;
    the text returned reads it beside every row."""
    mapping = company_mapping(rules)
    assert mapping is not None
    column = q(mapping.prospect.name)
    con.execute(
        "CREATE TABLE __co AS SELECT x.__rank, cc.name AS __co_name, cc.code AS __co_code, "
        f"(cc.code IS NULL AND p.{column} IS DISTINCT FROM cc.name) AS __co_write "
        f"FROM __plan_rows x JOIN {TABLE} cc ON cc.id = x.__mid "
        "JOIN prospects p ON p.__id = x.__id "
        "WHERE x.__path = 'update' AND x.__mobj = 'contact'"
    )
    member = (
        f"{lit(json.dumps(mapping.prospect.name, ensure_ascii=False))} || {KEY_END} || "
        f"{value_sql('k.__co_name', Cls.TEXT)}"
    )
    write = "COALESCE(k.__co_write, FALSE)"
    return (
        "(SELECT r.* REPLACE ("
        f"(r.__writes_any OR {write}) AS __writes_any, "
        "(r.__drops OR k.__co_code IS NOT NULL) AS __drops, "
        f"(CASE WHEN NOT {write} THEN r.__pd_items WHEN r.__pd_items = '' THEN {member} "
        f"ELSE r.__pd_items || {ITEM_END} || {member} END) AS __pd_items), "
        "k.__co_name, k.__co_code, k.__co_write "
        "FROM __plan_rows r LEFT JOIN __co k ON k.__rank = r.__rank)"
    )


def row_company(
    rules: CheckedRules, row: dict[str, Any]
) -> tuple[str, Value, Dropped | None, str] | None:
    """`account_company`'s answer for a plan row `rows` decided (explain's line
    empty: a plan explains nothing); None when the row has no account's Name."""
    name = row.get("__co_name")
    mapping = company_mapping(rules)
    if name is None or mapping is None:
        return None
    field = mapping.prospect.name
    code = row["__co_code"]
    if code is not None:
        return field, None, Dropped(field, DropCode(code), name), ""
    return field, name if row["__co_write"] else None, None, ""


__all__ = ["TABLE", "load", "row_company", "rows"]
