"""Issue 12 through the command line: deleted and converted records, prospects created
from Salesforce, the sequential cycle, nulls in writes, stage names never null and ASCII
digits — `dry-run`, `run`, `explain`, `diff`, `check` and `fmt` with their exit codes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from engine.cli import main

NOW = ["--now", "2026-11-23T12:00:00Z"]
RULES = """
object prospect {
    email: email  first_name: text(40)  last_name: text(80)  company: text(255)
    job_title: text(128)  score: number  employees: text(20)
}
object lead {
    Email: email  FirstName: text(40)  LastName: text(80) required
    Company: text(255) required  Title: text(128)  NumberOfEmployees: number
    OwnerId: reference(user)
}
object contact { Email: email  FirstName: text(40)  LastName: text(80) required  Title: text(128) }
field email { lead: Email contact: Email }
field first_name { lead: FirstName contact: FirstName }
field last_name { lead: LastName contact: LastName }
field company { lead: Company }
field job_title { lead: Title contact: Title sync: pardot_always }
field employees { lead: NumberOfEmployees sync: pardot }
connector { match: email create_prospects: true }
stage MQL when score >= 100
stage Nurture when not MQL
create lead when Nurture and assigned
duplicate lead by Email
"""
PROSPECTS = """
prospects:
  - {id: p1, email: del@example.com, crm_lead_fid: 00Q1, last_name: D}
  - {id: p2, email: flag@example.com, crm_deleted: True}
  - {id: p3, email: conv@example.com, crm_lead_fid: 00Q3, last_name: C, job_title: ""}
  - {id: p4, email: new@example.com, last_name: N, company: Co, assigned_user: 005A,
     employees: "١٢", job_title: CTO}
  - {id: p5, email: NEW@example.com, last_name: N, company: Co, job_title: CTO}
"""
LEADS = """\
Id,Email,FirstName,LastName,Company,Title,OwnerId,IsDeleted,IsConverted,ConvertedContactId
00Q1,del@example.com,,D,Del Co,,005A,TRUE,false,
00Q3,conv@example.com,,C,Conv Co,,005A,,True,003C
00Q4,new@example.com,,Old,Old Co,,005A,true,,
00Q6,fay@example.com,Fay,F,Fay Co,,005A,,,
"""
CONTACTS = """
contacts:
  - {Id: 003C, Email: conv@example.com, LastName: C, Title: VP}
  - {Id: 003G, Email: gil@example.com, FirstName: Gil, LastName: G}
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.sync").write_text(textwrap.dedent(RULES), encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.yaml").write_text(PROSPECTS, encoding="utf-8")
    (records / "leads.csv").write_text(LEADS, encoding="utf-8")
    (records / "contacts.yaml").write_text(CONTACTS, encoding="utf-8")
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    assert main(list(argv)) == code
    out, err = capsys.readouterr()
    assert err == "" if code == 0 else "Traceback" not in err
    return out if code == 0 else err


def _plan(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(
        _out(capsys, "dry-run", "rules.sync", "--records", "records", *NOW, "--format", "json")
    )
    return plan


def test_dry_run_json(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan(capsys)
    assert plan["summary"] == {
        "prospects": 5,
        "create_lead": 1,
        "update": 2,
        "no_change": 0,
        "skip": 2,
        "error": 0,
        "create_prospect": 2,
    }
    assert plan["records"] == [
        {"prospect": "p1", "action": "skip", "reason": "crm_deleted", "stages": ["Nurture"]},
        {"prospect": "p2", "action": "skip", "reason": "crm_deleted", "stages": ["Nurture"]},
        # follows lead 00Q3's conversion; pardot_always blanks the contact's Title: null
        {
            "prospect": "p3",
            "action": "update",
            "target": {"object": "contact", "id": "003C"},
            "matched_by": "crm_id",
            "stages": ["Nurture"],
            "to_salesforce": {"Title": None},
            "to_pardot": {},
            "dropped": [],
        },
        # the deleted lead 00Q4 with its email neither matches nor blocks as a duplicate;
        # "١٢" is not a number
        {
            "prospect": "p4",
            "action": "create_lead",
            "stages": ["Nurture"],
            "to_salesforce": {
                "Email": "new@example.com",
                "LastName": "N",
                "Company": "Co",
                "Title": "CTO",
                "OwnerId": "005A",
            },
            "to_pardot": {},
            "dropped": [{"field": "NumberOfEmployees", "code": "INVALID_TYPE", "value": "١٢"}],
        },
        # the lead p4 created is seen by p5 (sequential cycle), and its Email wins
        {
            "prospect": "p5",
            "action": "update",
            "target": {"object": "lead", "id": "00QSR0000000001"},
            "matched_by": "email",
            "stages": ["Nurture"],
            "to_salesforce": {},
            "to_pardot": {"email": "new@example.com"},
            "dropped": [],
        },
    ]
    # 003G and 00Q6 have no prospect; 00Q1 and 00Q4 are deleted, 00Q3 converted, 003C
    # matched by p3 and the created lead linked to p4
    assert plan["prospects_from_salesforce"] == [
        {
            "source": {"object": "contact", "id": "003G"},
            "action": "create_prospect",
            "to_pardot": {"email": "gil@example.com", "first_name": "Gil", "last_name": "G"},
            "dropped": [],
        },
        {
            "source": {"object": "lead", "id": "00Q6"},
            "action": "create_prospect",
            "to_pardot": {
                "email": "fay@example.com",
                "first_name": "Fay",
                "last_name": "F",
                "company": "Fay Co",
            },
            "dropped": [],
        },
    ]


def test_dry_run_table_lists_the_new_prospects(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(capsys, "dry-run", "rules.sync", "--records", "records", *NOW)
    assert out.splitlines()[:3] == [
        "5 prospects: 1 create_lead, 2 update, 2 skip",
        "  from Salesforce: 2 create_prospect",
        "  skipped: 2 crm_deleted",
    ]
    assert out.endswith(
        "Prospects from Salesforce: 2 create_prospect\n"
        "  contact 003G -> sf-contact-003G: email, first_name, last_name\n"
        "  lead 00Q6 -> sf-lead-00Q6: email, first_name, last_name, company\n"
    )


def test_run_writes_flags_links_new_prospects_and_the_created_lead(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _out(capsys, "run", "rules.sync", "--records", "records", *NOW, "--out", "out")
    prospects = YAML(typ="safe").load((org / "out" / "prospects.yaml").read_text("utf-8"))
    by_id = {str(p["id"]): p for p in prospects["prospects"]}
    assert (by_id["p1"]["crm_deleted"], by_id["p1"]["crm_lead_fid"]) == (True, "00Q1")
    assert by_id["p2"]["crm_deleted"] is True  # already flagged: written back as read
    assert (by_id["p3"]["crm_lead_fid"], by_id["p3"]["crm_contact_fid"]) == ("00Q3", "003C")
    assert by_id["sf-contact-003G"] == {
        "id": "sf-contact-003G",
        "email": "gil@example.com",
        "first_name": "Gil",
        "last_name": "G",
        "crm_contact_fid": "003G",
        "updated_at": by_id["sf-contact-003G"]["updated_at"],
    }
    assert str(by_id["sf-lead-00Q6"]["updated_at"]) == "2026-11-23 12:00:00+00:00"
    leads = (org / "out" / "leads.csv").read_text("utf-8").splitlines()
    assert leads[0] == (
        "Id,Email,FirstName,LastName,Company,Title,OwnerId,IsDeleted,IsConverted,"
        "ConvertedContactId,LastModifiedDate"
    )
    # deleted and converted: never written (the new LastModifiedDate column stays empty)
    assert leads[1:4] == [row + "," for row in LEADS.splitlines()[1:4]]
    assert leads[-1] == ("00QSR0000000001,new@example.com,,N,Co,CTO,005A,,,,2026-11-23T12:00:00Z")
    # the second cycle: nothing more to do, and no further prospect from Salesforce
    again = json.loads(
        _out(capsys, "dry-run", "rules.sync", "--records", "out", *NOW, "--format", "json")
    )
    assert {r["action"] for r in again["records"]} <= {"no_change", "skip"}
    assert again["summary"]["create_prospect"] == 0


def test_explain_prospect_says_why_crm_deleted_and_conversion(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["explain", "rules.sync", "--records", "records", *NOW]
    p1 = _out(capsys, *base, "--prospect", "p1")
    assert p1.splitlines()[:2] == [
        "prospect p1: skip (crm_deleted)",
        " 1. deleted: crm_lead_fid 00Q1 names lead 00Q1, which is deleted (IsDeleted: true): "
        "the connector marks the prospect crm_deleted and never re-creates or re-matches it",
    ]
    p3 = _out(capsys, *base, "--prospect", "p3")
    assert (
        " 1. match: crm_lead_fid 00Q3 names a converted lead: the prospect follows the "
        "conversion to visible contact 003C (ConvertedContactId); run records it in "
        "crm_contact_fid"
    ) in p3.splitlines()


def test_explain_lead_and_contact(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["explain", "rules.sync", "--records", "records", *NOW]
    assert _out(capsys, *base, "--lead", "00Q4").splitlines()[:2] == [
        "lead 00Q4: no_prospect",
        " 1. deleted: lead 00Q4 is deleted (IsDeleted: true): invisible to every step, so it "
        "never gets a prospect, and prospects linked to it are skipped crm_deleted",
    ]
    converted = _out(capsys, *base, "--lead", "00Q3")
    assert converted.splitlines()[0] == "lead 00Q3: no_prospect"
    assert (
        " 2. converted: lead 00Q3 is converted (IsConverted: true, ConvertedContactId 003C)"
        in converted
    )
    data = json.loads(_out(capsys, *base, "--contact", "003G", "--format", "json"))
    assert (data["contact"], data["verdict"]) == ("003G", "create_prospect")
    assert data["prospect_from_salesforce"]["to_pardot"]["email"] == "gil@example.com"
    assert _out(capsys, *base, "--contact", "003C").splitlines()[0] == "contact 003C: synced"
    err = _out(capsys, *base, "--lead", "00Q9", code=2)
    assert err == (
        "syncrules: no lead with Id '00Q9' in the record set (Ids: 00Q1, 00Q3, 00Q4, 00Q6)\n"
    )


def test_diff_shows_prospects_from_salesforce_that_change(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / "off.sync").write_text(
        textwrap.dedent(RULES).replace("create_prospects: true", "create_prospects: false"),
        encoding="utf-8",
    )
    out = _out(capsys, "diff", "rules.sync", "off.sync", "--records", "records", *NOW)
    assert out == (
        "no prospect changes (5 compared)\n"
        "2 prospects from Salesforce change:\n"
        "  contact 003G: create_prospect  ⇒  absent\n"
        "  lead 00Q6: create_prospect  ⇒  absent\n"
    )
    data = json.loads(
        _out(
            capsys,
            "diff",
            "rules.sync",
            "off.sync",
            "--records",
            "records",
            *NOW,
            "--format",
            "json",
        )
    )
    assert (data["changed"], data["changes"]) == (0, [])
    assert [(c["source"], c["changed"], c["new"]) for c in data["prospects_from_salesforce"]] == [
        ("contact 003G", ["action"], None),
        ("lead 00Q6", ["action"], None),
    ]
    assert data["prospects_from_salesforce"][0]["old"]["to_pardot"]["first_name"] == "Gil"
    # only prospects from Salesforce change: that is a change for --fail-on-change
    assert (
        main(["diff", "rules.sync", "off.sync", "--records", "records", *NOW, "--fail-on-change"])
        == 1
    )


def test_a_bad_state_value_exits_2_naming_file_record_and_field(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / "records" / "leads.csv").write_text(
        LEADS.replace(
            "00Q6,fay@example.com,Fay,F,Fay Co,,005A,,,",
            "00Q6,fay@example.com,Fay,F,Fay Co,,005A,yes,,",
        ),
        encoding="utf-8",
    )
    err = _out(capsys, "dry-run", "rules.sync", "--records", "records", *NOW, code=2)
    assert err == (
        'syncrules: records/leads.csv:5: record 00Q6, field IsDeleted: "yes" is not true '
        "or false (IsDeleted is the connector's deleted flag)\n"
    )


def test_check_and_fmt_know_create_prospects(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (org / "bad.sync").write_text("connector { create_prospects: maybe }\n", encoding="utf-8")
    assert main(["check", "bad.sync"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        'bad.sync:1:31: error SR006 invalid-setting: "create_prospects" must be true or false'
    )
    (org / "order.sync").write_text(
        "connector { create_prospects: false match: crm_id }\n", encoding="utf-8"
    )
    assert main(["fmt", "order.sync"]) == 0
    assert (org / "order.sync").read_text("utf-8") == (
        "connector {\n    match: crm_id\n    create_prospects: false\n}\n"
    )
