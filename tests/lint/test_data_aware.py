"""Data-aware lint rules run only with `lint --records`; profiles come from the data too."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.cli import main

RULES = """
object contact { Email: email Email_Key__c: text(80) LastName: text(80) }
personalization {
    match contact by Id, Email_Key__c, Email
}
user_sync {
    "Marketing User": "Marketing"
}
"""
RECORDS = """
users:
  - {Id: 005A, Name: Mia, Profile: Marketing User, active: true}
  - {Id: 005B, Name: Sam, Profile: Standard User, active: true}
contacts:
  - {Id: 003A, Email: ada@example.com, Email_Key__c: K1, LastName: A}
  - {Id: 003B, Email: bob@example.com, Email_Key__c: K1, LastName: B}
personalization_users:
  - {id: u1, Email: Ada@Example.com}
  - {id: u2, Email: bob@example.com}
"""


def _lint(tmp_path: Path, with_records: bool) -> list[tuple[int, str]]:
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    rules = api.check([str(tmp_path / "r.sync")])
    records = api.load_records(str(tmp_path / "records.yaml"), rules) if with_records else None
    return sorted((d.span.line, d.name) for d in api.lint(rules, None, records))


def test_without_records_the_data_aware_rules_are_quiet(tmp_path: Path) -> None:
    assert _lint(tmp_path, with_records=False) == []


def test_with_records_case_misses_shared_keys_and_data_profiles(tmp_path: Path) -> None:
    assert _lint(tmp_path, with_records=True) == [
        (4, "email-case-mismatch"),  # u1: Ada@Example.com vs contact 003A's ada@example.com
        (4, "match-field-not-unique"),  # K1 is on 003A and 003B
        (6, "profile-without-role"),  # "Standard User" is seen only in the data
    ]


def test_lint_records_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    code = main(
        [
            "lint",
            str(tmp_path / "r.sync"),
            "--records",
            str(tmp_path / "records.yaml"),
            "--format",
            "json",
        ]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "email-case-mismatch" in out
    assert "u1 (Ada@Example.com) vs contact 003A" in out


def test_a_deleted_record_shares_no_match_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The case file's deleted contact 003D carries K2 like 003C: not a second shared value,
    since the nightly match never sees a deleted contact."""
    cases = Path(__file__).parent / "cases"
    monkeypatch.chdir(cases)
    rules = api.check(["match-field-not-unique.sync"])
    records = api.load_records("match-field-not-unique.records.yaml", rules)
    found = [d.message for d in api.lint(rules, None, records) if d.span.line == 6]
    assert found == [
        'contact Email_Key__c is not unique in the data: "K1" is on 003A, 003B; '
        "a user matches only the smallest Id"
    ]
