"""Business units through the command line (docs/language.md, business_unit): dry-run,
run, explain, lint --records and check, with their exit codes; a prospect naming an
undeclared unit is exit 2 naming the file, the record and the field, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

NOW = ["--now", "2026-11-23T12:00:00Z"]
RULES = """\
object prospect { email: email  last_name: text(80) }
object lead { Email: email  LastName: text(80)  Region__c: text(20) readonly }
object contact { Email: email  LastName: text(80)  Region__c: text(20) readonly }
field email { lead: Email  contact: Email }
field last_name { lead: LastName  contact: LastName }
business_unit Americas {
    share lead when Region__c = "AMER"
    share contact when Region__c = "AMER"
}
business_unit EMEA {
    connector { user: "emea.integration@acme.example" }
    share lead when Region__c = "EMEA"
    share contact when Region__c = "EMEA"
}
"""
RECORDS = """\
prospects:
  - {id: p1, email: ada@example.com, business_unit: Americas}
  - {id: p2, email: bob@example.com, business_unit: EMEA}
leads:
  - {Id: 00Q1, Email: ada@example.com, LastName: Lovelace, Region__c: AMER}
  - {Id: 00Q2, Email: bob@example.com, LastName: Builder, Region__c: EMEA}
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    return tmp_path


def test_dry_run_json_names_each_entrys_unit(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["dry-run", "rules.sync", "--records", "records.yaml", *NOW, "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["prospect"], r["business_unit"], r["target"]["id"]) for r in data["records"]] == [
        ("p1", "Americas", "00Q1"),
        ("p2", "EMEA", "00Q2"),
    ]
    assert [u["name"] for u in data["business_units"]] == ["Americas", "EMEA"]


def test_an_undeclared_unit_is_exit_2_with_its_place(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / "records.yaml").write_text(RECORDS.replace("unit: EMEA", "unit: APAC"), "utf-8")
    assert main(["dry-run", "rules.sync", "--records", "records.yaml", *NOW]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "syncrules: records.yaml:3: record p2: field business_unit: no business unit 'APAC' "
        "is declared (business units: Americas, EMEA)\n"
    )


def test_run_then_explain_the_second_unit(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "rules.sync", "--records", "records.yaml", *NOW, "--out", "out"]) == 0
    capsys.readouterr()
    assert "business_unit: EMEA" in (org / "out" / "records.yaml").read_text("utf-8")
    assert (
        main(["explain", "rules.sync", "--records", "records.yaml", *NOW, "--prospect", "p2"]) == 0
    )
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == [
        "prospect p2: update",
        " 1. business unit: EMEA: its connector and sharing rules, after the units declared "
        "before it",
    ]


def test_check_reports_a_unit_named_twice(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (org / "rules.sync").write_text(RULES + "business_unit EMEA {}\n", encoding="utf-8")
    assert main(["check", "rules.sync"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "rules.sync:15:15: error SR106 duplicate-declaration: business unit EMEA is declared twice"
    )


def test_lint_with_records_finds_a_lead_both_units_admit(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = RULES.replace('share lead when Region__c = "EMEA"', "")  # EMEA sees every lead
    (org / "rules.sync").write_text(both, encoding="utf-8")
    assert main(["lint", "rules.sync", "--records", "records.yaml", "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    names = sorted(f["name"] for f in found["diagnostics"])
    # and EMEA, sharing contacts only, lets every lead sync unfiltered (share-one-object)
    assert names == [
        "business-unit-records-overlap",
        "business-unit-sharing-overlap",
        "share-one-object",
    ]
