"""Writing record sets back (SPEC §4 `run --out`): same layout, same format, raw kept."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from engine.records.model import Origin, Record, RecordSet, Value
from engine.records.write import render_text, render_value, write_records

from .conftest import Files, Load
from .test_load import DATA_LOADER, DATATREE, SPEC_EXAMPLE

UTC = dt.UTC


def _yaml(path: str):  # type: ignore[no-untyped-def]
    return YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))


def _same_records(a: RecordSet, b: RecordSet) -> None:
    """Two loads of one record set: equal lists, ids, values, attributes and raw."""
    assert list(a.lists) == list(b.lists)
    for name in a.lists:
        left, right = a.get(name), b.get(name)
        assert [r.id for r in left] == [r.id for r in right]
        for x, y in zip(left, right, strict=True):
            assert x.values == y.values
            assert (x.email, x.assigned_user, x.crm_lead_fid, x.crm_contact_fid, x.updated_at) == (
                y.email,
                y.assigned_user,
                y.crm_lead_fid,
                y.crm_contact_fid,
                y.updated_at,
            )
            assert (x.groups, x.active) == (y.groups, y.active)


def _created_lead(lead_id: str, values: dict) -> Record:  # type: ignore[type-arg]
    return Record(
        "lead", lead_id, values, {}, Origin("<created>", 0), changed=set(values), created=True
    )


# -- unchanged record sets -------------------------------------------------------------------


def test_unchanged_yaml_is_written_back_in_block_style(files: Files, load: Load) -> None:
    files({"records.yaml": SPEC_EXAMPLE})
    records = load("records.yaml")
    assert write_records(records, "out") == ["out/records.yaml"]
    assert Path("out/records.yaml").read_text(encoding="utf-8") == (
        "users:\n"
        "  - Id: 005A\n"
        "    Name: Dana Direct\n"
        "    groups:\n"
        "      - Direct Sales\n"
        "    active: true\n"
        "prospects:\n"
        "  - id: p1\n"
        "    email: ada@example.com\n"
        "    score: 120\n"
        "    grade: B+\n"
        "    assigned_user: 005A\n"
        "    crm_lead_fid: null\n"
        "    crm_contact_fid: null\n"
        "    updated_at: 2026-11-01T10:00:00Z\n"
        "    first_name: Ada\n"
        "leads:\n"
        "  - Id: 00Q1\n"
        "    Email: ada@example.com\n"
        "    OwnerId: 005A\n"
        "    LastName: Lovelace\n"
        "    Company: Analytical\n"
        "    LastModifiedDate: 2026-10-01T10:00:00Z\n"
        "contacts: []\n"
    )
    assert _yaml("out/records.yaml") == _yaml("records.yaml")  # semantically the input
    _same_records(records, load("out/records.yaml"))


def test_unchanged_yaml_keeps_undeclared_values_as_they_came(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """\
        prospects:
          - id: p1
            phone: 0049123
            zip: 02134
            ratio: 0.1
            big: 12345678901234567890
            seen: 2026-11-01T12:00:00+02:00
            note: "yes"
            long: "LONG"
            multi: "two\\nlines"
            tags: [a, b]
        """.replace("LONG", ("word " * 40).strip())
        }
    )
    records = load("records.yaml")
    write_records(records, "out")
    assert _yaml("out/records.yaml") == {
        "prospects": [
            {
                "id": "p1",
                "phone": "0049123",  # a YAML number's zeros are kept
                "zip": "02134",
                "ratio": 0.1,
                "big": 12345678901234567890,
                "seen": dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                "note": "yes",
                "long": ("word " * 40).strip(),
                "multi": "two\nlines",
                "tags": ["a", "b"],
            }
        ]
    }
    text = Path("out/records.yaml").read_text(encoding="utf-8")
    assert f"    long: {('word ' * 40).strip()}\n" in text  # never folded
    _same_records(records, load("out/records.yaml"))


def test_writing_twice_gives_the_same_bytes(files: Files, load: Load) -> None:
    files({"records.yaml": SPEC_EXAMPLE})
    records = load("records.yaml")
    records.prospects[0].values["score"] = Decimal("0.1")
    records.prospects[0].changed.add("score")
    records.leads.append(_created_lead("00QSR1", {"LastName": "X", "Company": "Y"}))
    write_records(records, "a")
    write_records(records, "b")
    assert Path("a/records.yaml").read_bytes() == Path("b/records.yaml").read_bytes()


def test_unchanged_json_round_trip(files: Files, load: Load) -> None:
    source = {
        "prospects": [{"id": "p1", "score": 0.1, "email": "a@example.com", "extra": {"k": [1]}}],
        "leads": [{"Id": "00Q1", "LastName": "Lovelace", "Weird": None}],
    }
    files({"records.json": json.dumps(source)})
    records = load("records.json")
    assert write_records(records, "out") == ["out/records.json"]
    text = Path("out/records.json").read_text(encoding="utf-8")
    assert json.loads(text) == source
    assert text.startswith('{\n  "prospects": [\n    {\n      "id": "p1",\n')
    _same_records(records, load("out/records.json"))


def test_unchanged_directory_keeps_file_names_and_formats(files: Files, load: Load) -> None:
    files(
        {
            "rs/prospects.yml": "prospects:\n  - {id: p1, score: 7}\n",
            "rs/leads.json": '[{"Id": "00Q1", "LastName": "Lovelace"}]',
            "rs/contacts.csv": "Id,Email,LastName\n003A,bob@example.com,Babbage\n",
            "rs/Account.json": '{"records": [{"attributes": {"type": "Account", "referenceId": '
            '"AccountRef1"}, "Name": "Acme"}]}',
        }
    )
    records = load("rs")
    paths = write_records(records, "out")
    assert paths == ["out/prospects.yml", "out/leads.json", "out/contacts.csv", "out/Account.json"]
    assert _yaml("out/prospects.yml") == {"prospects": [{"id": "p1", "score": 7}]}
    assert json.loads(Path("out/leads.json").read_text()) == [
        {"Id": "00Q1", "LastName": "Lovelace"}
    ]
    assert (
        Path("out/contacts.csv").read_text() == "Id,Email,LastName\n003A,bob@example.com,Babbage\n"
    )
    assert json.loads(Path("out/Account.json").read_text()) == {
        "records": [
            {"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "Name": "Acme"}
        ]
    }
    _same_records(records, load("out"))


def test_unchanged_data_loader_csv_keeps_every_cell(files: Files, load: Load) -> None:
    files({"rs/leads.csv": DATA_LOADER})
    records = load("rs")
    write_records(records, "out")
    # the same cells; quoting is the csv module's minimal quoting
    assert Path("out/leads.csv").read_text() == (
        "ID,EMAIL,LASTNAME,COMPANY,COUNTRY,NUMBEROFEMPLOYEES,HASOPTEDOUTOFEMAIL,LEADSOURCE,"
        "LASTMODIFIEDDATE\n"
        "00Q1,ada@example.com,Lovelace,Analytical,Canada,12,true,Web,2026-10-01T10:00:00.000Z\n"
        "00Q2,,Hopper,,,,0,,\n"
        '00Q3,grace@example.com,"Hopper, Grace",Navy,Germany,1500.50,FALSE,Partner,'
        "2026-10-02T10:00:00.000Z\n"
    )
    _same_records(records, load("out"))


def test_unchanged_datatree_keeps_record_order_across_types(files: Files, load: Load) -> None:
    files({"export.json": DATATREE})
    records = load("export.json")
    write_records(records, "out")
    assert json.loads(Path("out/export.json").read_text()) == json.loads(DATATREE)
    _same_records(records, load("out/export.json"))


def test_empty_csv_header_is_kept(files: Files, load: Load) -> None:
    files({"rs/leads.csv": "Id,LastName\n", "rs/prospects.yaml": "[]\n"})
    write_records(load("rs"), "out")
    assert Path("out/leads.csv").read_text() == "Id,LastName\n"
    assert Path("out/prospects.yaml").read_text() == "[]\n"


# -- changed fields ------------------------------------------------------------------------------


def test_changed_fields_are_rendered_over_raw(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """\
        prospects:
          - id: p1
            score: 3
            interests: [Email]
            birthday: null
            crm_lead_fid: null
            first_name: Ada
            extra: kept
        leads:
          - {Id: 00Q1, country: Canada, LastName: Lovelace, NumberOfEmployees: 5, Rating: Hot}
        """
        }
    )
    records = load("records.yaml")
    prospect, lead = records.prospects[0], records.leads[0]
    prospect.values.update(
        score=Decimal("12.50"),
        interests="Email;Events",
        birthday=dt.date(2026, 11, 1),
        first_name="",
        last_seen=dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        opted_out=True,
    )
    prospect.changed |= {
        "score",
        "interests",
        "birthday",
        "first_name",
        "last_seen",
        "opted_out",
        "crm_lead_fid",
    }
    prospect.crm_lead_fid = "00Q1"
    lead.values.update(Country="Germany", NumberOfEmployees=None, Email="ada@example.com")
    lead.changed |= {"Country", "NumberOfEmployees", "Email"}
    write_records(records, "out")
    assert Path("out/records.yaml").read_text() == (
        "prospects:\n"
        "  - id: p1\n"
        "    score: 12.5\n"
        "    interests:\n"  # a multipicklist written as a list stays a list
        "      - Email\n"
        "      - Events\n"
        "    birthday: 2026-11-01\n"
        "    crm_lead_fid: 00Q1\n"
        "    first_name: ''\n"
        "    extra: kept\n"
        "    last_seen: 2026-11-01T10:00:00Z\n"  # new keys at the end, in values order
        "    opted_out: true\n"
        "leads:\n"
        "  - Id: 00Q1\n"
        "    country: Germany\n"  # the key as read, matched case-insensitively
        "    LastName: Lovelace\n"
        "    NumberOfEmployees: null\n"
        "    Rating: Hot\n"
        "    Email: ada@example.com\n"
    )
    again = load("out/records.yaml")
    assert again.prospects[0].values == {
        "score": Decimal("12.5"),
        "interests": "Email;Events",
        "birthday": dt.date(2026, 11, 1),
        "first_name": "",
        "last_seen": dt.datetime(2026, 11, 1, 10, tzinfo=UTC),
        "opted_out": True,
    }
    assert again.prospects[0].crm_lead_fid == "00Q1"
    assert again.leads[0].values == {
        "Country": "Germany",
        "LastName": "Lovelace",
        "NumberOfEmployees": None,
        "Email": "ada@example.com",
    }


def test_created_lead_in_yaml(files: Files, load: Load) -> None:
    files({"records.yaml": "prospects:\n  - {id: p1, crm_lead_fid: null}\n"})
    records = load("records.yaml")
    records.prospects[0].crm_lead_fid = "00QSR0000000001"
    records.prospects[0].changed.add("crm_lead_fid")
    records.leads.append(
        _created_lead(
            "00QSR0000000001",
            {
                "LastName": "Lovelace",
                "Company": "Analytical",
                "NumberOfEmployees": Decimal("5.00"),
                "OwnerId": "005A",
            },
        )
    )
    write_records(records, "out")
    assert Path("out/records.yaml").read_text() == (
        "prospects:\n"
        "  - id: p1\n"
        "    crm_lead_fid: 00QSR0000000001\n"
        "leads:\n"  # a list the input did not have is added after the others
        "  - Id: 00QSR0000000001\n"
        "    LastName: Lovelace\n"
        "    Company: Analytical\n"
        "    NumberOfEmployees: 5\n"
        "    OwnerId: 005A\n"
    )


def test_created_lead_and_changes_in_csv(files: Files, load: Load) -> None:
    files(
        {
            "rs/leads.csv": "ID,LASTNAME,COMPANY,HASOPTEDOUTOFEMAIL\n00Q1,Lovelace,,false\n",
            "rs/prospects.csv": "id,crm_lead_fid,score\np1,,1\np2,,\n",
        }
    )
    records = load("rs")
    records.leads[0].values.update(Company="Analytical", NumberOfEmployees=Decimal("0.1"))
    records.leads[0].changed |= {"Company", "NumberOfEmployees"}
    records.leads.append(
        _created_lead(
            "00QSR1", {"LastName": "Hopper", "Company": "Navy", "HasOptedOutOfEmail": True}
        )
    )
    records.prospects[1].crm_lead_fid = "00QSR1"
    records.prospects[1].changed.add("crm_lead_fid")
    write_records(records, "out")
    assert Path("out/leads.csv").read_text() == (
        "ID,LASTNAME,COMPANY,HASOPTEDOUTOFEMAIL,NumberOfEmployees\n"
        "00Q1,Lovelace,Analytical,false,0.1\n"
        "00QSR1,Hopper,Navy,true,\n"
    )
    assert Path("out/prospects.csv").read_text() == "id,crm_lead_fid,score\np1,,1\np2,00QSR1,\n"
    again = load("out")
    assert [lead.values for lead in again.leads] == [
        {
            "LastName": "Lovelace",
            "Company": "Analytical",
            "HasOptedOutOfEmail": False,
            "NumberOfEmployees": Decimal("0.1"),
        },
        {
            "LastName": "Hopper",
            "Company": "Navy",
            "HasOptedOutOfEmail": True,
            "NumberOfEmployees": None,
        },
    ]


def test_created_lead_in_datatree(files: Files, load: Load) -> None:
    files({"export.json": DATATREE})
    records = load("export.json")
    records.leads.append(_created_lead("00QSR1", {"LastName": "New", "Company": "Co"}))
    records.leads[0].values["Company"] = "Analytical Engines"
    records.leads[0].changed.add("Company")
    write_records(records, "out")
    written = json.loads(Path("out/export.json").read_text())["records"]
    assert [r["attributes"]["referenceId"] for r in written] == [
        "LeadRef1",
        "ContactRef1",
        "LeadRef2",
        "LeadRef3",
    ]
    assert written[0]["Company"] == "Analytical Engines"
    assert written[3] == {
        "attributes": {"type": "Lead", "referenceId": "LeadRef3"},
        "Id": "00QSR1",
        "LastName": "New",
        "Company": "Co",
    }
    assert [lead.id for lead in load("out/export.json").leads] == ["00Q1", "00Q2", "00QSR1"]


def test_created_reference_ids_never_clash(files: Files, load: Load) -> None:
    files(
        {
            "rs/Lead.json": '{"records": [{"attributes": {"type": "Lead", "referenceId": '
            '"LeadRef2"}, "Id": "00Q1"}]}'
        }
    )
    records = load("rs")
    records.leads.append(_created_lead("00QSR1", {"LastName": "A"}))
    records.leads.append(_created_lead("00QSR2", {"LastName": "B"}))
    write_records(records, "out")
    written = json.loads(Path("out/Lead.json").read_text())["records"]
    assert [r["attributes"]["referenceId"] for r in written] == ["LeadRef2", "LeadRef3", "LeadRef4"]


def test_a_list_without_a_file_takes_the_first_files_format(files: Files, load: Load) -> None:
    files({"rs/prospects.csv": "id\np1\n"})
    records = load("rs")
    records.lists["leads"] = [_created_lead("00QSR1", {"LastName": "A", "Company": "B"})]
    assert write_records(records, "out") == ["out/prospects.csv", "out/leads.csv"]
    assert Path("out/leads.csv").read_text() == "Id,LastName,Company\n00QSR1,A,B\n"


def test_a_change_without_a_value_is_a_bug_not_a_silent_skip(files: Files, load: Load) -> None:
    files({"records.yaml": "leads:\n  - {Id: 00Q1}\n"})
    records = load("records.yaml")
    records.leads[0].changed.add("Nowhere")
    with pytest.raises(ValueError, match="Nowhere"):
        write_records(records, "out")


# -- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (Decimal("0.1"), "yaml", 0.1),
        (Decimal("5.00"), "json", 5),
        (Decimal("1E+3"), "yaml", 1000),
        (Decimal("-2.50"), "csv", "-2.5"),
        (Decimal("5.00"), "csv", "5"),
        (dt.date(2026, 11, 1), "json", "2026-11-01"),
        (dt.date(2026, 11, 1), "csv", "2026-11-01"),
        (dt.datetime(2026, 11, 1, 10, tzinfo=UTC), "json", "2026-11-01T10:00:00Z"),
        (
            dt.datetime(2026, 11, 1, 11, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "csv",
            "2026-11-01T10:00:00Z",
        ),
        (True, "csv", "true"),
        (False, "json", False),
        (None, "yaml", None),
        (None, "csv", ""),
        ("", "yaml", ""),
        ("A;B", "json", "A;B"),
    ],
)
def test_render_value(value: Value, fmt: str, expected: object) -> None:
    rendered = render_value(value, fmt)
    assert rendered == expected
    assert type(rendered) is type(expected)


def test_render_value_keeps_a_multipicklist_list_a_list() -> None:
    assert render_value("A;B", "yaml", previous=["A"]) == ["A", "B"]
    assert render_value("", "json", previous=["A"]) == []


def test_render_text_of_a_float_is_its_shortest_form() -> None:
    assert render_text(0.1) == "0.1"
