"""Prospects from Salesforce (SPEC §3.9) on the direct path (engine/bulk/direct_prospects.py):
a rule set that creates prospects — the default with `match: crm_id` — is planned by DuckDB
reading the files itself, and `dry-run` in every format, `run` and `diff` give the bytes of
`--engine python`, each checked to be the direct path's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bulk.test_direct_cover import (
    same_diff,
    same_formats,
    same_plan,
    same_run,
    write_set,
)

RULES = """
object prospect { email: email  name: text(20)  title: text(5) }
object lead { Email: email  LastName: text(20) required  Title: text(20) }
object contact { Email: email  LastName: text(20)  Title: text(20) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field title { lead: Title contact: Title sync: salesforce }
share contact when Title != "Secret"
connector { match: crm_id }
create lead when true
"""
PROSPECTS = [
    "id,email,name,title,crm_lead_fid,crm_contact_fid",
    "p1,a@x.io,Ann,,00Q1,",  # linked: its lead gets none
    "p2,b@x.io,Bo,,,0031",  # linked to a contact
    "p3,c@x.io,Cy,,,",  # a lead created for it: no prospect from that lead
    "p4,old@x.io,Ol,,,0039",  # a contact the record set does not hold: taken, nothing made
    "sf-lead-00Q2,q@x.io,Qu,,,",  # holds the id lead 00Q2's prospect would take
]
LEADS = [
    "Id,Email,LastName,Title,IsDeleted,IsConverted,ConvertedContactId",
    "00Q1,a@x.io,Ann,,,,",
    "00Q2,new@x.io,Nu,VeryLongTitle,,,",  # a prospect, its title dropped (too long)
    "00Q3,,NoMail,,,,",  # no email: none
    "00Q4,del@x.io,Del,,true,,",  # deleted: none
    "00Q5,conv@x.io,Conv,,,true,0032",  # converted: none (its contact gets one)
    "00Q6,  Spaced@X.io ,Sp,Dev,,,",  # the email as read, the key folded
]
CONTACTS = [
    "Id,Email,LastName,Title",
    "0031,b@x.io,Bo,CEO",
    "0032,z@x.io,Zed,CTO",  # a prospect, before the leads'
    "0033,h@x.io,Hid,Secret",  # not shared: none
]


def from_salesforce_set(
    tmp_path: Path, rules: str = RULES, parquet: bool = False, **lists: list[str]
) -> tuple[str, str]:
    data = {"prospects": PROSPECTS, "leads": LEADS, "contacts": CONTACTS} | lists
    return write_set(tmp_path, rules, data, parquet=data if parquet else ())


def created(plan_text: str) -> list[tuple[str, str, dict[str, object]]]:
    plan = json.loads(plan_text)
    assert plan["summary"]["create_prospect"] == len(plan["prospects_from_salesforce"])
    return [
        (n["source"]["object"], n["source"]["id"], n["to_pardot"])
        for n in plan["prospects_from_salesforce"]
    ]


def test_the_direct_path_plans_prospects_from_salesforce_in_every_format_as_python_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = from_salesforce_set(tmp_path)
    plan = same_plan(rules, records, capsys)  # asserts the direct path took it
    assert created(plan) == [
        ("contact", "0032", {"email": "z@x.io", "name": "Zed", "title": "CTO"}),
        ("lead", "00Q2", {"email": "new@x.io", "name": "Nu"}),
        ("lead", "00Q6", {"email": "  Spaced@X.io ", "name": "Sp", "title": "Dev"}),
    ]
    entries = json.loads(plan)["prospects_from_salesforce"]
    assert entries[1]["dropped"][0]["code"] == "STRING_TOO_LONG"
    plans = same_formats(rules, records, tmp_path, capsys)
    assert plans["jsonl"].decode().count('"section":"prospects_from_salesforce"') == 3
    assert b"3 create_prospect" in plans["table"]


EMAIL_PROSPECTS = [
    "id,email,name,title,crm_lead_fid,crm_contact_fid",
    "p1,a@x.io,Ann,,,",  # matches lead 00Q1 by email
    "p2,B@x.io,Bo,,,0031",  # linked to 0031, whose email it takes: x@x.io after the cycle
    "p3,Dup@x.io,Du,,,",  # matches lead 00Q4 by email, in another case
    "p4,e@x.io,Ed,,,0034",  # linked to 0034, of its email: lead 00Q7 with it gets none
]
EMAIL_LEADS = [
    "Id,Email,LastName,Title",
    "00Q1,a@x.io,Ann,",
    "00Q2,x@x.io,Ex,",  # the email p2 holds after the cycle: none
    "00Q3,b@x.io,Bee,",  # p2's email as read, which the cycle replaced: a prospect
    "00Q4,dup@X.io,Dupe,",
    "00Q5,w@x.io,Lead W,",  # contact 0033 made w@x.io's prospect first: none
    "00Q7,E@x.io,Lead E,",
]
EMAIL_CONTACTS = [
    "Id,Email,LastName,Title",
    "0031,x@x.io,Bo,",
    "0033,W@x.io,Contact W,",
    "0034,e@x.io,Ed,",
]


def test_with_match_email_a_record_whose_email_a_prospect_has_gets_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read from Parquet: the candidates' cells are read again from the file, typed."""
    rules_text = RULES.replace("match: crm_id", "match: email create_prospects: true")
    rules, records = from_salesforce_set(
        tmp_path,
        rules_text,
        parquet=True,
        prospects=EMAIL_PROSPECTS,
        leads=EMAIL_LEADS,
        contacts=EMAIL_CONTACTS,
    )
    plan = same_plan(rules, records, capsys)
    assert [(obj, i) for obj, i, _ in created(plan)] == [("contact", "0033"), ("lead", "00Q3")]


def test_a_paused_connector_creates_none_on_the_direct_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = from_salesforce_set(
        tmp_path, RULES.replace("match: crm_id", "match: crm_id paused: true")
    )
    assert created(same_plan(rules, records, capsys)) == []


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_run_adds_the_new_prospects_as_python_does(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct: list[bool],
    form: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.bulk import direct_write

    monkeypatch.setattr(direct_write, "CREATED_BATCH", 2)  # their cells in two batches
    rules, records = from_salesforce_set(tmp_path, parquet=form == "parquet")
    written = same_run(rules, records, tmp_path)
    assert direct == [False, True]
    assert capsys.readouterr().out.count("from Salesforce: 3 create_prospect") == 2
    if form == "csv":
        prospects = written["prospects.csv"].decode().splitlines()
        assert prospects[0] == "id,email,name,title,crm_lead_fid,crm_contact_fid,updated_at"
        assert prospects[-3:] == [
            "sf-contact-0032,z@x.io,Zed,CTO,,0032,2026-11-30T12:00:00Z",
            "sf-lead-00Q2-2,new@x.io,Nu,,00Q2,,2026-11-30T12:00:00Z",
            "sf-lead-00Q6,  Spaced@X.io ,Sp,Dev,00Q6,,2026-11-30T12:00:00Z",
        ]


def test_diff_sees_create_prospects_turned_on_as_python_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, records = from_salesforce_set(tmp_path)
    old = tmp_path / "old.sync"
    old.write_text(RULES.replace("match: crm_id", "match: crm_id create_prospects: false"))
    seen, printed = same_diff(str(old), rules, records, capsys, monkeypatch)
    # the direct path compared the rows and the new prospects
    assert [len(after.from_salesforce) for after in seen] == [3]
    changed = json.loads(printed)["prospects_from_salesforce"]
    assert [c["source"] for c in changed] == ["contact 0032", "lead 00Q2", "lead 00Q6"]


@pytest.mark.xdist_group("spark")
def test_spark_plans_them_with_match_email_reading_the_files_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spark's direct path finds the candidates where it holds the tables and hands
    DuckDB only those: the email keys after the cycle's writes (`__pemail`) decide as on
    DuckDB. The Python loader is refused the files, so the plan is Spark's direct path's.
    (With match: crm_id, test_spark_direct.py's export has a lead from a Parquet file and
    a contact from a CSV file get a prospect.)"""
    from tests.bulk.test_spark import READY
    from tests.bulk.test_spark_direct import run

    if not READY:
        pytest.skip("needs pyspark and java")
    rules_text = RULES.replace("match: crm_id", "match: email create_prospects: true")
    rules, records = from_salesforce_set(
        tmp_path, rules_text, prospects=EMAIL_PROSPECTS, leads=EMAIL_LEADS, contacts=EMAIL_CONTACTS
    )
    reference = run(records, rules, "python", "json", capsys)
    assert [(obj, i) for obj, i, _ in created(reference[1])] == [
        ("contact", "0033"),
        ("lead", "00Q3"),
    ]
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")
    assert run(records, rules, "spark", "json", capsys) == reference
