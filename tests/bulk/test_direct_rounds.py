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
CREATING = RULES + "create lead when true\n"


def open_rows(tmp_path: Path, prospect: str, text: str = RULES) -> object:
    (tmp_path / "rules.sync").write_text(text, encoding="utf-8")
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


def test_leads_created_for_unrelated_prospects_with_one_duplicate_key_decline(
    tmp_path: Path,
) -> None:
    # p1 and p3 reach no common record (two components) and create leads named Ann: the
    # rounds cannot order them, so PlanRows._check declines; p2 creates the only Bo
    with pytest.raises(CannotEvaluate, match="share a duplicate key"):
        open_rows(tmp_path, "p1,a@x.io,Ann,\np2,b@x.io,Bo,\np3,c@x.io,Ann,", CREATING)


def test_one_components_prospects_sharing_a_duplicate_key_are_planned(tmp_path: Path) -> None:
    # p1 creates lead Ann, p2 (the same email: the same component, a later round) matches it
    rows = open_rows(tmp_path, "p1,a@x.io,Ann,\np2,a@x.io,Ann,\np3,c@x.io,Cy,", CREATING)
    assert rows is not None
    try:
        actions = [o.action.value for o in rows.plan().outcomes]  # type: ignore[attr-defined]
        assert actions == ["create_lead", "no_change", "create_lead"]
    finally:
        rows.close()  # type: ignore[attr-defined]


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


CHAIN = """
object prospect { email: email  name: text(20)  title: text(20) }
object lead { Email: email  LastName: text(20)  Title: text(20) }
field email { lead: Email sync: pardot }
field name { lead: LastName sync: pardot }
field title { lead: Title sync: pardot }
create lead when true
"""


def test_later_rounds_replace_the_loaders_views(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main

    (tmp_path / "rules.sync").write_text(CHAIN, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    # p2 updates the lead created for p1 (round 2); p4 the lead p3 updated
    (records / "prospects.csv").write_text(
        "id,email,name,crm_lead_fid\np1,a@x.io,Ann,\np2,A@x.io,Bob,\n"
        "p3,b@x.io,Cy,00Q1\np4,b@x.io,Di,\n",
        encoding="utf-8",
    )
    (records / "leads.csv").write_text("Id,Email,LastName\n00Q1,b@x.io,Lo\n", encoding="utf-8")
    rules = api.check([str(tmp_path / "rules.sync")])
    rows = DuckEngine(rules).open_direct(str(records), CLOCK)
    assert rows is not None
    try:
        actions = [o.action.value for o in rows.plan().outcomes]
    finally:
        rows.close()
    assert actions == ["create_lead", "update", "update", "update"]
    args = ["dry-run", str(tmp_path / "rules.sync"), "--records", str(records)]
    args += ["--now", "2026-11-30T12:00:00Z", "--format", "json", "--engine"]
    outputs = []
    for engine in ("python", "duckdb"):
        assert main([*args, engine]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert '"LastName": "Bob"' in outputs[1]  # p2's write reached p1's created lead


LEAN = CHAIN.replace("Title: text(20) }", "Title: text(5) }")


def test_a_lean_cycle_keeps_the_write_lists_of_the_rows_python_builds(tmp_path: Path) -> None:
    (tmp_path / "rules.sync").write_text(LEAN, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    # p1 creates a lead dropping its long title (Python writes that entry); p2 updates
    # that lead in round 2, p3 lead 00Q1 in round 1: both written by SQL
    (records / "prospects.csv").write_text(
        "id,email,name,title,crm_lead_fid\np1,a@x.io,Ann,Director,\np2,A@x.io,Bob,VP,\n"
        "p3,b@x.io,Cy,CEO,00Q1\n",
        encoding="utf-8",
    )
    (records / "leads.csv").write_text("Id,Email,LastName\n00Q1,b@x.io,Lo\n", encoding="utf-8")
    rules = api.check([str(tmp_path / "rules.sync")])
    texts = {}
    for lean in (False, True):
        rows = DuckEngine(rules).open_direct(str(records), CLOCK, lean=lean)
        assert rows is not None
        try:
            texts[lean] = [(t, f) for t, f in rows.entries("jsonl")]
            if lean:
                kept = rows.con.execute(
                    "SELECT __id, __lists, __creates IS NOT NULL, __lead_writes IS NOT NULL "
                    "FROM __plan_rows ORDER BY __rank"
                ).fetchall()
                with pytest.raises(AssertionError, match="lean"):
                    rows.plan()
        finally:
            rows.close()
    ((lean_texts, lean_built),) = texts[True]
    ((full_texts, full_built),) = texts[False]
    assert lean_texts == full_texts
    assert lean_texts[0] is None  # p1's entry is Python's
    assert None not in lean_texts[1:]
    assert list(lean_built) == list(full_built) == [0]
    assert lean_built[0] == full_built[0]
    assert kept == [
        ("p1", True, True, False),
        ("p2", False, False, False),
        ("p3", False, False, False),
    ]
