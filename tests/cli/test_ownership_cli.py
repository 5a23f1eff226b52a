"""Ownership (issue 12) and numbers wider than a Salesforce field (issue 11) through the
command line: `dry-run` on every engine, `explain`, `run`, `check`/`fmt` of the
`assignment_rule` setting, a `queues.csv` in a record folder, and exit codes."""

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
object prospect { email: email  last_name: text(80)  company: text(255)  employees: text(40) }
object lead {
    Email: email  LastName: text(80) required  Company: text(255) required
    NumberOfEmployees: number  OwnerId: reference(user)
}
object contact { Email: email  LastName: text(80) required  OwnerId: reference(user) }
field email { lead: Email contact: Email }
field last_name { lead: LastName contact: LastName }
field company { lead: Company }
field employees { lead: NumberOfEmployees sync: pardot }
connector { user: "pardot.integration@acme.example" assignment_rule: true }
create lead when true
"""
USERS = """
users:
  - {Id: 005A, Name: Dana Direct}
  - {Id: 005Z, Name: Zoe Gone, active: false}
  - {Id: 005I, Name: Integration, Username: pardot.integration@acme.example}
"""
QUEUES = "Id,Name\n00G1,Inbound Leads\n"
PROSPECTS = """
prospects:
  - {id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 005A,
     employees: "12345678901234567890123456789"}
  - {id: p2, email: z@x.io, last_name: Z, company: C, assigned_user: 005Z}
  - {id: p3, email: q@x.io, last_name: Q, company: C, assigned_user: 00G1}
  - {id: p4, email: r@x.io, last_name: R, company: C}
  - {id: p5, email: s@x.io, last_name: S, company: C, assigned_user: 005A, crm_contact_fid: 003S}
"""
CONTACTS = "contacts:\n  - {Id: 003S, Email: s@x.io, LastName: S, OwnerId: 005I}\n"


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.sync").write_text(textwrap.dedent(RULES), encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "users.yaml").write_text(USERS, encoding="utf-8")
    (records / "queues.csv").write_text(QUEUES, encoding="utf-8")
    (records / "prospects.yaml").write_text(PROSPECTS, encoding="utf-8")
    (records / "contacts.yaml").write_text(CONTACTS, encoding="utf-8")
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    assert main(list(argv)) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return out if code == 0 else err


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_dry_run_shows_each_owner_decision(
    org: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    text = _out(
        capsys,
        *("dry-run", "rules.sync", "--records", "records", *NOW, "--format", "json"),
        *("--engine", engine),
    )
    plan: dict[str, Any] = json.loads(text)
    rows = {r["prospect"]: r for r in plan["records"]}
    owners = {p: (r["to_salesforce"].get("OwnerId"), r.get("owner")) for p, r in rows.items()}
    assert owners == {
        "p1": ("005A", None),
        "p2": ("005I", {"decision": "connector_user", "id": "005I"}),
        "p3": ("00G1", {"decision": "queue", "id": "00G1"}),
        "p4": (None, {"decision": "assignment_rule", "id": None}),
        "p5": (None, {"decision": "salesforce", "id": "005I"}),
    }
    assert rows["p1"]["dropped"] == [
        {
            "field": "NumberOfEmployees",
            "code": "NUMBER_OUTSIDE_VALID_RANGE",
            "value": "12345678901234567890123456789",
        }
    ]


def test_explain_says_why_the_owner_is_who_it_is(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["explain", "rules.sync", "--records", "records", *NOW, "--prospect"]
    p3 = _out(capsys, *base, "p3")
    assert any(
        "owner: the prospect is assigned to queue 00G1 (Inbound Leads): the lead is created "
        "owned by the queue" in line
        for line in p3.splitlines()
    )
    p5 = _out(capsys, *base, "p5")
    assert any(
        "owner: the Salesforce owner wins: the prospect's assigned user becomes 005I "
        "(was 005A)" in line
        for line in p5.splitlines()
    )


def test_run_records_the_owners_and_leaves_queues_as_they_were(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _out(capsys, "run", "rules.sync", "--records", "records", *NOW, "--out", "out")
    prospects = YAML(typ="safe").load((org / "out" / "prospects.yaml").read_text("utf-8"))
    assigned = {p["id"]: p.get("assigned_user") for p in prospects["prospects"]}
    assert assigned == {"p1": "005A", "p2": "005I", "p3": None, "p4": None, "p5": "005I"}
    assert (org / "out" / "queues.csv").read_bytes() == QUEUES.encode()
    # the run's output is in sync: nothing to decide again
    again = json.loads(
        _out(capsys, "dry-run", "rules.sync", "--records", "out", *NOW, "--format", "json")
    )
    assert [r.get("owner") for r in again["records"]] == [None] * 5


def test_check_and_fmt_know_assignment_rule(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _out(capsys, "check", "rules.sync")
    (org / "bad.sync").write_text("connector { assignment_rule: maybe }\n", encoding="utf-8")
    assert main(["check", "bad.sync"]) == 1
    assert "bad.sync:1:" in capsys.readouterr().out
    (org / "messy.sync").write_text(
        'connector {assignment_rule:true   user: "x@y.io"}\n', encoding="utf-8"
    )
    _out(capsys, "fmt", "messy.sync")
    assert (org / "messy.sync").read_text("utf-8") == (
        'connector {\n    user: "x@y.io"\n    assignment_rule: true\n}\n'
    )
