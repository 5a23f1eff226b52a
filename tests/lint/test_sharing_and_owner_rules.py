"""Issue 12's lint rules beyond their case files: the messages name what they promise
(fields, mappings, prospects, users), and each stays quiet where it says it does."""

from __future__ import annotations

import json
from pathlib import Path

from engine import api
from engine.diagnostics import Diagnostic
from engine.render import plan_json


def _lint(tmp_path: Path, rules: str, records: str | None = None) -> list[Diagnostic]:
    (tmp_path / "r.sync").write_text(rules, encoding="utf-8")
    checked = api.check([str(tmp_path / "r.sync")])
    assert not checked.has_errors, [d.message for d in checked.diagnostics]
    data = None
    if records is not None:
        (tmp_path / "records.yaml").write_text(records, encoding="utf-8")
        data = api.load_records(str(tmp_path / "records.yaml"), checked)
    return list(api.lint(checked, None, data))


def _named(found: list[Diagnostic], name: str) -> list[Diagnostic]:
    return [d for d in found if d.name == name]


SHARED = """
object prospect { email: email segment: text(20) }
object lead { Email: email Segment__c: text(20) }
object contact { Email: email Segment__c: text(20) }
field email { lead: Email contact: Email }
field segment { lead: Segment__c contact: Segment__c sync: SYNC }
share lead when Segment__c = "Marketing"
share contact when Segment__c = "Marketing"
"""


def test_mapped_share_field_names_the_field_the_mapping_and_how_it_is_written(
    tmp_path: Path,
) -> None:
    found = _named(_lint(tmp_path, SHARED.replace("SYNC", "pardot")), "mapped-share-field")
    assert [(d.span.line, d.span.col) for d in found] == [(7, 17), (8, 20)]
    assert found[0].message == (
        "this lead share rule reads Segment__c, which the prospect field segment syncs into "
        "(sync: pardot): the connector writes the prospect's value into it, so a change in "
        "Account Engagement can move the record out of Marketing Data Sharing (Salesforce "
        "accepts only a field no prospect field is mapped to)"
    )
    assert [(s.line, text) for s, text in found[0].related] == [(6, "field segment maps it here")]


def test_mapped_share_field_salesforce_always_writes_leads_on_create_only(
    tmp_path: Path,
) -> None:
    found = _named(
        _lint(tmp_path, SHARED.replace("SYNC", "salesforce_always")), "mapped-share-field"
    )
    assert "sets it from the prospect on every lead it creates" in found[0].message
    assert "the connector never writes it" in found[1].message  # the contact
    assert "so the rule cannot be set up" in found[1].message


def test_mapped_share_field_is_quiet_for_sync_off(tmp_path: Path) -> None:
    assert _named(_lint(tmp_path, SHARED.replace("SYNC", "off")), "mapped-share-field") == []


def test_share_one_object_contacts_only(tmp_path: Path) -> None:
    rules = """
object contact { Shared__c: boolean readonly }
share contact when Shared__c
"""
    (finding,) = _named(_lint(tmp_path, rules), "share-one-object")
    assert (finding.span.line, finding.span.col) == (3, 7)
    assert finding.message.startswith(
        "contacts have a share rule but leads have none: every lead is visible"
    )
    assert finding.hint is not None
    assert "share lead when" in finding.hint


def test_share_one_object_quiet_with_both_objects_or_none(tmp_path: Path) -> None:
    both = """
object lead { Shared__c: boolean readonly }
object contact { Shared__c: boolean readonly }
share lead when Shared__c
share contact when Shared__c
"""
    assert _named(_lint(tmp_path, both), "share-one-object") == []
    assert _named(_lint(tmp_path, "object lead { Email: email }\n"), "share-one-object") == []


UNITS = """
object lead { Region__c: text(20) readonly  Flag__c: boolean }
object contact { Region__c: text(20) readonly }
share lead when Region__c = "ORG"
business_unit Americas {
    share contact when Region__c = "AMER"
}
business_unit EMEA {
    share lead when Region__c = "EMEA"
    share contact when Region__c = "EMEA"
}
business_unit Partners {
}
business_unit Resellers {
}
"""


def test_share_one_object_judges_each_business_unit_as_its_cycle_runs(tmp_path: Path) -> None:
    # the org-wide lead rule alone would be one finding; with units it runs only through
    # Americas (which adds contacts: fine), Partners and Resellers (leads only: one finding
    # naming both); EMEA has its own rules for both objects
    (finding,) = _named(_lint(tmp_path, UNITS), "share-one-object")
    assert (finding.span.line, finding.span.col) == (4, 7)
    assert finding.message.startswith(
        "in business units Partners and Resellers, leads have a share rule but contacts "
        "have none: every contact is visible"
    )
    both = UNITS.replace(
        "business_unit Partners {\n}",
        'business_unit Partners {\n    share contact when Region__c = "P"\n}',
    )
    (finding,) = _named(_lint(tmp_path, both), "share-one-object")
    assert finding.message.startswith("in business unit Resellers, leads have")


def test_created_lead_not_shared_judges_each_business_unit(tmp_path: Path) -> None:
    rules = """
object prospect { email: email }
object lead { Email: email  Region__c: text(20) readonly  Flag__c: boolean }
object contact { Email: email }
field email { lead: Email contact: Email }
share lead when Region__c = "ORG"
business_unit Americas {
    share lead when Flag__c
}
business_unit EMEA {
}
"""
    # the org-wide rule can hold for a new lead (Region__c is a formula field); Americas's
    # own rule reads a checkbox nothing writes: every lead Americas creates is lost to it
    (finding,) = _named(_lint(tmp_path, rules), "created-lead-not-shared")
    assert (finding.span.line, finding.span.col) == (8, 21)
    assert finding.message.startswith(
        "in business unit Americas, no lead the connector creates meets this share rule"
    )
    # without units the org-wide rule set is judged as before: nothing to report
    plain = rules.split("business_unit")[0] + "share lead when Flag__c\n"
    assert _named(_lint(tmp_path, plain), "created-lead-not-shared") == []
    flagged = rules.split("business_unit")[0].replace('Region__c = "ORG"', "Flag__c")
    (finding,) = _named(_lint(tmp_path, flagged), "created-lead-not-shared")
    assert finding.message.startswith("no lead the connector creates meets this share rule")


OWNER_RULES = """
object prospect { email: email score: number }
object lead { Email: email OwnerId: reference(user) }
object contact { Email: email }
field email { lead: Email contact: Email }
CONNECTOR
GATE
"""
OWNER_RECORDS = """
USERS
prospects:
  - {id: p1, email: a@example.com, score: 60, assigned_user: 005B}
  - {id: p2, email: b@example.com, score: 60, assigned_user: 005A000000000AAAAA}
  - {id: p3, email: c@example.com, score: 60, assigned_user: 005Z}
  - {id: p4, email: D@example.com, score: 60, assigned_user: 005Z}
leads:
  - {Id: 00Q1, Email: d@example.com}
"""
USERS = """users:
  - {Id: 005A000000000AA, Name: Dana Direct, active: true}
  - {Id: 005B, Name: Sam Former, active: false}"""


def _owner(
    tmp_path: Path,
    *,
    gate: str = "create lead when assigned and score >= 50",
    connector: str = "",
    users: str = USERS,
) -> list[Diagnostic]:
    rules = OWNER_RULES.replace("CONNECTOR", connector).replace("GATE", gate)
    found = _lint(tmp_path, rules, OWNER_RECORDS.replace("USERS", users))
    return _named(found, "assigned-user-not-owner")


def test_assigned_user_not_owner_says_the_user_and_the_prospects(tmp_path: Path) -> None:
    found = _owner(tmp_path)
    # p2's 18-character Id names the active 15-character user; p4 has lead 00Q1's email
    assert [d.message for d in found] == [
        "1 prospect(s) assigned to 005B have no lead or contact and may be created as leads "
        "(p1), but 005B is an inactive user: Salesforce refuses an inactive owner, so the "
        "connector creates the leads owned by the connector user",
        "1 prospect(s) assigned to 005Z have no lead or contact and may be created as leads "
        "(p3), but 005Z names no user in the users list: the leads are created with OwnerId "
        "005Z, which Salesforce refuses unless it is an active user",
    ]
    assert {(d.span.line, d.span.col) for d in found} == {(7, 18)}  # the gate's condition


def test_assigned_user_not_owner_says_what_the_dry_run_plans(tmp_path: Path) -> None:
    """The finding and the plan agree: the lint asks the cycle's own owner decision."""
    rules = tmp_path / "r.sync"
    rules.write_text(
        OWNER_RULES.replace("CONNECTOR", "").replace(
            "GATE", "create lead when assigned and score >= 50"
        ),
        encoding="utf-8",
    )
    records = tmp_path / "records.yaml"
    records.write_text(OWNER_RECORDS.replace("USERS", USERS), encoding="utf-8")
    checked = api.check([str(rules)])
    plan = json.loads(
        plan_json.render(api.dry_run(checked, api.load_records(str(records), checked)))
    )
    p1 = next(o for o in plan["records"] if o["prospect"] == "p1")
    assert p1["owner"]["decision"] == "connector_user"  # what the inactive-user finding says
    p3 = next(o for o in plan["records"] if o["prospect"] == "p3")
    assert p3["to_salesforce"]["OwnerId"] == "005Z"  # "created with OwnerId 005Z"


def test_a_queue_is_an_owner_not_a_finding(tmp_path: Path) -> None:
    queues = USERS + "\nqueues:\n  - {Id: 005Z, Name: Inbound Leads}"
    found = _owner(tmp_path, users=queues)
    assert [d.message.split(",")[0] for d in found] == [
        "1 prospect(s) assigned to 005B have no lead or contact and may be created as leads (p1)"
    ]


def test_assigned_user_not_owner_with_crm_id_matching_counts_the_email_twin(
    tmp_path: Path,
) -> None:
    found = _owner(tmp_path, connector="connector { match: crm_id }")
    assert "(p3, p4)" in found[1].message
    assert "2 prospect(s)" in found[1].message


def test_assigned_user_not_owner_default_gate_points_at_owner_id(tmp_path: Path) -> None:
    found = _owner(tmp_path, gate="")
    assert {(d.span.line, d.span.col) for d in found} == {(3, 28)}  # `OwnerId` in `object lead`


def test_assigned_user_not_owner_quiet_cases(tmp_path: Path) -> None:
    # the gate never admits an assigned prospect; the connector is paused; no users listed
    assert _owner(tmp_path, gate="create lead when not assigned") == []
    assert _owner(tmp_path, connector="connector { paused: true }") == []
    assert _owner(tmp_path, users="users: []") == []
    # without --records the rule does not run at all
    (tmp_path / "r.sync").write_text(OWNER_RULES.replace("CONNECTOR", "").replace("GATE", ""))
    assert (
        _named(
            list(api.lint(api.check([str(tmp_path / "r.sync")]), None, None)),
            "assigned-user-not-owner",
        )
        == []
    )
