"""The direct path's round (duck.DuckEngine.open_direct): the rows PlanRows hands to
duck.check_round are found from the round's own columns (plan_rows.suspect_sql), so a
write that changes a record's email key or a duplicate rule's field still sends the cycle
back to the Python loader's path, which words it; and the loader's tables keep a field the
file lacks as a constant in a view over the stored columns (direct._Loader._store)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import api
from engine.bulk.duck import DuckEngine
from engine.bulk.sql import CannotEvaluate
from engine.runtime.context import Clock

CLOCK = Clock(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
RULES = """
object prospect { email: email  name: text(20)  title: text(20) }
object lead { Email: email  LastName: text(20)  Title: text(20) }
field email { lead: Email sync: pardot }
field name { lead: LastName sync: pardot }
field title { lead: Title sync: pardot }
duplicate lead by LastName
"""
PROSPECTS = "id,email,name,crm_lead_fid\n"
LEADS = "Id,Email,LastName\n00Q1,old@x.io,Lo\n"


def open_rows(tmp_path: Path, prospect: str) -> object:
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.csv").write_text(PROSPECTS + prospect + "\n", encoding="utf-8")
    (records / "leads.csv").write_text(LEADS, encoding="utf-8")
    rules = api.check([str(tmp_path / "rules.sync")])
    return DuckEngine(rules).open_direct(str(records), CLOCK)


def test_a_write_changing_a_leads_email_key_declines(tmp_path: Path) -> None:
    with pytest.raises(CannotEvaluate, match="a write changes lead 00Q1's email key"):
        open_rows(tmp_path, "p1,new@x.io,Lo,00Q1")


def test_a_write_to_a_duplicate_rules_field_declines(tmp_path: Path) -> None:
    with pytest.raises(CannotEvaluate, match="a write to lead LastName, a duplicate rule's"):
        open_rows(tmp_path, "p1,old@x.io,Other,00Q1")


def test_a_match_writing_neither_is_planned(tmp_path: Path) -> None:
    rows = open_rows(tmp_path, "p1, OLD@x.io,Lo,00Q1")  # another spelling, the same email
    assert rows is not None
    try:
        (outcome,) = rows.plan().outcomes  # type: ignore[attr-defined]
        assert outcome.action.value == "no_change"
        assert rows.con.execute(  # type: ignore[attr-defined]
            "SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND view_name IN ('contacts', 'leads', 'prospects') ORDER BY 1"
        ).fetchall() == [("contacts",), ("leads",), ("prospects",)]
        # Title is in neither file: the view gives its blank, the stored table lacks it
        assert rows.con.execute(  # type: ignore[attr-defined]
            "SELECT Title, __id FROM leads"
        ).fetchall() == [("", "00Q1")]
        stored = rows.con.execute(  # type: ignore[attr-defined]
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'leads__stored'"
        ).fetchall()
        assert ("Title",) not in stored
        assert ("LastName",) in stored
    finally:
        rows.close()  # type: ignore[attr-defined]
