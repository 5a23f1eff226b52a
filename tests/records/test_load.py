"""Loading record sets (SPEC §2): every format, every layout, every field type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.records.model import LISTS, Layout, Origin

from .conftest import Files, Load

UTC = dt.UTC

SPEC_EXAMPLE = """\
users:
  - {Id: 005A, Name: Dana Direct, groups: [Direct Sales], active: true}
prospects:
  - {id: p1, email: ada@example.com, score: 120, grade: B+, assigned_user: 005A,
     crm_lead_fid: null, crm_contact_fid: null, updated_at: 2026-11-01T10:00:00Z,
     first_name: Ada}
leads:
  - {Id: 00Q1, Email: ada@example.com, OwnerId: 005A, LastName: Lovelace,
     Company: Analytical, LastModifiedDate: 2026-10-01T10:00:00Z}
contacts: []
"""


# -- single YAML and JSON files ------------------------------------------------------------


def test_yaml_file_of_the_spec_example(files: Files, load: Load) -> None:
    files({"records.yaml": SPEC_EXAMPLE})
    records = load("records.yaml")

    (user,) = records.users
    assert (user.object, user.id, user.groups, user.active) == (
        "user",
        "005A",
        ("Direct Sales",),
        True,
    )
    assert user.raw == {
        "Id": "005A",
        "Name": "Dana Direct",
        "groups": ["Direct Sales"],
        "active": True,
    }

    (prospect,) = records.prospects
    assert prospect.id == "p1"
    assert prospect.email == "ada@example.com"
    assert prospect.assigned_user == "005A"
    assert prospect.crm_lead_fid is None
    assert prospect.crm_contact_fid is None
    assert prospect.updated_at == dt.datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert prospect.values == {
        "email": "ada@example.com",
        "score": Decimal(120),
        "grade": "B+",
        "first_name": "Ada",
    }
    assert prospect.origin == Origin("records.yaml", 0, 4)

    (lead,) = records.leads
    assert lead.id == "00Q1"
    assert lead.updated_at == dt.datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert lead.values == {
        "Email": "ada@example.com",
        "OwnerId": "005A",
        "LastName": "Lovelace",
        "Company": "Analytical",
    }
    assert records.contacts == []
    # every list is there (a cycle may add leads to an input without any), the file's first
    assert list(records.lists) == [
        "users",
        "prospects",
        "leads",
        "contacts",
        "accounts",
        "campaigns",
        "campaign_members",
        "personalization_users",
        "personalization_accounts",
        "pardot_campaigns",
        "queues",
        "field_history",
    ]
    assert records.layout == Layout(
        "records.yaml",
        "records.yaml",
        dict.fromkeys(["users", "prospects", "leads", "contacts"], "records.yaml"),
        dict.fromkeys(["users", "prospects", "leads", "contacts"], "yaml"),
        single_format="yaml",
    )


def test_json_file_gives_record_lines(files: Files, load: Load) -> None:
    files(
        {
            "records.json": """\
        {
          "prospects": [
            {"id": "p1", "score": 0.1, "email": "ada@example.com"},
            {
              "id": 2,
              "opted_out": true,
              "updated_at": "2026-11-01T12:00:00+02:00"
            }
          ],
          "leads": []
        }
        """
        }
    )
    records = load("records.json")
    first, second = records.prospects
    assert first.values == {"score": Decimal("0.1"), "email": "ada@example.com"}
    assert first.origin == Origin("records.json", 0, 3)
    assert second.id == "2"
    assert second.values == {"opted_out": True}
    assert second.updated_at == dt.datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert second.origin == Origin("records.json", 1, 4)
    assert records.layout.single_format == "json"
    assert list(records.layout.files) == ["prospects", "leads"]


def test_missing_lists_are_empty_and_an_empty_file_is_an_empty_record_set(
    files: Files, load: Load
) -> None:
    files({"empty.yaml": "", "some.yaml": "prospects:\nleads: []\n"})
    assert load("empty.yaml").lists == {name: [] for name in LISTS}
    records = load("some.yaml")
    assert records.prospects == []
    assert records.users == []
    assert records.get("campaign_members") == []


def test_record_order_is_file_order(files: Files, load: Load) -> None:
    files({"records.yaml": "prospects:\n  - id: p9\n  - id: p1\n  - id: p5\n"})
    assert [p.id for p in load("records.yaml").prospects] == ["p9", "p1", "p5"]


# -- directories -----------------------------------------------------------------------------


def test_directory_with_mixed_formats(files: Files, load: Load) -> None:
    files(
        {
            "rs/prospects.yaml": "- {id: p1, email: ada@example.com, score: 7}\n",
            "rs/leads.json": '[{"Id": "00Q1", "LastName": "Lovelace", "NumberOfEmployees": 12}]\n',
            "rs/contacts.csv": "Id,Email,LastName\n003A,bob@example.com,Babbage\n",
            "rs/users.yml": "users:\n  - {Id: 005A, groups: Direct Sales;Partners}\n",
        }
    )
    records = load("rs")
    assert [p.values for p in records.prospects] == [
        {"email": "ada@example.com", "score": Decimal(7)}
    ]
    assert records.leads[0].values == {"LastName": "Lovelace", "NumberOfEmployees": Decimal(12)}
    assert records.leads[0].origin == Origin("rs/leads.json", 0, 1)
    assert records.contacts[0].values == {"Email": "bob@example.com", "LastName": "Babbage"}
    assert records.contacts[0].origin == Origin("rs/contacts.csv", 0, 2)
    assert records.users[0].groups == ("Direct Sales", "Partners")
    assert records.layout == Layout(
        "rs",
        None,
        {
            "users": "users.yml",
            "prospects": "prospects.yaml",
            "leads": "leads.json",
            "contacts": "contacts.csv",
        },
        {"users": "yaml", "prospects": "yaml", "leads": "json", "contacts": "csv"},
        headers={"contacts": ("Id", "Email", "LastName")},
        wrapped=frozenset({"users"}),
    )


def test_directory_skips_dot_files_and_subdirectories(files: Files, load: Load) -> None:
    files(
        {
            "rs/prospects.yaml": "- {id: p1}\n",
            "rs/.DS_Store": "junk",
            "rs/archive/old.txt": "junk",
        }
    )
    records = load("rs")
    assert [p.id for p in records.prospects] == ["p1"]
    assert records.layout.files == {"prospects": "prospects.yaml"}


# -- Salesforce data-tree JSON --------------------------------------------------------------


DATATREE = """\
{
  "records": [
    {"attributes": {"type": "Lead", "referenceId": "LeadRef1"},
     "Id": "00Q1", "LastName": "Lovelace", "Company": "Analytical"},
    {"attributes": {"type": "Contact", "referenceId": "ContactRef1"},
     "LastName": "Babbage", "Email": "bob@example.com"},
    {"attributes": {"type": "Lead", "referenceId": "LeadRef2"},
     "Id": "00Q2", "LastName": "Hopper", "Company": "Navy",
     "LastModifiedDate": "2026-10-01T10:00:00.000+0000"}
  ]
}
"""


def test_datatree_file_sorts_records_by_type(files: Files, load: Load) -> None:
    files({"export.json": DATATREE})
    records = load("export.json")
    assert [(r.id, r.values["LastName"]) for r in records.leads] == [
        ("00Q1", "Lovelace"),
        ("00Q2", "Hopper"),
    ]
    (contact,) = records.contacts
    assert contact.id == "ContactRef1"  # no Id: the referenceId names it
    assert contact.raw == {
        "attributes": {"type": "Contact", "referenceId": "ContactRef1"},
        "LastName": "Babbage",
        "Email": "bob@example.com",
    }
    assert records.leads[1].updated_at == dt.datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert records.leads[1].origin == Origin("export.json", 1, 7)
    assert records.layout.single_format == "datatree"
    assert records.layout.interleave == ("leads", "contacts", "leads")
    assert records.layout.files == {"leads": "export.json", "contacts": "export.json"}


def test_datatree_files_in_a_directory_by_type_or_list_name(files: Files, load: Load) -> None:
    files(
        {
            "rs/Lead.json": '{"records": [{"attributes": {"type": "Lead", "referenceId": "R1"},'
            ' "Id": "00Q1", "Country": "Canada"}]}',
            "rs/contacts.json": '{"records": [{"attributes": {"type": "Contact",'
            ' "referenceId": "C1"}, "LastName": "Babbage"}]}',
            "rs/prospects.yaml": "- {id: p1}\n",
        }
    )
    records = load("rs")
    assert records.leads[0].values == {"Country": "Canada"}
    assert records.contacts[0].id == "C1"
    assert records.layout.files == {
        "prospects": "prospects.yaml",
        "leads": "Lead.json",
        "contacts": "contacts.json",
    }
    assert records.layout.formats == {
        "prospects": "yaml",
        "leads": "datatree",
        "contacts": "datatree",
    }


# -- Data Loader CSV ---------------------------------------------------------------------------


DATA_LOADER = (
    '"ID","EMAIL","LASTNAME","COMPANY","COUNTRY","NUMBEROFEMPLOYEES","HASOPTEDOUTOFEMAIL",'
    '"LEADSOURCE","LASTMODIFIEDDATE"\n'
    '"00Q1","ada@example.com","Lovelace","Analytical","Canada","12","true","Web",'
    '"2026-10-01T10:00:00.000Z"\n'
    '"00Q2","","Hopper","","","","0","",""\n'
    '"00Q3","grace@example.com","Hopper, Grace","Navy","Germany","1500.50","FALSE",'
    '"Partner","2026-10-02T10:00:00.000Z"\n'
)


def test_data_loader_csv(files: Files, load: Load) -> None:
    files({"rs/leads.csv": DATA_LOADER})
    first, blank, third = load("rs").leads
    assert first.values == {
        "Email": "ada@example.com",
        "LastName": "Lovelace",
        "Company": "Analytical",
        "Country": "Canada",
        "NumberOfEmployees": Decimal(12),
        "HasOptedOutOfEmail": True,
    }
    assert first.updated_at == dt.datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert first.raw["LEADSOURCE"] == "Web"  # an undeclared column is kept as it came
    assert blank.values == {
        "Email": "",
        "LastName": "Hopper",
        "Company": "",
        "Country": "",
        "NumberOfEmployees": None,
        "HasOptedOutOfEmail": False,
    }
    assert blank.updated_at is None
    assert third.values["LastName"] == "Hopper, Grace"
    assert third.values["NumberOfEmployees"] == Decimal("1500.50")
    assert third.values["HasOptedOutOfEmail"] is False
    assert [r.origin.line for r in (first, blank, third)] == [2, 3, 4]


def test_csv_cells_with_line_breaks_and_blank_rows(files: Files, load: Load) -> None:
    files(
        {
            "rs/contacts.csv": 'Id,LastName,Description\n003A,Babbage,"two\nlines"\n,,\n'
            "003B,Lovelace,\n"
        }
    )
    first, second = load("rs").contacts
    assert first.raw == {"Id": "003A", "LastName": "Babbage", "Description": "two\nlines"}
    # the quoted line break spans lines 2-3; the blank row (line 4) is skipped
    assert (first.origin.line, second.origin.line) == (2, 5)
    assert second.origin.index == 1


def test_csv_of_only_a_header_is_an_empty_list(files: Files, load: Load) -> None:
    files({"rs/leads.csv": "Id,LastName\n"})
    records = load("rs")
    assert records.leads == []
    assert records.layout.headers == {"leads": ("Id", "LastName")}


# -- typing -----------------------------------------------------------------------------------


def _typed(files: Files, load: Load, field: str, yaml_value: str) -> object:
    files({"records.yaml": f"prospects:\n  - id: p1\n    {field}: {yaml_value}\n"})
    return load("records.yaml").prospects[0].values.get(field, "<absent>")


@pytest.mark.parametrize(
    ("field", "yaml_value", "expected"),
    [
        ("score", "120", Decimal(120)),
        ("score", "0.1", Decimal("0.1")),  # the float's shortest form, not its binary expansion
        ("score", "2.675", Decimal("2.675")),
        ("score", "1e3", Decimal("1000.0")),
        ("score", '"12.50"', Decimal("12.50")),
        ("score", '" -7 "', Decimal(-7)),
        ("score", '".5"', Decimal("0.5")),
        ("score", "null", None),
        ("score", '""', None),
        ("opted_out", "true", True),
        ("opted_out", "false", False),
        ("opted_out", '"TRUE"', True),
        ("opted_out", '"0"', False),
        ("opted_out", "1", True),
        ("opted_out", "null", False),  # a blank checkbox is unchecked
        ("birthday", "2026-11-01", dt.date(2026, 11, 1)),
        ("birthday", '"2026-11-01"', dt.date(2026, 11, 1)),
        ("birthday", '""', None),
        ("last_seen", "2026-11-01T10:00:00Z", dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", "2026-11-01T12:00:00+02:00", dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", "2026-11-01 10:00:00", dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", '"2026-11-01T10:00:00.000Z"', dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", '"2026-11-01T05:00:00-0500"', dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", '"2026-11-01T10:00:00"', dt.datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("last_seen", "2026-11-01", dt.datetime(2026, 11, 1, tzinfo=UTC)),
        ("grade", "A+", "A+"),
        ("grade", "F", "F"),
        ("grade", "null", None),
        ("interests", "Email;Webinars", "Email;Webinars"),
        ("interests", '"Webinars; Email"', "Webinars;Email"),  # kept in the file's order
        ("interests", "[Events, Email]", "Events;Email"),
        ("interests", "[]", ""),
        ("interests", "null", ""),
        ("phone", "0049123456", "0049123456"),  # a YAML number keeps its text
        ("phone", "4155550100", "4155550100"),
        ("first_name", "1.50", "1.50"),
        ("first_name", "true", "true"),
        ("first_name", "2026-11-01", "2026-11-01"),
        ("first_name", "null", ""),
        ("first_name", '""', ""),
        ("first_name", "x" * 60, "x" * 60),  # too long is the sync's business, not the loader's
        ("email", "not an address", "not an address"),
    ],
)
def test_prospect_field_types(
    files: Files, load: Load, field: str, yaml_value: str, expected: object
) -> None:
    value = _typed(files, load, field, yaml_value)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, Decimal):
        assert str(value) == str(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Canada", "Canada"), ('""', ""), ("null", "")],
)
def test_picklist(files: Files, load: Load, value: str, expected: str) -> None:
    files({"records.yaml": f"leads:\n  - {{Id: 00Q1, Country: {value}}}\n"})
    assert load("records.yaml").leads[0].values["Country"] == expected


def test_salesforce_names_match_case_insensitively(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": "leads:\n  - {ID: 00Q1, email: a@example.com, LASTNAME: Lovelace,"
            " lastmodifieddate: 2026-10-01T10:00:00Z}\n"
        }
    )
    (lead,) = load("records.yaml").leads
    assert lead.id == "00Q1"
    assert lead.values == {"Email": "a@example.com", "LastName": "Lovelace"}
    assert lead.updated_at == dt.datetime(2026, 10, 1, 10, tzinfo=UTC)
    assert list(lead.raw) == ["ID", "email", "LASTNAME", "lastmodifieddate"]


def test_undeclared_fields_are_kept_and_never_type_checked(files: Files, load: Load) -> None:
    files(
        {"records.yaml": "leads:\n  - {Id: 00Q1, Rating: lots, Score__c: [1, 2], Status: {a: 1}}\n"}
    )
    (lead,) = load("records.yaml").leads
    assert lead.values == {}
    assert lead.raw == {"Id": "00Q1", "Rating": "lots", "Score__c": [1, 2], "Status": {"a": 1}}


def test_prospect_attributes(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """\
        prospects:
          - id: 7
            email: ""
            assigned_user: ""
            crm_lead_fid: 00Q1
            crm_contact_fid: null
            updated_at: null
          - id: p2
        """
        }
    )
    first, second = load("records.yaml").prospects
    assert first.id == "7"
    assert (first.email, first.assigned_user, first.crm_lead_fid, first.crm_contact_fid) == (
        "",
        None,
        "00Q1",
        None,
    )
    assert first.updated_at is None
    assert first.values == {"email": ""}
    assert (second.email, second.assigned_user, second.updated_at) == ("", None, None)
    assert second.values == {}


def test_id_with_leading_zeros_keeps_them(files: Files, load: Load) -> None:
    files({"records.yaml": "users:\n  - Id: 0051\n    Name: Zed\n"})
    (user,) = load("records.yaml").users
    assert user.id == "0051"
    assert user.raw == {"Id": "0051", "Name": "Zed"}


@pytest.mark.parametrize(
    ("fields", "groups", "active"),
    [
        ("", (), True),
        ("groups: [Direct Sales, Partners], active: false", ("Direct Sales", "Partners"), False),
        ("groups: 'Direct Sales; Partners', active: '0'", ("Direct Sales", "Partners"), False),
        ("groups: null, active: null", (), True),
        ("IsActive: false", (), False),
    ],
)
def test_user_groups_and_active(
    files: Files, load: Load, fields: str, groups: tuple[str, ...], active: bool
) -> None:
    files({"records.yaml": f"users:\n  - {{Id: 005A, {fields}}}\n"})
    (user,) = load("records.yaml").users
    assert (user.groups, user.active) == (groups, active)


def test_personalization_attributes_are_text(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """\
        personalization_users:
          - {id: u1, Id: 003A, Email: ada@example.com, Visits: 12, Vip: true, Note: null}
          - {Id: 003B}
        personalization_accounts:
          - {id: 1, AccountNumber: 0042}
        """
        }
    )
    records = load("records.yaml")
    first, second = records.get("personalization_users")
    assert first.object == "personalization_user"
    assert first.id == "u1"
    assert first.values == {
        "id": "u1",
        "Id": "003A",
        "Email": "ada@example.com",
        "Visits": "12",
        "Vip": "true",
        "Note": "",
    }
    assert second.id == "003B"
    (account,) = records.get("personalization_accounts")
    assert (account.id, account.values) == ("1", {"id": "1", "AccountNumber": "0042"})


def test_yaml_merge_keys(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": "leads:\n  - &base {Id: 00Q0, Company: Analytical}\n"
            "  - <<: *base\n    Id: 00Q1\n"
        }
    )
    first, second = load("records.yaml").leads
    assert (first.id, second.id) == ("00Q0", "00Q1")
    assert second.values == {"Company": "Analytical"}
