"""SPEC §3, one rule at a time, then the interactions between them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.runtime.helpers import BASE, entry, plan

USERS = """
        users:
          - {Id: 005A, Name: Dana Direct, groups: [Direct Sales], active: true}
          - {Id: 005B, Name: Pat Partner, groups: [Partners], active: true}"""


# -- 1. paused ---------------------------------------------------------------------------


def test_paused_connector_skips_every_prospect_but_still_reports_stages(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { paused: true }\nstage MQL when score >= 100\n",
        """
        prospects:
          - {id: p1, email: a@example.com, score: 120, assigned_user: 005A}
          - {id: p2, email: b@example.com, score: 5}
        """,
    )
    assert data["summary"] == {
        "prospects": 2,
        "create_lead": 0,
        "update": 0,
        "no_change": 0,
        "skip": 2,
        "error": 0,
        "create_prospect": 0,
    }
    assert data["records"] == [
        {"prospect": "p1", "action": "skip", "reason": "paused", "stages": ["MQL"]},
        {"prospect": "p2", "action": "skip", "reason": "paused", "stages": []},
    ]


# -- 2. and 3. visibility and matching --------------------------------------------------------


def test_crm_id_naming_an_invisible_record_is_not_shared(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'share lead when OwnerId in group "Direct Sales"\n',
        USERS
        + """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q2}
        leads:
          - {Id: 00Q2, Email: a@example.com, LastName: L, Company: C, OwnerId: 005B}
        """,
    )
    assert entry(data, "p1") == {
        "prospect": "p1",
        "action": "skip",
        "reason": "not_shared",
        "stages": [],
    }


def test_crm_contact_id_wins_over_crm_lead_id(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1, crm_contact_fid: 003C,
             first_name: Ada, last_name: L}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, FirstName: Ada}
        contacts:
          - {Id: 003C, Email: a@example.com, LastName: L, FirstName: Ada}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["target"], p1["matched_by"]) == (
        "no_change",
        {"object": "contact", "id": "003C"},
        "crm_id",
    )


def test_email_match_prefers_contacts_then_latest_then_smallest_id(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: ADA@Example.com}
          - {id: p2, email: bob@example.com}
          - {id: p3, email: cy@example.com}
        leads:
          - {Id: 00Q1, Email: ada@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-20T00:00:00Z}
          - {Id: 00Q3, Email: bob@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-10-01T00:00:00Z}
          - {Id: 00Q2, Email: bob@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-01T00:00:00Z}
          - {Id: 00Q9, Email: cy@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-01T00:00:00Z}
          - {Id: 00Q8, Email: cy@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-01T00:00:00Z}
        contacts:
          - {Id: 003A, Email: Ada@example.com, LastName: L,
             LastModifiedDate: 2026-01-01T00:00:00Z}
        """,
    )
    targets = {r["prospect"]: (r["target"]["id"], r["matched_by"]) for r in data["records"]}
    assert targets == {"p1": ("003A", "email"), "p2": ("00Q2", "email"), "p3": ("00Q8", "email")}


def test_match_crm_id_mode_never_matches_by_email(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { match: crm_id }\ncreate lead when false\n",
        """
        prospects:
          - {id: p1, email: a@example.com}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
        """,
    )
    assert entry(data, "p1")["reason"] == "gated"


def test_invisible_records_are_not_matched_by_email(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'share lead when OwnerId in group "Direct Sales"\ncreate lead when false\n',
        USERS
        + """
        prospects:
          - {id: p1, email: a@example.com}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, OwnerId: 005B}
        """,
    )
    assert entry(data, "p1")["reason"] == "gated"


# -- 4. the gate ---------------------------------------------------------------------------


def test_default_gate_creates_only_assigned_prospects(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: Lovelace, company: Analytical,
             assigned_user: 005A}
          - {id: p2, email: b@example.com, last_name: Babbage, company: Engines}
        """,
    )
    assert entry(data, "p1") == {
        "prospect": "p1",
        "action": "create_lead",
        "stages": [],
        "to_salesforce": {
            "Email": "a@example.com",
            "LastName": "Lovelace",
            "Company": "Analytical",
            "OwnerId": "005A",
        },
        "to_pardot": {},
        "dropped": [],
    }
    assert entry(data, "p2") == {
        "prospect": "p2",
        "action": "skip",
        "reason": "gated",
        "stages": [],
    }


def test_gate_with_stages(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'stage MQL when score >= 100 or grade >= "B"\ncreate lead when MQL\n',
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: A, company: C, score: 100}
          - {id: p2, email: b@example.com, last_name: B, company: C, grade: B-}
          - {id: p3, email: c@example.com, last_name: C, company: C, grade: A+}
        """,
    )
    actions = {r["prospect"]: (r["action"], r["stages"]) for r in data["records"]}
    assert actions == {
        "p1": ("create_lead", ["MQL"]),
        "p2": ("skip", []),
        "p3": ("create_lead", ["MQL"]),
    }


# -- 5. field resolution -------------------------------------------------------------------


def _resolve(tmp_path: Path, sync: str, prospect: str, lead: str) -> dict[str, Any]:
    data = plan(
        tmp_path,
        f"field country {{ lead: Country sync: {sync} }}\n",
        f"""
        prospects:
          - {{id: p1, email: a@example.com, last_name: L, company: C, {prospect}}}
        leads:
          - {{Id: 00Q1, Email: a@example.com, LastName: L, Company: C, {lead}}}
        """,
    )
    p1 = entry(data, "p1")
    return {"sf": p1["to_salesforce"], "pd": p1["to_pardot"], "action": p1["action"]}


def test_sync_salesforce_value_wins_and_fills_blank(tmp_path: Path) -> None:
    assert _resolve(tmp_path, "salesforce", "country: Canada", "Country: Germany") == {
        "sf": {},
        "pd": {"country": "Germany"},
        "action": "update",
    }
    assert _resolve(tmp_path, "salesforce", "country: Canada", "Country: null") == {
        "sf": {"Country": "Canada"},
        "pd": {},
        "action": "update",
    }


def test_sync_pardot_mirror(tmp_path: Path) -> None:
    assert _resolve(tmp_path, "pardot", "country: Canada", "Country: Germany") == {
        "sf": {"Country": "Canada"},
        "pd": {},
        "action": "update",
    }
    assert _resolve(tmp_path, "pardot", "country: ''", "Country: Germany") == {
        "sf": {},
        "pd": {"country": "Germany"},
        "action": "update",
    }


def test_sync_always_writes_blanks(tmp_path: Path) -> None:
    # SPEC §4: a value that blanks a field is null in the plan
    assert _resolve(tmp_path, "salesforce_always", "country: Canada", "Country: null") == {
        "sf": {},
        "pd": {"country": None},
        "action": "update",
    }
    assert _resolve(tmp_path, "pardot_always", "country: ''", "Country: Germany") == {
        "sf": {"Country": None},
        "pd": {},
        "action": "update",
    }


def test_sync_off_never_syncs(tmp_path: Path) -> None:
    assert _resolve(tmp_path, "off", "country: Canada", "Country: Germany") == {
        "sf": {},
        "pd": {},
        "action": "no_change",
    }


def test_most_recent_later_side_wins_and_tie_goes_to_salesforce(tmp_path: Path) -> None:
    later_prospect = _resolve(
        tmp_path,
        "most_recent",
        "country: Canada, updated_at: 2026-11-02T00:00:00Z",
        "Country: Germany, LastModifiedDate: 2026-11-01T00:00:00Z",
    )
    assert later_prospect["sf"] == {"Country": "Canada"}
    tie = _resolve(
        tmp_path,
        "most_recent",
        "country: Canada, updated_at: 2026-11-01T00:00:00Z",
        "Country: Germany, LastModifiedDate: 2026-11-01T00:00:00Z",
    )
    assert (tie["sf"], tie["pd"]) == ({}, {"country": "Germany"})
    later_but_blank = _resolve(
        tmp_path,
        "most_recent",
        "country: '', updated_at: 2026-11-02T00:00:00Z",
        "Country: Germany, LastModifiedDate: 2026-11-01T00:00:00Z",
    )
    assert later_but_blank["pd"] == {"country": "Germany"}


# -- 6. types ----------------------------------------------------------------------------------


def test_values_that_do_not_fit_are_dropped_and_the_rest_syncs(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        field employees { lead: NumberOfEmployees sync: pardot }
        field country { lead: Country sync: pardot }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, employees: 50-100, country: France, job_title: CTO}
          - {id: p2, email: b@example.com, employees: " 250 ", country: Canada}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
        """,
    )
    p1, p2 = entry(data, "p1"), entry(data, "p2")
    assert p1["to_salesforce"] == {"Title": "CTO"}
    assert p1["dropped"] == [
        {"field": "NumberOfEmployees", "code": "INVALID_TYPE", "value": "50-100"},
        {"field": "Country", "code": "INVALID_PICKLIST_VALUE", "value": "France"},
    ]
    assert p2["to_salesforce"] == {"NumberOfEmployees": 250, "Country": "Canada"}


def test_bad_email_and_long_text_are_dropped(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "field country { lead: Title sync: pardot }\n",
        """
        prospects:
          - {id: p1, email: not-an-address, last_name: L, company: C, assigned_user: 005A,
             first_name: Abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij}
        """,
    )
    assert entry(data, "p1")["dropped"] == [
        {"field": "Email", "code": "INVALID_EMAIL_ADDRESS", "value": "not-an-address"},
        {
            "field": "FirstName",
            "code": "STRING_TOO_LONG",
            "value": "Abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij",
        },
    ]


# -- 7. Salesforce checks ------------------------------------------------------------------------


def test_readonly_field_write_is_an_access_error(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "field grade { lead: Rating sync: pardot }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, grade: A}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["error_code"], p1["rule"], p1["fields"]) == (
        "error",
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
        None,
        ["Rating"],
    )
    assert "to_salesforce" not in p1


def test_required_field_missing_on_create(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: Lovelace, assigned_user: 005A}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["error_code"], p1["fields"]) == (
        "error",
        "REQUIRED_FIELD_MISSING",
        ["Company"],
    )


def test_validation_rules_first_reported_all_listed(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        validation Needs_Title on lead { error_if: ISBLANK(Title) message: "Title!" }
        validation Needs_Country on lead {
            error_if: ISBLANK(TEXT(Country)) message: "Country!" field: Country }
        validation Off on lead { error_if: true message: "never" active: false }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, first_name: Ada}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["error_code"], p1["rule"], p1["message"]) == (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Needs_Title",
        "Title!",
    )
    assert [e["rule"] for e in p1["errors"]] == ["Needs_Title", "Needs_Country"]
    assert p1["errors"][1]["fields"] == ["Country"]


def test_no_salesforce_write_means_no_salesforce_checks(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'validation Always on lead { error_if: true message: "no" }\n',
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, Title: CTO}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["to_pardot"]) == ("update", {"job_title": "CTO"})


def test_isnew_ischanged_priorvalue(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        field country { lead: Title sync: pardot }
        validation Title_Locked on lead {
            error_if: ISCHANGED(Title) && PRIORVALUE(Title) = "CEO"
            message: "The CEO title is managed by sales."
        }
        validation New_Needs_Title on lead {
            error_if: ISNEW() && ISBLANK(Title) message: "new leads need a title"
        }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, country: CTO}
          - {id: p2, email: b@example.com, country: CTO}
          - {id: p3, email: c@example.com, last_name: C, company: C, assigned_user: 005A}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, Title: CEO}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C, Title: VP}
        """,
    )
    assert entry(data, "p1")["rule"] == "Title_Locked"
    assert entry(data, "p2")["to_salesforce"] == {"Title": "CTO"}
    assert entry(data, "p3")["rule"] == "New_Needs_Title"


# -- interactions -----------------------------------------------------------------------------


def test_duplicate_blocked_by_a_record_a_sharing_rule_hides(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'share lead when OwnerId in group "Direct Sales"\nduplicate lead by Email\n',
        USERS
        + """
        prospects:
          - {id: p1, email: Ada@Example.com, last_name: L, company: C, assigned_user: 005A}
        leads:
          - {Id: 00Q9, Email: ada@example.com, LastName: L, Company: C, OwnerId: 005B}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["error_code"], p1["rule"]) == (
        "error",
        "DUPLICATES_DETECTED",
        "lead by Email",
    )


def test_dropped_picklist_value_leaves_field_blank_so_validation_fires(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        field country { lead: Country sync: pardot }
        validation Country_Required on lead {
            error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(TEXT(Country))
            message: "Lead must have a valid Country before being assigned."
            field: Country
        }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C, country: France,
             assigned_user: 005A}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["rule"]) == ("error", "Country_Required")
    assert p1["dropped"] == [
        {"field": "Country", "code": "INVALID_PICKLIST_VALUE", "value": "France"}
    ]


def test_update_rejected_by_validation_on_a_field_it_did_not_touch(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        validation Country_Required on lead {
            error_if: ISBLANK(TEXT(Country)) message: "Country needed" field: Country }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, job_title: CTO}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["action"], p1["rule"], p1["target"]) == (
        "error",
        "Country_Required",
        {"object": "lead", "id": "00Q1"},
    )


def test_stages_read_the_matched_record(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'stage MQL when score >= 100\nstage SQL when MQL and lead.Status = "Qualified"\n',
        """
        prospects:
          - {id: p1, email: a@example.com, score: 150}
          - {id: p2, email: b@example.com, score: 150}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, Status: Qualified}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C, Status: Open}
        """,
    )
    assert entry(data, "p1")["stages"] == ["MQL", "SQL"]
    assert entry(data, "p2")["stages"] == ["MQL"]


def test_a_created_lead_is_seen_by_later_prospects(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "duplicate lead by Email\n",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C, assigned_user: 005A}
          - {id: p2, email: A@example.com, last_name: L, company: C, job_title: CTO}
        """,
    )
    p2 = entry(data, "p2")
    assert (data["records"][0]["action"], p2["action"], p2["matched_by"]) == (
        "create_lead",
        "update",
        "email",
    )
    assert p2["to_salesforce"] == {"Title": "CTO"}


def test_formula_failure_is_reported_never_silent(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "stage Big when VALUE(employees) > 100\n",
        """
        prospects:
          - {id: p1, email: a@example.com, employees: lots}
        """,
    )
    p1 = entry(data, "p1")
    assert p1["stages"] == []
    assert p1["formula_errors"] == [
        {
            "rule": "stage Big",
            "record": "p1",
            "message": 'VALUE("lots"): not a number',
            "location": f"rules.sync:{BASE.count(chr(10)) + 1}:16",
        }
    ]


def test_duplicate_rule_sees_contacts_even_without_a_declared_contact_email(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        """
        object prospect { email: email last_name: text(80) company: text(255) }
        object lead { Email: email LastName: text(80) required Company: text(255) required }
        field email { lead: Email }
        field last_name { lead: LastName }
        field company { lead: Company }
        duplicate lead by Email
        share contact when false
        """,
        """
        prospects:
          - {id: p1, email: ada@example.com, last_name: L, company: C, assigned_user: 005A}
        contacts:
          - {Id: 003A, Email: ADA@example.com, LastName: L}
        """,
        base=False,
    )
    assert entry(data, "p1")["error_code"] == "DUPLICATES_DETECTED"
