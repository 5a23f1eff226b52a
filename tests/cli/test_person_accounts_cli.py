"""Person accounts through the command line (docs/language.md, person accounts): dry-run,
run, explain, lint --records and fmt, with their exit codes; an unreadable person account
is exit 2 naming the file, the record and the field, never a traceback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.cli import main

NOW = ["--now", "2026-11-23T12:00:00Z"]
RULES = """\
connector { user: "pardot.integration@acme.example" person_accounts: true match: email }
object prospect { email: email  last_name: text(80)  tier: text(20) }
object lead { Email: email  LastName: text(80) }
object contact { Email: email  LastName: text(80)  Tier__c: text(20) }
object account { Tier__pc: text(20) }
field email { lead: Email  contact: Email }
field last_name { lead: LastName  contact: LastName }
field tier { contact: Tier__c  sync: pardot }
"""
RECORDS = """\
prospects:
  - {id: p1, email: lee@example.com, crm_lead_fid: 00QC, tier: gold}
leads:
  - {Id: 00QC, Email: lee@example.com, LastName: Lee, IsConverted: true,
     ConvertedContactId: 003P1}
accounts:
  - {Id: 001P1, IsPersonAccount: true, PersonContactId: 003P1,
     PersonEmail: lee@example.com, LastName: Lee}
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    return tmp_path


def test_dry_run_follows_a_lead_converted_to_a_person_account(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["dry-run", "rules.sync", "--records", "records.yaml", "--format", "json", *NOW]) == 0
    )
    entry = json.loads(capsys.readouterr().out)["records"][0]
    assert (entry["action"], entry["target"], entry["to_salesforce"]) == (
        "update",
        {"object": "contact", "id": "003P1"},
        {"Tier__c": "gold"},
    )


def test_run_writes_the_person_account(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "rules.sync", "--records", "records.yaml", "--out", "out", *NOW]) == 0
    written = YAML(typ="safe").load((org / "out" / "records.yaml").read_text("utf-8"))
    assert written["accounts"][0]["Tier__pc"] == "gold"
    assert written["prospects"][0]["crm_contact_fid"] == "003P1"
    assert "contacts" not in written  # the stand-in contact is never written


def test_explain_names_the_person_account(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", "rules.sync", "--records", "records.yaml", "--prospect", "p1", *NOW]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "follows the conversion to visible contact 003P1 (person account 001P1)" in out


def test_lint_records_warns_when_the_setting_is_off(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / "rules.sync").write_text(RULES.replace(" person_accounts: true", ""), "utf-8")
    assert main(["lint", "rules.sync", "--records", "records.yaml"]) == 1
    out = capsys.readouterr().out
    assert "rules.sync:1:1: warning SR407 person-account-invisible" in out
    (org / "rules.sync").write_text(RULES, "utf-8")
    assert main(["lint", "rules.sync", "--records", "records.yaml"]) == 0


def test_fmt_keeps_the_setting_in_its_place(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (org / "c.sync").write_text(
        'connector { person_accounts: TRUE match: email user: "u@x.example" }\n', "utf-8"
    )
    assert main(["fmt", "c.sync"]) == 0
    assert (org / "c.sync").read_text("utf-8") == textwrap.dedent(
        """\
        connector {
            user: "u@x.example"
            match: email
            person_accounts: TRUE
        }
        """
    )


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (
            "{Id: 001Q, IsPersonAccount: maybe, PersonContactId: 003Q}",
            'records.yaml:3: record 001Q, field IsPersonAccount: "maybe" is not true or false',
        ),
        (
            "{Id: 001Q, IsPersonAccount: true}",
            "records.yaml:3: record 001Q, field PersonContactId: missing",
        ),
    ],
)
def test_an_unreadable_person_account_is_exit_2_located(
    org: Path, capsys: pytest.CaptureFixture[str], account: str, message: str
) -> None:
    (org / "records.yaml").write_text(f"prospects: []\naccounts:\n  - {account}\n", "utf-8")
    for command in ("dry-run", "run"):
        out = ["--out", "out"] if command == "run" else []
        assert main([command, "rules.sync", "--records", "records.yaml", *out, *NOW]) == 2
        err = capsys.readouterr().err
        assert message in err
        assert "Traceback" not in err
