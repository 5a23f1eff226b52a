"""Person accounts (issue 12's design part, docs/design.md): `connector { person_accounts:
true }` syncs a prospect with a person account's contact — matched by PersonContactId or
PersonEmail, its contact fields read and written as the account's `Person…`/`__pc`
fields, the Account's validation rules run on the write — and without it the connector
cannot see person accounts, so a lead converted to one leaves its prospect unlinked."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine import api
from engine.files import InputError
from engine.render import plan_json
from engine.runtime.person import account_field
from tests.runtime.helpers import NOW, entry, plan, records_of, rules_of

ON = """
connector { person_accounts: true }
object contact { Tier__c: text(20) }
object account { Tier__pc: text(20)  PersonEmail: email  Name: text(255) }
object prospect { tier: text(20) }
field tier { contact: Tier__c  sync: pardot }
"""
OFF = ON.replace("connector { person_accounts: true }", "")
ACCOUNTS = """
        accounts:
          - {Id: 001P1, IsPersonAccount: true, PersonContactId: 003P1,
             PersonEmail: pat@example.com, FirstName: Pat, LastName: Smith,
             PersonTitle: CFO, Tier__pc: silver, LastModifiedDate: 2026-10-01T10:00:00Z}
          - {Id: 001P2, IsPersonAccount: "TRUE", PersonContactId: 003P2,
             PersonEmail: lee@example.com, LastName: Lee}
          - {Id: 001B, Name: Business Inc, IsPersonAccount: false}
"""


def test_a_prospect_matches_a_person_account_by_person_email_and_syncs_its_fields(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        ON,
        """
        prospects:
          - {id: p1, email: PAT@example.com, tier: gold, job_title: ""}
        """
        + ACCOUNTS,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["target"], p1["matched_by"]) == (
        "update",
        {"object": "contact", "id": "003P1"},
        "email",
    )
    # contact fields, as the connector writes them; the values come from the account's
    # PersonTitle and Tier__pc, LastName from its LastName
    assert p1["to_salesforce"] == {"Tier__c": "gold"}
    assert p1["to_pardot"] == {
        "email": "pat@example.com",  # Salesforce's spelling wins (sync: salesforce)
        "first_name": "Pat",
        "last_name": "Smith",
        "job_title": "CFO",
    }


def test_a_prospect_links_to_a_person_account_by_its_person_contact_id(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        ON,
        """
        prospects:
          - {id: p1, email: someone@else.example, crm_contact_fid: 003P2, last_name: Lee}
        """
        + ACCOUNTS,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["target"], p1["matched_by"]) == (
        "update",
        {"object": "contact", "id": "003P2"},
        "crm_id",
    )
    assert p1["to_pardot"] == {"email": "lee@example.com"}  # PersonEmail, Salesforce wins


def test_without_the_setting_person_accounts_are_invisible(tmp_path: Path) -> None:
    records = (
        """
        prospects:
          - {id: p1, email: pat@example.com, crm_contact_fid: 003P1, assigned_user: 005A,
             last_name: Smith, company: Home}
        """
        + ACCOUNTS
    )
    data = plan(tmp_path, OFF, records)
    # the CRM id names no contact the connector knows, so it goes to the gate: a new lead
    assert entry(data, "p1")["action"] == "create_lead"
    assert entry(plan(tmp_path, ON, records), "p1")["target"] == {
        "object": "contact",
        "id": "003P1",
    }


def test_a_lead_converted_to_a_person_account_is_followed_only_with_the_setting(
    tmp_path: Path,
) -> None:
    """Salesforce Help ("Advanced Salesforce Syncing Options"): by default a lead
    converted to a person account becomes invisible, and the connector recreates a lead."""
    records = (
        """
        prospects:
          - {id: p1, email: lee@example.com, crm_lead_fid: 00QC, assigned_user: 005A,
             last_name: Lee, company: ""}
        leads:
          - {Id: 00QC, Email: lee@example.com, LastName: Lee, Company: Lee,
             IsConverted: true, ConvertedContactId: 003P2}
        """
        + ACCOUNTS
    )
    on = entry(plan(tmp_path, ON, records), "p1")
    assert (on["action"], on["target"], on["matched_by"]) == (
        "no_change",
        {"object": "contact", "id": "003P2"},
        "crm_id",
    )
    off = entry(plan(tmp_path, OFF, records), "p1")
    assert off["action"] == "error"  # a new lead, refused: Company is required and blank
    assert off["error_code"] == "REQUIRED_FIELD_MISSING"


def test_the_accounts_validation_rules_run_on_a_write_to_a_person_account(
    tmp_path: Path,
) -> None:
    rules = (
        ON
        + """
validation Tier_Known on account {
    error_if: Tier__pc = "bad" && IsPersonAccount
    message: "Tier must be known."
    field: Tier__pc
}
validation Contact_Never on contact {
    error_if: true
    message: "Contacts are never written."
}
object account { IsPersonAccount: boolean }
"""
    )
    data = plan(
        tmp_path,
        rules,
        """
        prospects:
          - {id: p1, email: pat@example.com, tier: bad}
          - {id: p2, email: lee@example.com, tier: gold}
        """
        + ACCOUNTS,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["rule"], p1["fields"]) == (
        "error",
        "Tier_Known",
        ["Tier__pc"],
    )
    # the Contact's rules do not run for a person account
    assert entry(data, "p2")["to_salesforce"] == {"Tier__c": "gold"}


def test_run_writes_a_person_accounts_changes_on_its_account(tmp_path: Path) -> None:
    rules = rules_of(ON)
    records = records_of(
        tmp_path,
        rules,
        """
        prospects:
          - {id: p1, email: pat@example.com, tier: gold, job_title: ""}
        contacts:
          - {Id: 003X, Email: x@example.com, LastName: X}
        """
        + ACCOUNTS,
    )
    result = api.run(rules, records, str(tmp_path / "out"), now=NOW)
    assert plan_json.as_dict(result.plan)["records"][0]["action"] == "update"
    written = YAML(typ="safe").load((tmp_path / "out" / "records.yaml").read_text("utf-8"))
    accounts = {a["Id"]: a for a in written["accounts"]}
    assert accounts["001P1"]["Tier__pc"] == "gold"
    assert accounts["001P1"]["PersonTitle"] == "CFO"  # Salesforce's value won: unchanged
    assert [c["Id"] for c in written["contacts"]] == ["003X"]  # no stand-in is written
    prospect = written["prospects"][0]
    assert (prospect["crm_contact_fid"], prospect["job_title"]) == ("003P1", "CFO")
    # and the next cycle has nothing left to do
    again = api.load_records(str(tmp_path / "out" / "records.yaml"), rules)
    second = plan_json.as_dict(api.dry_run(rules, again, now=NOW, engine="python"))
    assert [r["action"] for r in second["records"]] == ["no_change"]


def test_the_connector_creates_prospects_for_person_accounts(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        ON.replace("person_accounts: true", "person_accounts: true create_prospects: true"),
        "        prospects: []\n" + ACCOUNTS,
    )
    assert [(n["source"], n["to_pardot"]) for n in data["prospects_from_salesforce"]] == [
        (
            {"object": "contact", "id": "003P1"},
            {
                "email": "pat@example.com",
                "first_name": "Pat",
                "last_name": "Smith",
                "job_title": "CFO",
                "tier": "silver",
            },
        ),
        ({"object": "contact", "id": "003P2"}, {"email": "lee@example.com", "last_name": "Lee"}),
    ]


def test_a_contacts_row_for_the_person_contact_is_the_same_person(tmp_path: Path) -> None:
    """A Contact export lists person contacts too: the account's row stands in for it."""
    data = plan(
        tmp_path,
        ON.replace("person_accounts: true", "person_accounts: true create_prospects: true"),
        """
        prospects: []
        contacts:
          - {Id: 003P1, Email: pat@example.com, LastName: Smith}
        """
        + ACCOUNTS,
    )
    assert [n["source"]["id"] for n in data["prospects_from_salesforce"]] == ["003P1", "003P2"]


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (
            "{Id: 001Q, IsPersonAccount: yes, PersonContactId: 003Q}",
            'record 001Q, field IsPersonAccount: "yes" is not true or false',
        ),
        (
            "{Id: 001Q, IsPersonAccount: true, PersonEmail: q@example.com}",
            "record 001Q, field PersonContactId: missing",
        ),
        (
            "{Id: 001Q, IsPersonAccount: true, PersonContactId: 003Q, Tier__pc: [a, b]}",
            "",
        ),
    ],
)
def test_a_person_account_that_cannot_be_read_is_a_located_input_error(
    tmp_path: Path, account: str, message: str
) -> None:
    rules = rules_of(ON.replace("object account { Tier__pc: text(20)", "object account {"))
    records = records_of(tmp_path, rules, f"prospects: []\naccounts:\n  - {account}\n")
    if not message:  # a list in a text field reads as its values joined, as everywhere
        api.dry_run(rules, records, now=NOW, engine="python")
        return
    with pytest.raises(InputError) as raised:
        api.dry_run(rules, records, now=NOW, engine="python")
    assert "records.yaml:3: record 001Q" in str(raised.value)
    assert message in str(raised.value)


def test_a_value_that_does_not_fit_the_contact_field_names_the_account_field(
    tmp_path: Path,
) -> None:
    rules = rules_of(ON + "object contact { Age__c: number }\n")
    records = records_of(
        tmp_path,
        rules,
        "prospects: []\naccounts:\n"
        "  - {Id: 001Q, IsPersonAccount: true, PersonContactId: 003Q, Age__pc: lots}\n",
    )
    with pytest.raises(InputError) as raised:
        api.dry_run(rules, records, now=NOW, engine="python")
    assert 'record 001Q, field Age__pc: "lots" does not fit contact.Age__c (number)' in str(
        raised.value
    )


def test_contact_fields_show_on_a_person_account_under_salesforces_names() -> None:
    assert [
        account_field(n)
        for n in ("Email", "Title", "MailingCountry", "LastName", "OwnerId", "Tier__c", "phone")
    ] == [
        "PersonEmail",
        "PersonTitle",
        "PersonMailingCountry",
        "LastName",
        "OwnerId",
        "Tier__pc",
        "phone",
    ]


def test_duckdb_runs_the_accounts_rules_on_person_accounts_as_python_does(
    tmp_path: Path,
) -> None:
    """Every engine runs the rewritten rules (runtime/person.py): the same plan."""
    rules = rules_of(
        ON
        + 'validation V on account { error_if: Tier__pc = "x" && Name = ""  message: "m" }\n'
        + 'validation C on contact { error_if: Tier__c = "x"  message: "c" }\n'
    )
    prospects = """
        prospects:
          - {id: p1, email: pat@example.com, tier: x}
          - {id: p2, email: c@example.com, tier: x}
        contacts:
          - {Id: 003C, Email: c@example.com, LastName: C}
    """
    records = records_of(tmp_path, rules, prospects + ACCOUNTS)
    python = plan_json.as_dict(api.dry_run(rules, records, now=NOW, engine="python"))
    duck = plan_json.as_dict(api.dry_run(rules, records, now=NOW, engine="duckdb"))
    assert duck == python
    # the account's rule names the account's field; the contact's rule runs on contacts
    assert (entry(python, "p1")["rule"], entry(python, "p1")["fields"]) == (
        "V",
        ["Tier__pc", "Name"],
    )
    assert (entry(python, "p2")["rule"], entry(python, "p2")["fields"]) == ("C", ["Tier__c"])
