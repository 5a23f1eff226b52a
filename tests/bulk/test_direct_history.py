"""Field history on the direct path (engine/bulk/direct_history.py): a record set with a
`field_history` list is read by DuckDB itself, and each `most_recent` mapping compares the
prospect's time with its field's last change as the reference does (runtime/history.py)
— the same bytes as `--engine python`, checked to be the direct path's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bulk.test_direct_cover import same_plan, same_run, write_set

RULES = """
object prospect { email: email  name: text(20)  score: number  title: text(10) }
object lead { Email: email  LastName: text(20) required  Score__c: number  Title: text(10) }
object contact { Email: email  LastName: text(20)  Title: text(10) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c sync: most_recent }
field title { lead: Title contact: Title sync: most_recent }
connector { match: email create_prospects: false }
create lead when true
"""
PROSPECTS = [
    "id,email,name,score,title,updated_at",
    "p1,a@x.io,Ann,1,Boss,2026-06-01T00:00:00Z",
    "p2,b@x.io,Bo,2,Chief,2026-06-01T00:00:00Z",
    "p3,c@x.io,Cy,3,Head,2026-06-01T00:00:00Z",
    "p4,d@x.io,Di,4,Lead,2026-06-01T00:00:00Z",
    "p5,new@x.io,Nu,6,New,2026-06-01T00:00:00Z",
    "p6,new@x.io,Nu,7,Newer,2026-06-02T00:00:00Z",
]
LEADS = [
    "Id,Email,LastName,Score__c,Title,LastModifiedDate",
    "00Q1,a@x.io,Ann,10,CEO,2026-01-01T00:00:00Z",
    "00Q2,b@x.io,Bo,20,CTO,2026-12-01T00:00:00Z",
    "00Q3,c@x.io,Cy,30,CFO,2026-01-01T00:00:00Z",
]
CONTACTS = ["Id,Email,LastName,Title,LastModifiedDate", "0031,d@x.io,Di,COO,2026-09-01T00:00:00Z"]
# the last change per record and field wins; fields compared case-insensitively; an
# offset read as the reference reads it (05-31 23:59:59 UTC)
HISTORY = [
    "Id,ParentId,Field,CreatedDate",
    "h1,00Q1,Score__c,2026-07-01T00:00:00Z",
    "h2,00Q1,Score__c,2026-03-01T00:00:00.500Z",
    "h3,00Q3,title,2026-08-01T00:00:00.123456Z",
    "h4,0031,Title,2026-06-01T01:59:59+02:00",
]


def history_set(tmp_path: Path, form: str = "csv") -> tuple[str, str]:
    lists = {"prospects": PROSPECTS, "leads": LEADS, "contacts": CONTACTS}
    parquet = lists if form == "parquet" else ()  # the history stays CSV
    return write_set(tmp_path, RULES, {**lists, "field_history": HISTORY}, parquet=parquet)


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_most_recent_compares_the_fields_history_on_the_direct_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    rules, records = history_set(tmp_path, form)
    plan = json.loads(same_plan(rules, records, capsys))
    shown = {e["prospect"]: (e["to_salesforce"], e["to_pardot"]) for e in plan["records"]}
    assert shown == {
        # Score__c changed after the prospect (07-01); Title, tracked, never on 00Q1
        "p1": ({"Title": "Boss"}, {"score": 10}),
        # 00Q2 was modified after the prospect, but never its tracked fields
        "p2": ({"Score__c": 2, "Title": "Chief"}, {}),
        # 00Q3's Title changed after the prospect; Score__c never
        "p3": ({"Score__c": 3}, {"title": "CFO"}),
        # the contact's Title changed a second before the prospect (its record later)
        "p4": ({"Title": "Lead"}, {}),
        # a lead created in the cycle changed at --now, after p6
        "p5": ({"Email": "new@x.io", "LastName": "Nu", "Score__c": 6, "Title": "New"}, {}),
        "p6": ({}, {"score": 6, "title": "New"}),
    }


def test_run_writes_what_the_history_decides_as_python_does(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct: list[bool],
) -> None:
    rules, records = history_set(tmp_path)
    written = same_run(rules, records, tmp_path)
    assert direct == [False, True]
    assert capsys.readouterr().out.count("5 update") == 2
    leads = written["leads.csv"].decode().splitlines()
    assert leads[2] == "00Q2,b@x.io,Bo,2,Chief,2026-12-01T00:00:00Z"
