"""A round compiled for the tables as they stand (duck.DuckEngine._special): a field that
holds one literal on every record (left out of the export, or empty in every row) is read
as that literal instead of being joined, and a mapping both of whose sides are blank that
way has no fits nor direction computed — the plan stays the reference's, byte for byte,
also when a later round's tables no longer hold the literal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import api
from engine.bulk.duck import DuckEngine, constant_columns, program_for
from engine.bulk.plan_rows import PlanRows
from engine.runtime.context import Clock
from tests.bulk.test_direct_cover import same_plan

CLOCK = Clock(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
RULES = """
object prospect { email: email  name: text(20)  title: text(20)  score: number  optin: boolean }
object lead {
  Email: email  LastName: text(20)  Title: text(20)  Score__c: number  Opt__c: boolean
}
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field title { lead: Title sync: pardot }
field score { lead: Score__c sync: pardot }
field optin { lead: Opt__c sync: pardot }
"""
# no title nor optin column anywhere; score's columns are there, empty in every row
PROSPECTS = "id,email,name,score,crm_lead_fid\np1,a@x.io,Ann,,00Q1\np2,b@x.io,Bo,,\n"
LEADS = "Id,Email,LastName,Score__c\n00Q1,a@x.io,Old,\n"


def write_set(tmp_path: Path, rules: str, prospects: str, leads: str) -> tuple[str, str]:
    (tmp_path / "rules.sync").write_text(rules, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.csv").write_text(prospects, encoding="utf-8")
    (records / "leads.csv").write_text(leads, encoding="utf-8")
    return str(tmp_path / "rules.sync"), str(records)


def test_the_fields_one_literal_on_every_record_are_found(tmp_path: Path) -> None:
    rules_file, records = write_set(tmp_path, RULES, PROSPECTS, LEADS)
    rules = api.check([rules_file])
    rows = DuckEngine(rules).open_direct(records, CLOCK)
    assert isinstance(rows, PlanRows)
    try:
        found = constant_columns(rows.con, program_for(rules))
    finally:
        rows.close()
    assert found == {
        ("prospect", "title"): "''",
        ("prospect", "score"): "CAST(NULL AS VARCHAR)",
        ("prospect", "optin"): "FALSE",
        ("lead", "Title"): "''",
        ("lead", "Score__c"): "CAST(NULL AS VARCHAR)",
        ("lead", "Opt__c"): "FALSE",
    }


def direct_statements(
    tmp_path: Path, rules_text: str, prospects: str, leads: str
) -> tuple[str, str, list[str]]:
    """The set written, and the statements DuckDB's direct path ran over it."""
    rules_file, records = write_set(tmp_path, rules_text, prospects, leads)
    seen: list[str] = []
    rows = DuckEngine(api.check([rules_file]), on_sql=seen.append).open_direct(records, CLOCK)
    assert rows is not None
    rows.close()
    return rules_file, records, seen


def test_a_round_reads_the_literals_and_leaves_out_the_blank_mappings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_file, records, seen = direct_statements(tmp_path, RULES, PROSPECTS, LEADS)
    (statement,) = [s for s in seen if s.startswith("CREATE TABLE __plan_rows")]
    assert "'' AS \"lead.Title\"" in statement
    assert 'ml."Title"' not in statement  # not joined
    # title (mapping 2) and score (3) are blank on both sides: no fit, no direction
    for n in (2, 3):
        assert f'CAST(NULL AS VARCHAR) AS "l{n}.dir"' in statement
        assert f'"l{n}.tc"' not in statement
    # false is not blank: optin's checkbox is still resolved row by row
    assert '"l4.tc"' in statement
    same_plan(rules_file, records, capsys)


# p1 creates a lead in round 1 from its title; p2 (the same email) matches that lead in
# round 2, where the leads' Title is no longer blank on every record
CHAINED = RULES.replace("field title { lead: Title sync: pardot }", "field title { lead: Title }")
CHAINED += "create lead when true\n"
CHAIN = "id,email,name,title,score,crm_lead_fid\np1,c@x.io,Cy,CEO,,\np2,c@x.io,Cy,CTO,,\n"


def test_a_later_round_reads_the_tables_as_the_rounds_before_left_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = "Id,Email,LastName\n00Q9,z@x.io,Zed\n"  # a table with no rows has no literal
    rules_file, records, seen = direct_statements(tmp_path, CHAINED, CHAIN, leads)
    rounds = [s for s in seen if "WHERE b.__round = " in s]
    assert len(rounds) == 2
    assert "'' AS \"lead.Title\"" in rounds[0]
    assert "'' AS \"lead.Title\"" not in rounds[1]
    plan = same_plan(rules_file, records, capsys)
    # round 2 read the created lead's CEO (Salesforce wins), not the blank of round 1
    assert '"title": "CEO"' in plan
