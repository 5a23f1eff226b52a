"""SPEC §6: Personalization's match-and-merge, priority by priority."""

from __future__ import annotations

from pathlib import Path

from tests.runtime.helpers import plan

RULES = """
object contact { Email: email Email_Key__c: text(80) LastName: text(80) required
                 FirstName: text(40) }
object lead { Email: email LastName: text(80) required Company: text(255) required }
object account { Name: text(255) AccountNumber: text(40) }
personalization {
    match contact by Id, Email_Key__c, Email
    match account by Id, AccountNumber
    designated_only: false
}
"""
RECORDS = """
contacts:
  - {Id: 003A, Email: user.email@company.com, Email_Key__c: K1, LastName: Lovelace,
     FirstName: Ada}
  - {Id: 003B, Email: bob@company.com, LastName: Babbage}
leads:
  - {Id: 00Q1, Email: lee@company.com, LastName: Lee, Company: C}
accounts:
  - {Id: 001A, Name: Analytical Engines, AccountNumber: "A-1", Email: ops@company.com}
personalization_users:
  - {id: u1, Id: 003B, Email_Key__c: K1}
  - {id: u2, Email_Key__c: K1}
  - {id: u3, Email: User.Email@company.com}
  - {id: u4, Email: lee@company.com}
  - {id: u5, Name: Ada Lovelace}
  - {id: u6, Email: user.email@company.com}
personalization_accounts:
  - {id: a1, AccountNumber: "A-1"}
  - {id: a2, Email: ops@company.com}
  - {id: a3, Name: Analytical Engines}
"""


def test_priority_levels_case_sensitivity_and_no_leads_by_default(tmp_path: Path) -> None:
    data = plan(tmp_path, RULES, RECORDS, base=False)
    assert data["personalization"] == [
        {
            "user": "u1",
            "action": "merge",
            "target": {"object": "contact", "id": "003B"},
            "matched_by": "Id",
        },
        {
            "user": "u2",
            "action": "merge",
            "target": {"object": "contact", "id": "003A"},
            "matched_by": "Email_Key__c",
        },
        # exact, case-sensitive: User.Email@… does not match user.email@…
        {"user": "u3", "action": "skip", "reason": "unmatched"},
        # leads only with a `match lead` line
        {"user": "u4", "action": "skip", "reason": "unmatched"},
        {
            "user": "u5",
            "action": "merge",
            "target": {"object": "contact", "id": "003A"},
            "matched_by": "Name",
        },
        {
            "user": "u6",
            "action": "merge",
            "target": {"object": "contact", "id": "003A"},
            "matched_by": "Email",
        },
        {
            "account": "a1",
            "action": "merge",
            "target": {"object": "account", "id": "001A"},
            "matched_by": "AccountNumber",
        },
        # account matching never uses email
        {"account": "a2", "action": "skip", "reason": "unmatched"},
        {
            "account": "a3",
            "action": "merge",
            "target": {"object": "account", "id": "001A"},
            "matched_by": "Name",
        },
    ]


def test_leads_when_enabled_and_contacts_win(tmp_path: Path) -> None:
    rules = RULES.replace("designated_only: false", "match lead by Id, Email")
    records = RECORDS.replace(
        "personalization_accounts:",
        "  - {id: u7, Email: bob@company.com}\npersonalization_accounts:",
    )
    data = plan(
        tmp_path,
        rules,
        records.replace(
            "leads:\n  - {Id: 00Q1, Email: lee@company.com",
            "leads:\n  - {Id: 00Q2, Email: bob@company.com, LastName: B, Company: C}\n"
            "  - {Id: 00Q1, Email: lee@company.com",
        ),
        base=False,
    )
    by_user = {p.get("user"): p for p in data["personalization"] if "user" in p}
    assert by_user["u4"]["target"] == {"object": "lead", "id": "00Q1"}
    # bob is both a contact and a lead: the contact wins
    assert by_user["u7"]["target"] == {"object": "contact", "id": "003B"}


def test_designated_only_skips_name_and_email(tmp_path: Path) -> None:
    rules = RULES.replace("designated_only: false", "designated_only: true")
    data = plan(tmp_path, rules, RECORDS, base=False)
    actions = {p.get("user") or p.get("account"): p["action"] for p in data["personalization"]}
    # u6 still matches: Email is listed for contacts; u5's Name and a3's Name are not
    assert actions == {
        "u1": "merge",
        "u2": "merge",
        "u3": "skip",
        "u4": "skip",
        "u5": "skip",
        "u6": "merge",
        "a1": "merge",
        "a2": "skip",
        "a3": "skip",
    }


def test_nothing_is_created_and_no_block_means_no_list(tmp_path: Path) -> None:
    data = plan(tmp_path, RULES, RECORDS, base=False)
    assert data["summary"]["create_lead"] == 0
    plain = plan(tmp_path, "object prospect { email: email }\n", "prospects: []\n", base=False)
    assert "personalization" not in plain


def test_a_converted_lead_merges_into_its_contact(tmp_path: Path) -> None:
    rules = RULES.replace("designated_only: false", "match lead by Id, Email")
    records = RECORDS.replace(
        "leads:\n",
        "leads:\n  - {Id: 00Q9, Email: conv@company.com, LastName: C, Company: C,"
        " ConvertedContactId: 003B}\n",
    ).replace(
        "personalization_accounts:",
        "  - {id: u8, Email: conv@company.com}\npersonalization_accounts:",
    )
    data = plan(tmp_path, rules, records, base=False)
    u8 = next(p for p in data["personalization"] if p.get("user") == "u8")
    assert u8 == {
        "user": "u8",
        "action": "merge",
        "target": {"object": "contact", "id": "003B"},
        "matched_by": "Email",
    }


def test_account_matching_skips_email_even_when_listed(tmp_path: Path) -> None:
    rules = RULES.replace("match account by Id, AccountNumber", "match account by Id, Email")
    data = plan(tmp_path, rules, RECORDS, base=False)
    a2 = next(p for p in data["personalization"] if p.get("account") == "a2")
    assert a2 == {"account": "a2", "action": "skip", "reason": "unmatched"}


def test_deleted_records_are_never_merged(tmp_path: Path) -> None:
    """A queryAll export carries the recycle bin; the nightly share never does."""
    data = plan(
        tmp_path,
        """
        object contact { Email: email LastName: text(80) }
        object lead { Email: email LastName: text(80) Company: text(255) }
        personalization { match contact by Id, Email  match lead by Email }
        """,
        """
        contacts:
          - {Id: 003A, Email: ada@company.com, LastName: L, IsDeleted: true}
          - {Id: 003B, Email: bob@company.com, LastName: B, IsDeleted: true}
        leads:
          - {Id: 00Q1, Email: ada@company.com, LastName: L, Company: C}
        personalization_users:
          - {id: u1, Email: ada@company.com}
          - {id: u2, Id: 003B}
        """,
        base=False,
    )
    assert data["personalization"] == [
        {
            "user": "u1",
            "action": "merge",
            "target": {"object": "lead", "id": "00Q1"},
            "matched_by": "Email",
        },
        {"user": "u2", "action": "skip", "reason": "unmatched"},
    ]
