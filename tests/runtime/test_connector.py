"""SPEC §2's connector state and §3's connector semantics (issue 12): deleted records,
converted leads, the sequential cycle, blanks written as null, stage names never null,
ASCII digits, and prospects created from Salesforce (§3.9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from engine import api
from engine.render import plan_json
from tests.runtime.helpers import NOW, entry, plan, records_of, rules_of

USERS = """
        users:
          - {Id: 005A, Name: Dana Direct, groups: [Direct Sales], active: true}
          - {Id: 005B, Name: Pat Partner, groups: [Partners], active: true}"""
SHARED = 'share lead when OwnerId in group "Direct Sales"\n'
SHARED_CONTACTS = 'share contact when OwnerId in group "Direct Sales"\n'


def _run(tmp_path: Path, rules_text: str, yaml_text: str) -> tuple[dict[str, Any], Any]:
    """`run` into tmp_path/out: the plan and the record set written, read back as YAML."""
    rules = rules_of(rules_text)
    records = records_of(tmp_path, rules, yaml_text)
    result = api.run(rules, records, str(tmp_path / "out"), now=NOW)
    written = YAML(typ="safe").load((tmp_path / "out" / "records.yaml").read_text("utf-8"))
    return plan_json.as_dict(result.plan), written


def _by_id(items: list[dict[str, Any]], key: str = "id") -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items}


# -- §3.2 deleted records ----------------------------------------------------------------


def test_a_flagged_prospect_is_skipped_crm_deleted_whatever_its_links(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_deleted: true, crm_lead_fid: 00Q1,
             job_title: CTO}
          - {id: p2, email: b@example.com, crm_deleted: FALSE, job_title: CTO}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
        """,
    )
    assert entry(data, "p1") == {
        "prospect": "p1",
        "action": "skip",
        "reason": "crm_deleted",
        "stages": [],
    }
    assert (entry(data, "p2")["action"], entry(data, "p2")["to_salesforce"]) == (
        "update",
        {"Title": "CTO"},
    )


def test_a_prospect_linked_to_a_deleted_record_is_crm_deleted(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1}
          - {id: p2, email: b@example.com, crm_contact_fid: 003B, crm_lead_fid: 00Q2}
          - {id: p3, email: c@example.com, crm_contact_fid: 003Z, crm_lead_fid: 00Q3}
          - {id: p4, email: d@example.com, crm_contact_fid: 003D, crm_lead_fid: 00Q4,
             last_name: L}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, IsDeleted: true}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
          - {Id: 00Q3, Email: c@example.com, LastName: L, Company: C, IsDeleted: "True"}
          - {Id: 00Q4, Email: d@example.com, LastName: L, Company: C, IsDeleted: true}
        contacts:
          - {Id: 003B, Email: b@example.com, LastName: L, IsDeleted: TRUE}
          - {Id: 003D, Email: d@example.com, LastName: L}
        """,
    )
    reasons = {r["prospect"]: (r["action"], r.get("reason")) for r in data["records"]}
    assert reasons == {
        "p1": ("skip", "crm_deleted"),  # its lead is deleted
        "p2": ("skip", "crm_deleted"),  # its contact exists and is deleted; the lead is not
        "p3": ("skip", "crm_deleted"),  # 003Z names no contact, so its lead is the link
        "p4": ("no_change", None),  # its contact exists and is not deleted: the lead is moot
    }


def test_deleted_records_are_invisible_to_matching_sharing_and_duplicates(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        SHARED + "duplicate lead by Email\n",
        USERS
        + """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C, assigned_user: 005A}
          - {id: p2, email: b@example.com, last_name: L, company: C, assigned_user: 005A}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, OwnerId: 005A,
             IsDeleted: true}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C, OwnerId: 005B,
             IsDeleted: true}
        contacts:
          - {Id: 003A, Email: A@example.com, LastName: L, IsDeleted: true}
        """,
    )
    # neither the visible deleted lead nor the deleted contact matches by email, and
    # neither they nor the hidden deleted lead count for the duplicate rule
    assert [r["action"] for r in data["records"]] == ["create_lead", "create_lead"]


def test_a_crm_id_naming_a_deleted_hidden_record_is_crm_deleted_not_not_shared(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        SHARED,
        USERS
        + """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, OwnerId: 005B,
             IsDeleted: true}
        """,
    )
    assert entry(data, "p1")["reason"] == "crm_deleted"


def test_paused_wins_over_crm_deleted(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { paused: true }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_deleted: true}
        """,
    )
    assert entry(data, "p1")["reason"] == "paused"


def test_run_flags_crm_deleted_and_keeps_the_crm_ids(tmp_path: Path) -> None:
    data, written = _run(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1, crm_contact_fid: 003X}
          - {id: p2, email: b@example.com, crm_deleted: true}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, IsDeleted: true}
        """,
    )
    assert [r["reason"] for r in data["records"]] == ["crm_deleted", "crm_deleted"]
    assert written["prospects"] == [
        {
            "id": "p1",
            "email": "a@example.com",
            "crm_lead_fid": "00Q1",
            "crm_contact_fid": "003X",
            "crm_deleted": True,
        },
        {"id": "p2", "email": "b@example.com", "crm_deleted": True},
    ]


# -- §3.3 converted leads ------------------------------------------------------------------


CONVERTED = """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1, job_title: CTO}
          - {id: p2, email: b@example.com, crm_lead_fid: 00Q2, job_title: CTO}
          - {id: p3, email: c@example.com, crm_lead_fid: 00Q3, last_name: L, company: C,
             assigned_user: 005A}
          - {id: p4, email: d@example.com, crm_lead_fid: 00Q4, crm_contact_fid: 003Z,
             job_title: CTO}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, OwnerId: 005B,
             IsConverted: true, ConvertedContactId: 003A}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C, OwnerId: 005A,
             IsConverted: true, ConvertedContactId: 003B}
          - {Id: 00Q3, Email: c@example.com, LastName: L, Company: C, OwnerId: 005A,
             IsConverted: true, ConvertedContactId: 003Q}
          - {Id: 00Q4, Email: d@example.com, LastName: L, Company: C, OwnerId: 005A,
             IsConverted: true, ConvertedContactId: 003D}
        contacts:
          - {Id: 003A, Email: a@example.com, LastName: L, OwnerId: 005A}
          - {Id: 003B, Email: b@example.com, LastName: L, OwnerId: 005B}
          - {Id: 003D, Email: d@example.com, LastName: L, OwnerId: 005A}
"""


def test_a_prospect_linked_to_a_converted_lead_follows_the_converted_contact(
    tmp_path: Path,
) -> None:
    data = plan(tmp_path, SHARED + SHARED_CONTACTS, USERS + CONVERTED)
    p1, p2, p3, p4 = (entry(data, p) for p in ("p1", "p2", "p3", "p4"))
    # the converted lead 00Q1 is hidden, its contact visible: matched by CRM id
    assert (p1["action"], p1["target"], p1["matched_by"], p1["to_salesforce"]) == (
        "update",
        {"object": "contact", "id": "003A"},
        "crm_id",
        {"Title": "CTO"},
    )
    # the contact exists but the connector cannot see it
    assert (p2["action"], p2["reason"]) == ("skip", "not_shared")
    # ConvertedContactId names no contact: unlinked, so it may be created again, as a
    # lead whose Email no converted lead blocks
    assert p3["action"] == "create_lead"
    # crm_contact_fid names no existing contact, so the conversion is followed
    assert p4["target"] == {"object": "contact", "id": "003D"}


def test_converted_leads_are_never_matched_by_email_written_or_duplicates(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        "duplicate lead by Email\n",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C, assigned_user: 005A,
             job_title: CTO}
          - {id: p2, email: b@example.com, crm_lead_fid: 00Q2, job_title: CTO}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, IsConverted: true}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C, IsConverted: true}
        """,
    )
    p1, p2 = entry(data, "p1"), entry(data, "p2")
    assert (p1["action"], p1["to_salesforce"]["Title"]) == ("create_lead", "CTO")
    # linked to a converted lead with no contact: unlinked, and by email it finds only
    # the converted lead itself, which it never matches; the gate then creates nothing
    assert (p2["action"], p2["reason"]) == ("skip", "gated")


def test_a_converted_lead_is_not_followed_when_the_prospect_has_its_contact(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        SHARED_CONTACTS,
        USERS
        + """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1, crm_contact_fid: 003A}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, OwnerId: 005A,
             IsConverted: true, ConvertedContactId: 003B}
        contacts:
          - {Id: 003A, Email: a@example.com, LastName: L, OwnerId: 005B}
          - {Id: 003B, Email: a@example.com, LastName: L, OwnerId: 005A}
        """,
    )
    # 003A exists (hidden): not_shared, and the converted lead is never matched instead
    assert entry(data, "p1")["reason"] == "not_shared"


def test_run_records_the_followed_conversion_in_crm_contact_fid(tmp_path: Path) -> None:
    _, written = _run(tmp_path, SHARED + SHARED_CONTACTS, USERS + CONVERTED)
    prospects = _by_id(written["prospects"])
    assert (prospects["p1"]["crm_lead_fid"], prospects["p1"]["crm_contact_fid"]) == ("00Q1", "003A")
    assert "crm_contact_fid" not in prospects["p2"]  # not_shared: no link recorded
    converted = _by_id(written["leads"], "Id")["00Q1"]
    assert converted == {
        "Id": "00Q1",
        "Email": "a@example.com",
        "LastName": "L",
        "Company": "C",
        "OwnerId": "005B",
        "IsConverted": True,
        "ConvertedContactId": "003A",
    }  # never written


# -- §3 the cycle is sequential --------------------------------------------------------------


def test_a_created_lead_is_matched_by_later_prospects_and_written_with_the_cycle_time(
    tmp_path: Path,
) -> None:
    data, written = _run(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: New, company: C, assigned_user: 005A}
          - {id: p2, email: A@example.com, job_title: CTO, last_name: New, company: C}
        """,
    )
    p1, p2 = entry(data, "p1"), entry(data, "p2")
    assert p1["action"] == "create_lead"
    assert (p2["action"], p2["target"]["id"], p2["to_salesforce"]) == (
        "update",
        "00QSR0000000001",
        {"Title": "CTO"},
    )
    assert written["leads"] == [
        {
            "Id": "00QSR0000000001",
            "Email": "a@example.com",
            "LastName": "New",
            "Company": "C",
            "OwnerId": "005A",
            "LastModifiedDate": NOW,
            "Title": "CTO",
        },
    ]


def test_a_created_lead_counts_for_duplicate_rules_of_later_prospects(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { match: crm_id create_prospects: false }\nduplicate lead by Email\n",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: A, company: C, assigned_user: 005A}
          - {id: p2, email: A@Example.com, last_name: B, company: C, assigned_user: 005A}
        """,
    )
    p2 = entry(data, "p2")
    assert (entry(data, "p1")["action"], p2["action"], p2["error_code"]) == (
        "create_lead",
        "error",
        "DUPLICATES_DETECTED",
    )
    assert "lead 00QSR0000000001" in p2["message"]


def test_a_created_lead_counts_as_modified_at_now_in_the_email_tie_break(
    tmp_path: Path,
) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: New, company: C, assigned_user: 005A}
          - {id: p2, email: a@example.com, crm_lead_fid: 00Q1, last_name: Old, company: C}
          - {id: p3, email: a@example.com, job_title: CTO}
        leads:
          - {Id: 00Q1, Email: "", LastName: Old, Company: C,
             LastModifiedDate: 2026-11-22T00:00:00Z}
        """,
    )
    # p1 creates a lead (00Q1 has no email yet); p2 fills 00Q1's Email, which leaves its
    # LastModifiedDate as it was; p3 then finds both, and the lead created "now" wins
    assert entry(data, "p2")["to_salesforce"] == {"Email": "a@example.com"}
    assert entry(data, "p3")["target"] == {"object": "lead", "id": "00QSR0000000001"}


def test_an_update_changes_neither_last_modified_date_nor_updated_at(tmp_path: Path) -> None:
    data, written = _run(
        tmp_path,
        "field country { lead: Country sync: salesforce }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, job_title: CTO, last_name: L, company: C,
             updated_at: 2026-11-01T10:00:00Z}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, Country: Canada,
             LastModifiedDate: 2026-10-01T10:00:00Z}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["to_salesforce"], p1["to_pardot"]) == ({"Title": "CTO"}, {"country": "Canada"})
    assert str(written["prospects"][0]["updated_at"]) == "2026-11-01 10:00:00+00:00"
    assert str(written["leads"][0]["LastModifiedDate"]) == "2026-10-01 10:00:00+00:00"


# -- §3.5, §3.6, §4: nulls, stage names, digits, sync: off ------------------------------------


def test_blanking_values_are_null_in_both_directions(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        field country { lead: Country sync: pardot_always }
        field employees { lead: NumberOfEmployees sync: salesforce_always }
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, country: '', employees: "12", last_name: L,
             company: C}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, Country: Canada}
        """,
    )
    p1 = entry(data, "p1")
    assert (p1["to_salesforce"], p1["to_pardot"]) == ({"Country": None}, {"employees": None})


def test_not_stage_holds_when_the_stage_condition_is_null(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        """
        stage MQL when score >= 100
        stage Nurture when not MQL
        stage Both when MQL = false and Nurture
        create lead when not MQL
        """,
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C}
          - {id: p2, email: b@example.com, last_name: L, company: C, score: 150}
        """,
    )
    p1, p2 = entry(data, "p1"), entry(data, "p2")
    assert (p1["action"], p1["stages"]) == ("create_lead", ["Nurture", "Both"])
    assert (p2["action"], p2["reason"], p2["stages"]) == ("skip", "gated", ["MQL"])


def test_a_number_is_ascii_digits_only(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "field employees { lead: NumberOfEmployees sync: pardot }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, employees: "١٢"}
          - {id: p2, email: b@example.com, employees: " -12.5 "}
          - {id: p3, email: c@example.com, employees: "\uff11\uff12"}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
          - {Id: 00Q3, Email: c@example.com, LastName: L, Company: C}
        """,
    )
    assert entry(data, "p1")["dropped"] == [
        {"field": "NumberOfEmployees", "code": "INVALID_TYPE", "value": "١٢"}
    ]
    assert entry(data, "p2")["to_salesforce"] == {"NumberOfEmployees": -12.5}
    assert entry(data, "p3")["dropped"][0]["code"] == "INVALID_TYPE"


def test_sync_off_fields_are_not_sent_on_create(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "field country { lead: Country sync: off }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: L, company: C, country: Canada,
             assigned_user: 005A}
        """,
    )
    assert entry(data, "p1")["to_salesforce"] == {
        "Email": "a@example.com",
        "LastName": "L",
        "Company": "C",
        "OwnerId": "005A",
    }


# -- §3.9 prospects from Salesforce ------------------------------------------------------------


FROM_SF = """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1}
          - {id: p2, email: b@example.com}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: A, Company: C, OwnerId: 005A}
          - {Id: 00Q4, Email: B@example.com, LastName: B, Company: C, OwnerId: 005A}
          - {Id: 00Q3, Email: d@example.com, LastName: D, Company: Dee, OwnerId: 005A,
             FirstName: Dora, Title: "{long}"}
          - {Id: 00Q2, Email: "", LastName: E, Company: C, OwnerId: 005A}
          - {Id: 00Q5, Email: f@example.com, LastName: F, Company: C, OwnerId: 005B}
          - {Id: 00Q6, Email: g@example.com, LastName: G, Company: C, OwnerId: 005A,
             IsDeleted: true}
          - {Id: 00Q7, Email: h@example.com, LastName: H, Company: C, OwnerId: 005A,
             IsConverted: true}
          - {Id: 00Q8, Email: D@Example.com, LastName: D2, Company: C, OwnerId: 005A}
        contacts:
          - {Id: 003B, Email: d@example.com, LastName: Dee, FirstName: Dot}
""".replace("{long}", "x" * 130)


def test_create_prospects_with_match_email(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { create_prospects: true }\n" + SHARED + "create lead when false\n",
        USERS + FROM_SF,
    )
    assert data["summary"]["prospects"] == 2
    assert data["summary"]["create_prospect"] == 1
    # contacts first: 003B creates d@; lead 00Q3 and 00Q8 have that email now; 00Q4's
    # email is p2's (case-insensitive); 00Q2 has none; 00Q5 is hidden; 00Q6 deleted;
    # 00Q7 converted; 00Q1 is linked to p1
    assert data["prospects_from_salesforce"] == [
        {
            "source": {"object": "contact", "id": "003B"},
            "action": "create_prospect",
            "to_pardot": {"email": "d@example.com", "first_name": "Dot", "last_name": "Dee"},
            "dropped": [],
        },
    ]


def test_create_prospects_with_match_crm_id_by_default(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { match: crm_id }\n" + SHARED + "create lead when false\n",
        USERS + FROM_SF,
    )
    sources = [
        (n["source"]["object"], n["source"]["id"]) for n in data["prospects_from_salesforce"]
    ]
    # several prospects may share an email: each unlinked visible record gets one
    assert sources == [("contact", "003B"), ("lead", "00Q3"), ("lead", "00Q4"), ("lead", "00Q8")]
    q3 = data["prospects_from_salesforce"][1]
    assert q3["to_pardot"] == {
        "email": "d@example.com",
        "first_name": "Dora",
        "last_name": "D",
        "company": "Dee",
    }
    assert q3["dropped"] == [{"field": "job_title", "code": "STRING_TOO_LONG", "value": "x" * 130}]
    assert data["summary"]["create_prospect"] == 4


def test_create_prospects_is_off_by_default_with_match_email_and_when_paused(
    tmp_path: Path,
) -> None:
    for rules in (
        "",
        "connector { match: crm_id create_prospects: false }\n",
        "connector { match: crm_id paused: true }\n",
    ):
        data = plan(tmp_path, rules + "create lead when false\n", USERS + FROM_SF)
        assert (data["prospects_from_salesforce"], data["summary"]["create_prospect"]) == ([], 0), (
            rules
        )


def test_records_matched_or_created_this_cycle_get_no_prospect(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "connector { create_prospects: true }\nfield country { lead: Country sync: off }\n",
        """
        prospects:
          - {id: p1, email: a@example.com, last_name: A, company: C, assigned_user: 005A}
          - {id: p2, email: z@example.com}
        leads:
          - {Id: 00Q2, Email: Zed@example.com, LastName: Z, Company: C, Country: Canada}
        contacts:
          - {Id: 003Z, Email: z@example.com, LastName: Z, Title: "", FirstName: Zed}
        """,
    )
    # p1 creates a lead (linked), p2 matches 003Z by email; 00Q2 gets a prospect, without
    # its `off` field
    assert entry(data, "p2")["target"] == {"object": "contact", "id": "003Z"}
    assert data["prospects_from_salesforce"] == [
        {
            "source": {"object": "lead", "id": "00Q2"},
            "action": "create_prospect",
            "to_pardot": {"email": "Zed@example.com", "last_name": "Z", "company": "C"},
            "dropped": [],
        },
    ]


def test_run_adds_the_new_prospects_linked_with_fresh_ids(tmp_path: Path) -> None:
    data, written = _run(
        tmp_path,
        "connector { match: crm_id }\ncreate lead when false\n",
        """
        prospects:
          - {id: sf-lead-00Q1, email: taken@example.com}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: A, Company: C, FirstName: Ann}
        contacts:
          - {Id: 003C, Email: c@example.com, LastName: Cee}
        """,
    )
    assert data["summary"]["create_prospect"] == 2
    assert written["prospects"][1:] == [
        {
            "id": "sf-contact-003C",
            "email": "c@example.com",
            "last_name": "Cee",
            "crm_contact_fid": "003C",
            "updated_at": NOW,
        },
        {
            "id": "sf-lead-00Q1-2",
            "email": "a@example.com",
            "first_name": "Ann",
            "last_name": "A",
            "company": "C",
            "crm_lead_fid": "00Q1",
            "updated_at": NOW,
        },
    ]
    rules = rules_of("connector { match: crm_id }\ncreate lead when false\n")
    again = plan_json.as_dict(
        api.dry_run(rules, api.load_records(str(tmp_path / "out" / "records.yaml"), rules), now=NOW)
    )
    assert again["summary"]["create_prospect"] == 0
    assert {r["prospect"]: r["action"] for r in again["records"]} == {
        "sf-contact-003C": "no_change",
        "sf-lead-00Q1": "skip",
        "sf-lead-00Q1-2": "no_change",
    }


# -- merges (MasterRecordId; designed, not pinned: docs/design.md) -----------------------------


MERGED = """
        prospects:
          - {id: p1, email: old@example.com, crm_lead_fid: 00Q1, job_title: CTO}
          - {id: p2, email: a@example.com, crm_lead_fid: 00Q2}
          - {id: p3, email: loser@example.com, crm_lead_fid: 00Q3}
          - {id: p4, email: c@example.com, crm_contact_fid: 003A, crm_lead_fid: 00Q9}
          - {id: p5, email: d@example.com, crm_contact_fid: 003D}
          - {id: p6, email: e@example.com, crm_contact_fid: 003E}
        leads:
          - {Id: 00Q1, Email: old@example.com, LastName: L, Company: C, IsDeleted: true,
             MasterRecordId: 00Q5}
          - {Id: 00Q2, Email: a@example.com, LastName: L, Company: C, IsDeleted: true,
             MasterRecordId: 00Q6}
          - {Id: 00Q3, Email: loser@example.com, LastName: L, Company: C, IsDeleted: true,
             MasterRecordId: 00Q4}
          - {Id: 00Q4, Email: b@example.com, LastName: L, Company: C, IsDeleted: true,
             MasterRecordId: 00Q5}
          - {Id: 00Q5, Email: new@example.com, LastName: L, Company: C}
          - {Id: 00Q6, Email: gone@example.com, LastName: L, Company: C}
        contacts:
          - {Id: 003A, Email: c@example.com, LastName: L, IsDeleted: true,
             MasterRecordId: 003B}
          - {Id: 003B, Email: c@example.com, LastName: L, OwnerId: 005B}
          - {Id: 003D, Email: d@example.com, LastName: L, IsDeleted: true,
             MasterRecordId: 003Z}
          - {Id: 003E, Email: e@example.com, LastName: L, IsDeleted: true, MasterRecordId: 003F}
          - {Id: 003F, Email: e@example.com, LastName: L, OwnerId: 005A}
"""


def test_a_prospect_follows_a_merge_to_the_master_record(tmp_path: Path) -> None:
    data, written = _run(
        tmp_path,
        SHARED_CONTACTS + "create lead when false\n",
        USERS + MERGED,
    )
    outcome = {
        r["prospect"]: (r["action"], r.get("reason"), r.get("target"), r.get("matched_by"))
        for r in data["records"]
    }
    assert outcome == {
        # 00Q1 was merged into 00Q5: the prospect moves there (and its email follows)
        "p1": ("update", None, {"object": "lead", "id": "00Q5"}, "crm_id"),
        # 00Q2 went into 00Q6, which no prospect has: p2 follows
        "p2": ("update", None, {"object": "lead", "id": "00Q6"}, "crm_id"),
        # 00Q3 went into 00Q4, itself merged into 00Q5 — which p1 (earlier in id order)
        # already took: flagged crm_deleted, never both synced with one record
        "p3": ("skip", "crm_deleted", None, None),
        # 003A went into 003B, which the connector cannot see
        "p4": ("skip", "not_shared", None, None),
        # 003D names a master that is not in the record set: deleted, as before
        "p5": ("skip", "crm_deleted", None, None),
        "p6": ("update", None, {"object": "contact", "id": "003F"}, "crm_id"),
    }
    prospects = _by_id(written["prospects"])
    assert (prospects["p1"]["crm_lead_fid"], prospects["p2"]["crm_lead_fid"]) == ("00Q5", "00Q6")
    assert (prospects["p3"]["crm_lead_fid"], prospects["p3"]["crm_deleted"]) == ("00Q3", True)
    assert prospects["p6"]["crm_contact_fid"] == "003F"


def test_a_loser_s_prospect_is_flagged_when_the_master_has_its_own(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        "",
        """
        prospects:
          - {id: p1, email: a@example.com, crm_lead_fid: 00Q1}
          - {id: p9, email: b@example.com, crm_lead_fid: 00Q2, last_name: L, company: C}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C, IsDeleted: true,
             MasterRecordId: 00Q2}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
        """,
    )
    # p9 comes later in id order but is linked to the master itself: p1 is the loser
    assert [(r["prospect"], r["action"], r.get("reason")) for r in data["records"]] == [
        ("p1", "skip", "crm_deleted"),
        ("p9", "no_change", None),
    ]
    rules = rules_of("")
    records = records_of(tmp_path, rules, (tmp_path / "records.yaml").read_text("utf-8"))
    steps = api.explain(rules, records, "p1", now=NOW).steps
    assert steps[0].summary == (
        "lead 00Q1 was merged into lead 00Q2 (MasterRecordId), which prospect p9 is already "
        "linked to: as the connector does, this prospect is flagged crm_deleted (its activity "
        "stays with p9), so the two never both sync with one record"
    )


# -- email fallback (designed, not pinned: docs/design.md) -----------------------------------


def test_email_fallback_lets_match_crm_id_match_an_unlinked_prospect_by_email(
    tmp_path: Path,
) -> None:
    records = """
        prospects:
          - {id: p1, email: A@example.com, job_title: CTO}
          - {id: p2, email: b@example.com, crm_lead_fid: 00Q2}
        leads:
          - {Id: 00Q1, Email: a@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-01T00:00:00Z}
          - {Id: 00Q9, Email: a@example.com, LastName: L, Company: C,
             LastModifiedDate: 2026-11-02T00:00:00Z}
          - {Id: 00Q2, Email: b@example.com, LastName: L, Company: C}
        contacts:
          - {Id: 003A, Email: b@example.com, LastName: L}
    """
    with_fallback = plan(
        tmp_path,
        "connector { match: crm_id email_fallback: true }\ncreate lead when false\n",
        records,
    )
    p1 = entry(with_fallback, "p1")
    # the latest of the two leads with its email, as match: email would pick
    assert (p1["action"], p1["target"], p1["matched_by"]) == (
        "update",
        {"object": "lead", "id": "00Q9"},
        "email",
    )
    # p2 has a CRM id: no fallback; still one prospect per unlinked record (crm_id)
    assert entry(with_fallback, "p2")["target"] == {"object": "lead", "id": "00Q2"}
    assert [n["source"]["id"] for n in with_fallback["prospects_from_salesforce"]] == [
        "003A",
        "00Q1",
    ]
    without = plan(tmp_path, "connector { match: crm_id }\ncreate lead when false\n", records)
    assert entry(without, "p1")["reason"] == "gated"
