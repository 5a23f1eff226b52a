"""Ownership in the cycle (issue 12; docs/design.md, "Ownership"): who owns a created lead
— the active assigned user, a queue, the connector user for an inactive assigned user,
the active assignment rule — and the Salesforce owner winning on a synced record; and
numbers wider than a Salesforce number field (issue 11). Every scenario also runs on the
DuckDB engine (helpers.plan)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from engine import api
from engine.render import plan_json
from tests.runtime.helpers import NOW, entry, plan, records_of, rules_of

CONNECTOR = 'connector { user: "pardot.integration@acme.example" }\ncreate lead when true\n'
PEOPLE = """
users:
  - {Id: 005A, Name: Dana Direct, active: true}
  - {Id: 005Z, Name: Zoe Gone, active: false}
  - {Id: 005I, Name: Integration, Username: pardot.integration@acme.example}
queues:
  - {Id: 00G1, Name: Inbound Leads}
"""


def _run(tmp_path: Path, rules_text: str, yaml_text: str) -> tuple[dict[str, Any], Any]:
    rules = rules_of(rules_text)
    records = records_of(tmp_path, rules, yaml_text)
    result = api.run(rules, records, str(tmp_path / "out"), now=NOW)
    written = YAML(typ="safe").load((tmp_path / "out" / "records.yaml").read_text("utf-8"))
    return plan_json.as_dict(result.plan), written


def test_an_active_assigned_user_owns_the_lead_as_spec_3_4_says(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        CONNECTOR,
        PEOPLE + "prospects:\n  - {id: p1, email: a@x.io, last_name: A, company: C, "
        "assigned_user: 005A}\n",
    )
    assert entry(data, "p1") == {
        "prospect": "p1",
        "action": "create_lead",
        "stages": [],
        "to_salesforce": {"Email": "a@x.io", "LastName": "A", "Company": "C", "OwnerId": "005A"},
        "to_pardot": {},
        "dropped": [],
    }


def test_an_inactive_assigned_user_gives_the_lead_to_the_connector_user(tmp_path: Path) -> None:
    yaml_text = PEOPLE + (
        "prospects:\n  - {id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 005Z}\n"
    )
    data, written = _run(tmp_path, CONNECTOR, yaml_text)
    p1 = entry(data, "p1")
    assert (p1["action"], p1["to_salesforce"]["OwnerId"], p1["owner"]) == (
        "create_lead",
        "005I",
        {"decision": "connector_user", "id": "005I"},
    )
    # the owner syncs back: run records it, so the next cycle changes nothing
    (prospect,) = written["prospects"]
    assert (prospect["assigned_user"], written["leads"][0]["OwnerId"]) == ("005I", "005I")


def test_an_inactive_user_and_no_connector_user_listed_sends_no_owner(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        CONNECTOR,
        """
        users: [{Id: 005Z, Name: Zoe Gone, active: false}]
        prospects: [{id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 005Z}]
        """,
    )
    p1 = entry(data, "p1")
    assert "OwnerId" not in p1["to_salesforce"]
    assert p1["owner"] == {"decision": "connector_user", "id": None}


def test_an_assigned_user_the_users_list_does_not_hold_still_owns_the_lead(
    tmp_path: Path,
) -> None:
    """Only a user the export shows inactive is known to be refused (lint SR304 warns
    about the rest)."""
    data = plan(
        tmp_path,
        CONNECTOR,
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C, "
        "assigned_user: 005Q}]\n",
    )
    assert entry(data, "p1")["to_salesforce"]["OwnerId"] == "005Q"
    assert "owner" not in entry(data, "p1")


def test_a_prospect_assigned_to_a_queue_creates_a_lead_the_queue_owns(tmp_path: Path) -> None:
    yaml_text = PEOPLE + (
        "prospects:\n  - {id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 00G1}\n"
    )
    data, written = _run(tmp_path, CONNECTOR, yaml_text)
    p1 = entry(data, "p1")
    assert (p1["to_salesforce"]["OwnerId"], p1["owner"]) == (
        "00G1",
        {"decision": "queue", "id": "00G1"},
    )
    # Account Engagement assigns prospects to users only: the prospect comes back unassigned
    assert written["prospects"][0]["assigned_user"] is None
    assert written["leads"][0]["OwnerId"] == "00G1"


def test_assignment_rule_sends_an_unassigned_lead_without_an_owner(tmp_path: Path) -> None:
    rules = "connector { assignment_rule: true }\ncreate lead when true\n"
    data = plan(
        tmp_path,
        rules,
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C}]\n",
    )
    p1 = entry(data, "p1")
    assert "OwnerId" not in p1["to_salesforce"]
    assert p1["owner"] == {"decision": "assignment_rule", "id": None}
    # without the setting an unassigned lead is sent without an owner too (SPEC §3.4),
    # and the plan shows no decision beyond it
    plain = plan(
        tmp_path,
        CONNECTOR,
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C}]\n",
    )
    assert "owner" not in entry(plain, "p1")


def test_a_validation_rule_sees_the_decided_owner(tmp_path: Path) -> None:
    rules = CONNECTOR + (
        'validation Owner_Active on lead { error_if: OwnerId = "005Z" message: "inactive owner" }\n'
    )
    data = plan(
        tmp_path,
        rules,
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C, "
        "assigned_user: 005Z}]\n",
    )
    assert entry(data, "p1")["action"] == "create_lead"


def test_the_salesforce_owner_wins_on_a_synced_record(tmp_path: Path) -> None:
    yaml_text = (
        PEOPLE
        + """
prospects:
  - {id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 005Z, crm_lead_fid: 00Q1}
  - {id: p2, email: b@x.io, last_name: B, crm_contact_fid: 003B, job_title: CTO}
  - {id: p3, email: c@x.io, last_name: C, company: C, assigned_user: 005A, crm_lead_fid: 00Q3}
  - {id: p4, email: d@x.io, last_name: D, company: C, assigned_user: 005A, crm_lead_fid: 00Q4}
leads:
  - {Id: 00Q1, Email: a@x.io, LastName: A, Company: C, OwnerId: 005A}
  - {Id: 00Q3, Email: c@x.io, LastName: C, Company: C, OwnerId: 00G1}
  - {Id: 00Q4, Email: d@x.io, LastName: D, Company: C, OwnerId: 005A}
contacts:
  - {Id: 003B, Email: b@x.io, LastName: B, OwnerId: 005A}
"""
    )
    data, written = _run(tmp_path, CONNECTOR, yaml_text)
    owners = {r["prospect"]: (r["action"], r.get("owner")) for r in data["records"]}
    assert owners == {
        # following the owner is not a write (like the link): no_change stays no_change
        "p1": ("no_change", {"decision": "salesforce", "id": "005A"}),
        "p2": ("update", {"decision": "salesforce", "id": "005A"}),
        "p3": ("no_change", {"decision": "salesforce", "id": None}),  # a queue owns 00Q3
        "p4": ("no_change", None),
    }
    assert entry(data, "p2")["to_pardot"] == {}
    assigned = {p["id"]: p["assigned_user"] for p in written["prospects"]}
    assert assigned == {"p1": "005A", "p2": "005A", "p3": None, "p4": "005A"}


def test_owner_decisions_are_idempotent(tmp_path: Path) -> None:
    """SPEC §3: running the cycle again on run's output gives no owner decision."""
    yaml_text = (
        PEOPLE
        + """
prospects:
  - {id: p1, email: a@x.io, last_name: A, company: C, assigned_user: 005Z}
  - {id: p2, email: b@x.io, last_name: B, company: C, assigned_user: 00G1}
  - {id: p3, email: c@x.io, assigned_user: 005Z, crm_lead_fid: 00Q3}
leads:
  - {Id: 00Q3, Email: c@x.io, LastName: C, Company: C, OwnerId: 005A}
"""
    )
    rules = rules_of(CONNECTOR)
    first = api.run(rules, records_of(tmp_path, rules, yaml_text), str(tmp_path / "out"), now=NOW)
    assert {o.prospect for o in first.plan.outcomes if o.owner} == {"p1", "p2", "p3"}
    again = api.load_records(str(tmp_path / "out" / "records.yaml"), rules)
    second = api.dry_run(rules, again, now=NOW, engine="python")
    assert [(o.prospect, o.action.value, o.owner) for o in second.outcomes] == [
        ("p1", "no_change", None),
        ("p2", "no_change", None),
        ("p3", "no_change", None),
    ]


def test_explain_says_who_owns_the_lead_and_why(tmp_path: Path) -> None:
    rules = rules_of(CONNECTOR)
    records = records_of(
        tmp_path,
        rules,
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C, "
        "assigned_user: 005Z}]\n",
    )
    steps = api.explain(rules, records, "p1", now=NOW).steps
    owner = next(s for s in steps if s.step == "owner")
    assert owner.summary == (
        "assigned user 005Z is inactive, and Salesforce refuses a lead owned by an inactive "
        "user: the connector creates the lead owned by the connector user 005I"
    )


# -- numbers wider than the field (issue 11) ------------------------------------------------


def test_a_number_wider_than_18_digits_is_dropped_not_written(tmp_path: Path) -> None:
    rules = CONNECTOR + "field employees { lead: NumberOfEmployees sync: pardot }\n"
    data = plan(
        tmp_path,
        rules,
        """
        prospects:
          - {id: p1, email: a@x.io, last_name: A, company: C,
             employees: "12345678901234567890123456789"}
          - {id: p2, email: b@x.io, last_name: B, company: C, employees: "123456789012345678"}
          - {id: p3, email: c@x.io, crm_lead_fid: 00Q3, employees: " -1234567890123456789.5 "}
        leads:
          - {Id: 00Q3, Email: c@x.io, LastName: C, Company: C, NumberOfEmployees: 5}
        """,
    )
    assert entry(data, "p1")["dropped"] == [
        {
            "field": "NumberOfEmployees",
            "code": "NUMBER_OUTSIDE_VALID_RANGE",
            "value": "12345678901234567890123456789",
        }
    ]
    assert entry(data, "p1")["action"] == "create_lead"
    assert "NumberOfEmployees" not in entry(data, "p1")["to_salesforce"]
    assert entry(data, "p2")["to_salesforce"]["NumberOfEmployees"] == 123456789012345678
    p3 = entry(data, "p3")
    assert (p3["to_salesforce"], p3["dropped"]) == (
        {},
        [
            {
                "field": "NumberOfEmployees",
                "code": "NUMBER_OUTSIDE_VALID_RANGE",
                "value": " -1234567890123456789.5 ",
            }
        ],
    )


def test_digits_right_of_the_point_are_written_as_sent(tmp_path: Path) -> None:
    """The API keeps decimal places beyond the field's scale (Salesforce Help 000212661):
    nothing is rounded, nothing dropped."""
    rules = (
        CONNECTOR
        + "object lead { Score__c: number }\nfield score { lead: Score__c sync: pardot }\n"
    )
    data = plan(
        tmp_path,
        rules,
        """
        prospects:
          - {id: p1, email: a@x.io, crm_lead_fid: 00Q1, score: 237.631}
        leads:
          - {Id: 00Q1, Email: a@x.io, LastName: A, Company: C, Score__c: 5}
        """,
    )
    assert (entry(data, "p1")["to_salesforce"], entry(data, "p1")["dropped"]) == (
        {"Score__c": 237.631},
        [],
    )


def test_a_huge_number_field_value_is_dropped_by_the_python_engine(tmp_path: Path) -> None:
    """1.5e300 in a number field: the DuckDB engine cannot hold it (it says so, and auto
    falls back); the reference drops it with its code."""
    rules = rules_of(CONNECTOR + "field score { lead: NumberOfEmployees }\n")
    records = records_of(
        tmp_path,
        rules,
        "prospects: [{id: p1, email: a@x.io, last_name: A, company: C, score: 1.5e300}]\n",
    )
    outcome = api.dry_run(rules, records, now=NOW, engine="auto").outcomes[0]
    assert [(d.field, d.code.value, d.value) for d in outcome.dropped] == [
        ("NumberOfEmployees", "NUMBER_OUTSIDE_VALID_RANGE", Decimal("1.5e300"))
    ]


def test_an_owner_that_is_no_active_listed_user_is_not_followed(tmp_path: Path) -> None:
    """Account Engagement assigns only to users it is connected with: without a users list,
    or for an inactive owner, the prospect keeps its assigned user."""
    records = """
        prospects:
          - {id: p1, email: a@x.io, last_name: A, company: C, crm_lead_fid: 00Q1}
          - {id: p2, email: b@x.io, last_name: B, company: C, crm_lead_fid: 00Q2,
             assigned_user: 005A}
        leads:
          - {Id: 00Q1, Email: a@x.io, LastName: A, Company: C, OwnerId: 005A}
          - {Id: 00Q2, Email: b@x.io, LastName: B, Company: C, OwnerId: 005Z}
        """
    bare = plan(tmp_path, CONNECTOR, records)
    assert [r.get("owner") for r in bare["records"]] == [None, None]
    listed = plan(tmp_path, CONNECTOR, PEOPLE + textwrap.dedent(records))
    assert [r.get("owner") for r in listed["records"]] == [
        {"decision": "salesforce", "id": "005A"},
        None,  # 005Z is inactive
    ]


# -- Company from the Account (issue 12) ----------------------------------------------------

LONG = "Analytical Engines " * 14  # 266 characters: more than prospect company's 255
ACCOUNTS = f"""
accounts:
  - {{Id: 001A, Name: Acme Corp}}
  - {{Id: 001L, Name: "{LONG}"}}
  - {{Id: 001B, Name: ""}}
  - {{Id: 001P, Name: Pat Person, IsPersonAccount: true}}
"""
COMPANY = ""  # helpers.BASE maps company { lead: Company } (sync: salesforce)


def test_a_contacts_company_is_its_accounts_name_whatever_the_sync(tmp_path: Path) -> None:
    yaml_text = (
        ACCOUNTS
        + """
prospects:
  - {id: p1, email: a@x.io, last_name: A, company: Someone Else, crm_contact_fid: 003A}
  - {id: p2, email: b@x.io, last_name: B, company: Acme Corp, crm_contact_fid: 003B}
  - {id: p3, email: c@x.io, last_name: C, company: X, crm_contact_fid: 003L}
  - {id: p4, email: d@x.io, last_name: D, company: Kept, crm_contact_fid: 003N}
  - {id: p5, email: e@x.io, last_name: E, company: Kept, crm_contact_fid: 003E}
  - {id: p6, email: f@x.io, last_name: F, company: Kept, crm_contact_fid: 003P}
contacts:
  - {Id: 003A, Email: a@x.io, LastName: A, AccountId: 001A}
  - {Id: 003B, Email: b@x.io, LastName: B, AccountId: 001A}
  - {Id: 003L, Email: c@x.io, LastName: C, AccountId: 001L}
  - {Id: 003N, Email: d@x.io, LastName: D}
  - {Id: 003E, Email: e@x.io, LastName: E, AccountId: 001B}
  - {Id: 003P, Email: f@x.io, LastName: F, AccountId: 001P}
"""
    )
    data, written = _run(tmp_path, COMPANY, yaml_text)
    rows = {r["prospect"]: (r["action"], r["to_pardot"], r["dropped"]) for r in data["records"]}
    assert rows == {
        # the account's name wins, and the connector never writes it to Salesforce
        "p1": ("update", {"company": "Acme Corp"}, []),
        "p2": ("no_change", {}, []),
        "p3": (
            "no_change",
            {},
            [
                {"field": "company", "code": "STRING_TOO_LONG", "value": LONG.strip()},
            ],
        ),
        "p4": ("no_change", {}, []),  # no account: nothing to sync
        "p5": ("no_change", {}, []),  # an account without a name: nothing to sync
        "p6": ("no_change", {}, []),  # a person account's Name is no company
    }
    assert entry(data, "p1")["to_salesforce"] == {}
    assert {p["id"]: p["company"] for p in written["prospects"]}["p1"] == "Acme Corp"


def test_a_prospect_created_from_a_contact_takes_its_accounts_name(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        COMPANY + "connector { create_prospects: true }\n",
        ACCOUNTS + "contacts: [{Id: 003A, Email: a@x.io, LastName: A, AccountId: 001A}]\n",
    )
    assert data["prospects_from_salesforce"] == [
        {
            "source": {"object": "contact", "id": "003A"},
            "action": "create_prospect",
            "to_pardot": {"email": "a@x.io", "last_name": "A", "company": "Acme Corp"},
            "dropped": [],
        }
    ]


def test_a_remapped_company_syncs_the_contact_field_instead(tmp_path: Path) -> None:
    """The help page: once Company is mapped to another field, only that field syncs."""
    rules = """
        object prospect { email: email  company: text(255) }
        object lead { Email: email  Company: text(255) }
        object contact { Email: email  Company__c: text(80) }
        field email { lead: Email contact: Email }
        field company { lead: Company contact: Company__c sync: salesforce }
        """
    data = plan(
        tmp_path,
        rules,
        ACCOUNTS
        + "prospects: [{id: p1, email: a@x.io, last_name: A, company: X, crm_contact_fid: 003A}]\n"
        + "contacts: [{Id: 003A, Email: a@x.io, LastName: A, AccountId: 001A, Company__c: Y}]\n",
        base=False,
    )
    assert entry(data, "p1")["to_pardot"] == {"company": "Y"}


# -- most_recent by field history (issue 12) ----------------------------------------------

OPTED = (
    "field opted_out { lead: HasOptedOutOfEmail contact: HasOptedOutOfEmail sync: most_recent }\n"
)
HISTORY_RECORDS = """
prospects:
  - {id: p1, email: a@x.io, last_name: A, company: C, opted_out: true, crm_lead_fid: 00Q1,
     updated_at: 2026-11-10T00:00:00Z}
  - {id: p2, email: b@x.io, last_name: B, company: C, opted_out: false, crm_lead_fid: 00Q2,
     updated_at: 2026-11-10T00:00:00Z}
  - {id: p3, email: c@x.io, last_name: C, opted_out: true, crm_contact_fid: 003C,
     updated_at: 2026-11-10T00:00:00Z}
leads:
  # edited after the prospect, but its opt-out never changed since tracking began
  - {Id: 00Q1, Email: a@x.io, LastName: A, Company: C, HasOptedOutOfEmail: false,
     LastModifiedDate: 2026-11-20T00:00:00Z}
  - {Id: 00Q2, Email: b@x.io, LastName: B, Company: C, HasOptedOutOfEmail: true,
     LastModifiedDate: 2026-11-20T00:00:00Z}
contacts:
  # last edited before the prospect, but its opt-out changed after
  - {Id: 003C, Email: c@x.io, LastName: C, HasOptedOutOfEmail: false,
     LastModifiedDate: 2026-11-01T00:00:00Z}
"""
HISTORY = """
field_history:
  - {Id: 017A, LeadId: 00Q2, Field: HasOptedOutOfEmail, CreatedDate: "2026-11-15T00:00:00Z"}
  - {Id: 017B, ContactId: 003C, Field: HasOptedOutOfEmail, CreatedDate: "2026-11-12T00:00:00Z"}
  - {Id: 017C, ParentId: 003C, Field: HasOptedOutOfEmail, CreatedDate: "2026-10-01T00:00:00Z"}
"""


def test_most_recent_compares_the_fields_own_history(tmp_path: Path) -> None:
    data = plan(tmp_path, OPTED, HISTORY_RECORDS + HISTORY)
    writes = {r["prospect"]: (r["to_salesforce"], r["to_pardot"]) for r in data["records"]}
    assert writes == {
        "p1": ({"HasOptedOutOfEmail": True}, {}),  # no change in 00Q1's history: AE is later
        "p2": ({}, {"opted_out": True}),  # 00Q2's opt-out changed on 11-15, after 11-10
        "p3": ({}, {"opted_out": False}),  # the latest of 003C's two changes is 11-12
    }


def test_without_field_history_most_recent_reads_last_modified_date(tmp_path: Path) -> None:
    data = plan(tmp_path, OPTED, HISTORY_RECORDS)
    writes = {r["prospect"]: (r["to_salesforce"], r["to_pardot"]) for r in data["records"]}
    assert writes == {
        "p1": ({}, {"opted_out": False}),  # SPEC §3.5: 00Q1 was modified after the prospect
        "p2": ({}, {"opted_out": True}),
        "p3": ({"HasOptedOutOfEmail": True}, {}),  # 003C's LastModifiedDate is older
    }


def test_explain_names_the_fields_last_change(tmp_path: Path) -> None:
    rules = rules_of(OPTED)
    records = records_of(tmp_path, rules, HISTORY_RECORDS + HISTORY)
    fields = next(s for s in api.explain(rules, records, "p3", now=NOW).steps if s.step == "fields")
    assert (
        "opted_out ↔ HasOptedOutOfEmail (most_recent): Salesforce has a value and was "
        "updated later (field history: "
        "HasOptedOutOfEmail last changed 2026-11-12T00:00:00+00:00); write false to Account "
        "Engagement"
    ) in fields.details


def test_a_history_entry_without_a_valid_time_is_a_located_input_error(tmp_path: Path) -> None:
    rules = rules_of(OPTED)
    bad = "field_history:\n  - {Id: 017A, ParentId: 00Q1, Field: Title, CreatedDate: soon}\n"
    try:
        records_of(tmp_path, rules, bad)
    except api.InputError as error:
        message = str(error)
    else:
        raise AssertionError("the entry was accepted")
    assert message.endswith(
        "records.yaml:2: record 017A, field CreatedDate: 'soon' is not an ISO 8601 date-time"
    )


def test_a_prospect_created_from_salesforce_is_assigned_the_records_owner(
    tmp_path: Path,
) -> None:
    yaml_text = (
        PEOPLE
        + """
leads:
  - {Id: 00Q1, Email: a@x.io, LastName: A, Company: C, OwnerId: 005A}
  - {Id: 00Q2, Email: b@x.io, LastName: B, Company: C, OwnerId: 00G1}
  - {Id: 00Q3, Email: c@x.io, LastName: C, Company: C, OwnerId: 005Z}
"""
    )
    data, written = _run(tmp_path, "connector { create_prospects: true }\n", yaml_text)
    assert [n["source"]["id"] for n in data["prospects_from_salesforce"]] == [
        "00Q1",
        "00Q2",
        "00Q3",
    ]
    # an active owner is taken; a queue or an inactive owner leaves the prospect unassigned
    assigned = {p["id"]: p.get("assigned_user") for p in written["prospects"]}
    assert assigned == {"sf-lead-00Q1": "005A", "sf-lead-00Q2": None, "sf-lead-00Q3": None}


def test_diff_shows_an_owner_decision_that_changes(tmp_path: Path) -> None:
    """Turning on the assignment rule changes only who owns the new lead: diff lists the
    prospect, with the decision before and after (the writes are the same)."""
    from engine.render import diff

    records = tmp_path / "records.yaml"
    records.write_text(
        PEOPLE + "prospects: [{id: p1, email: a@x.io, last_name: A, company: C}]\n", "utf-8"
    )
    old = rules_of(CONNECTOR)
    new = rules_of(
        'connector { user: "pardot.integration@acme.example" assignment_rule: true }\n'
        "create lead when true\n"
    )
    changes, compared = api.diff(old, new, str(records), now=NOW, engine="python")
    (change,) = changes
    assert change.what == ("owner",)
    assert diff.text(changes, compared).splitlines() == [
        "1 of 1 prospects change:",
        "  p1: create_lead (unchanged)",
        "      owner: default ⇒ assignment_rule",
    ]
