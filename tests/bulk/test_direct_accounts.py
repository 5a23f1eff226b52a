"""Company from the Account on the direct path (engine/bulk/direct_company.py): an export
with `accounts` and a mapping that carries lead `Company` is read by DuckDB itself, and
each contact's Account Name reaches its prospect's company as the reference decides it
(runtime/company.py, cycle.update) — the same bytes as `--engine python` from `dry-run`
in every format, `run` and `diff`, each checked to be the direct path's."""

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
from tests.bulk.test_direct_load import dry_run, took_direct_path

RULES = """
object prospect { email: email  name: text(20)  title: text(10)  company: text(6) }
object lead { Email: email  LastName: text(20) required  Company: text(20) }
object contact { Email: email  LastName: text(20)  Title: text(10)  AccountId: reference(account) }
object account { Name: text(20) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field title { contact: Title sync: salesforce }
field company { lead: Company sync: pardot }
validation Long on contact { error_if: LEN(LastName) > 5 message: "too long" }
connector { match: email create_prospects: false }
create lead when true
"""
PROSPECTS = [
    "id,email,name,title,company",
    "p1,a@x.io,Ann,,Beta",  # fits and differs: written, after the contact's title
    "p2,b@x.io,Bo,,Acme",  # fits and is the same: no change
    "p3,c@x.io,Cy,,",  # a blank company: written (the contact's AccountId has spaces)
    "p4,d@x.io,Di,,Foo",  # Business does not fit text(6): dropped, no change
    "p5,e@x.io,Xavier,,Foo",  # a refused update still lists the dropped Name
    "p6,f@x.io,Fi,,Zed",  # a contact with no AccountId
    "p7,g@x.io,Gi,,Zed",  # a person account's Name is never the company
    "p8,h@x.io,Hi,,Zed",  # an account with a blank Name
    "p9,i@x.io,Io,,Zed",  # an AccountId no account has
    "pa,new@x.io,Nu,,Zed",  # a created lead: the company is the prospect's own
    "pb,a@x.io,Al,,Acme",  # p1's contact again, in the next round: already Acme here
]
CONTACTS = [
    "Id,Email,LastName,Title,AccountId",
    "0031,a@x.io,Ann,CEO,001C",
    "0032,b@x.io,Bo,,001C",
    "0033,c@x.io,Cy,, 001C ",
    "0034,d@x.io,Di,,001B",
    "0035,e@x.io,Lo,,001B",
    "0036,f@x.io,Fi,,",
    "0037,g@x.io,Gi,,001P",
    "0038,h@x.io,Hi,,001X",
    "0039,i@x.io,Io,,001Z",
]
LEADS = ["Id,Email,LastName,Company", "00Q1,z@x.io,Zo,Zeta"]
ACCOUNTS = [
    "Id,Name,IsPersonAccount",
    "001B,Business,false",
    "001C, Acme ,",
    "001P,Pat,TRUE",
    "001X,  ,",
]


def accounts_set(
    tmp_path: Path, form: str = "csv", contacts: list[str] = CONTACTS
) -> tuple[str, str]:
    lists = {"prospects": PROSPECTS, "leads": LEADS, "contacts": contacts, "accounts": ACCOUNTS}
    return write_set(tmp_path, RULES, lists, parquet=lists if form == "parquet" else ())


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_contacts_account_name_reaches_its_prospect_on_the_direct_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    rules, records = accounts_set(tmp_path, form=form)
    plan = json.loads(same_plan(rules, records, capsys))
    entries = {e["prospect"]: e for e in plan["records"]}
    shown = {
        p: (e["action"], e.get("to_pardot"), [(d["field"], d["value"]) for d in e["dropped"]])
        for p, e in entries.items()
    }
    too_long = [("company", "Business")]
    assert shown == {
        "p1": ("update", {"title": "CEO", "company": "Acme"}, []),
        "p2": ("no_change", {}, []),
        "p3": ("update", {"company": "Acme"}, []),
        "p4": ("no_change", {}, too_long),
        "p5": ("error", None, too_long),
        "p6": ("no_change", {}, []),
        "p7": ("no_change", {}, []),
        "p8": ("no_change", {}, []),
        "p9": ("no_change", {}, []),
        "pa": ("create_lead", {}, []),
        "pb": ("update", {"title": "CEO"}, []),
    }
    assert entries["p4"]["dropped"][0]["code"] == "STRING_TOO_LONG"
    assert entries["pa"]["to_salesforce"]["Company"] == "Zed"


def test_every_plan_format_gives_the_python_engines_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = accounts_set(tmp_path)
    assert took_direct_path(rules, records)
    plans = same_formats(rules, records, tmp_path, capsys)
    assert '"to_pardot":{"title":"CEO","company":"Acme"}' in plans["jsonl"].decode()


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_run_writes_the_account_names_into_the_prospects_as_python_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct: list[bool], form: str
) -> None:
    rules, records = accounts_set(tmp_path, form=form)
    written = same_run(rules, records, tmp_path)
    assert direct == [False, True]
    assert capsys.readouterr().out.count("3 update") == 2
    if form == "csv":
        prospects = written["prospects.csv"].decode().splitlines()
        assert prospects[1] == "p1,a@x.io,Ann,CEO,Acme,0031,"
        assert prospects[3] == "p3,c@x.io,Cy,,Acme,0033,"
        assert prospects[4] == "p4,d@x.io,Di,,Foo,0034,"


def test_diff_sees_a_company_mapping_added_as_python_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:

    rules, records = accounts_set(tmp_path)
    old = tmp_path / "old.sync"
    old.write_text(RULES.replace("field company { lead: Company sync: pardot }", ""), "utf-8")
    seen, printed = same_diff(str(old), rules, records, capsys, monkeypatch)
    # the direct path compared the rows, with the companies
    assert [after.company for after in seen] == [True]
    changed = {c["prospect"] for c in json.loads(printed)["changes"]}
    assert {"p1", "p3"} <= changed


def test_an_account_id_beyond_printable_ascii_steps_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """str.strip() strips a no-break space, SQL's trim does not: the Python loader's
    path plans it (Cy's contact is still Acme's), the same plan."""
    spaced = [c.replace(" 001C ", "\u00a0001C") for c in CONTACTS]
    rules, records = accounts_set(tmp_path, contacts=spaced)
    assert not took_direct_path(rules, records)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    assert code == 0
    assert '"company": "Acme"' in reference.split('"p3"')[1].split('"p4"')[0]
    assert dry_run(rules, records, "duckdb", capsys) == (0, reference, "")
