"""`explain --user` / `--account`: Personalization matching and User Sync, step by step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

RULES = """
object contact { Email: email LastName: text(80) FirstName: text(40) }
object lead { Email: email LastName: text(80) Company: text(255) }
object account { Name: text(255) AccountNumber: text(40) }
personalization {
    match contact by Id, Email
    match lead by Id, Email
    match account by Id, AccountNumber
}
user_sync { "Marketing User": "Marketing" }
"""
RECORDS = """
users:
  - {Id: u1, Name: Mia, Profile: Marketing User, active: true, pardot_role: Sales}
contacts:
  - {Id: 003A, Email: user.email@company.com, LastName: Lovelace}
  - {Id: 003C, Email: both@company.com, LastName: Both}
leads:
  - {Id: 00Q1, Email: User.Email@company.com, LastName: Lee, Company: C}
  - {Id: 00Q2, Email: both@company.com, LastName: Both, Company: C}
personalization_users:
  - {id: u1, Email: User.Email@company.com}
  - {id: u2, Email: both@company.com}
personalization_accounts:
  - {id: a1, Email: ops@company.com}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    return [str(tmp_path / "r.sync"), "--records", str(tmp_path / "records.yaml")]


def test_user_text_shows_each_level_and_both_sections(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", *files, "--user", "u1"]) == 0
    out = capsys.readouterr().out
    assert "user u1 (Personalization): merge" in out
    assert (
        '2. Email = "User.Email@company.com": no contact has exactly this value; contact '
        '003A has "user.email@company.com": matching is exact and case-sensitive'
    ) in out
    assert '2. Email = "User.Email@company.com": matches lead 00Q1' in out
    assert "user u1 (User Sync): change" in out


def test_contact_over_lead_in_json(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", *files, "--user", "u2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["personalization"]["outcome"]["target"] == {"object": "contact", "id": "003C"}
    steps = {s["step"]: s["summary"] for s in data["personalization"]["steps"]}
    assert steps["contact over lead"] == "contact 003C wins"
    assert "user_sync" not in data  # no Salesforce user u2


def test_account_and_unknown_ids(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", *files, "--account", "a1"]) == 0
    assert "account a1 (Personalization): skip" in capsys.readouterr().out
    assert main(["explain", *files, "--account", "zz"]) == 2
    assert "no account with id 'zz'" in capsys.readouterr().err
