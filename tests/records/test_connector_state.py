"""SPEC §2: the connector's state columns are read whether or not an object declares them.

`IsDeleted` (leads, contacts), `IsConverted` and `ConvertedContactId` (leads) and
`crm_deleted` (prospects): booleans in any case, in YAML, JSON and CSV alike; blank, null
or absent is false; anything else is an input error naming file, record and field.
"""

from __future__ import annotations

import pytest

from tests.records.conftest import Files, Load, LoadError


def test_yaml_flags_in_any_case_and_blank_or_absent_is_false(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """
            prospects:
              - {id: p1, crm_deleted: true}
              - {id: p2, crm_deleted: "FALSE"}
              - {id: p3, crm_deleted: null}
              - {id: p4}
            leads:
              - {Id: 00Q1, isdeleted: "True", IsConverted: TRUE, ConvertedContactId: 003A}
              - {Id: 00Q2, IsDeleted: "", IsConverted: false, ConvertedContactId: ""}
              - {Id: 00Q3}
            contacts:
              - {Id: 003A, ISDELETED: tRuE}
              - {Id: 003B, IsDeleted: " "}
        """,
        }
    )
    records = load("records.yaml")
    assert [p.crm_deleted for p in records.prospects] == [True, False, False, False]
    assert [(r.deleted, r.converted, r.converted_contact) for r in records.leads] == [
        (True, True, "003A"),
        (False, False, None),
        (False, False, None),
    ]
    assert [c.deleted for c in records.contacts] == [True, False]
    # undeclared: kept as read, so `run` writes them back unchanged
    assert records.leads[0].raw["isdeleted"] == "True"
    assert "IsDeleted" not in records.leads[0].values


def test_csv_flags(files: Files, load: Load) -> None:
    files(
        {
            "rs/leads.csv": """\
            Id,IsDeleted,IsConverted,ConvertedContactId
            00Q1,TRUE,false,
            00Q2,,True,003C
            00Q3,false,,
        """,
            "rs/prospects.csv": """\
            id,email,crm_deleted
            p1,a@example.com,True
            p2,b@example.com,
        """,
        }
    )
    records = load("rs")
    assert [(r.deleted, r.converted, r.converted_contact) for r in records.leads] == [
        (True, False, None),
        (False, True, "003C"),
        (False, False, None),
    ]
    assert [p.crm_deleted for p in records.prospects] == [True, False]


def test_json_flags(files: Files, load: Load) -> None:
    files(
        {
            "records.json": """
            {"leads": [{"Id": "00Q1", "IsDeleted": true, "IsConverted": "false"}],
             "prospects": [{"id": "p1", "crm_deleted": false}]}
        """,
        }
    )
    records = load("records.json")
    assert (records.leads[0].deleted, records.leads[0].converted) == (True, False)
    assert records.prospects[0].crm_deleted is False


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param(
            "records.yaml",
            "leads:\n  - Id: 00Q1\n    IsDeleted: yes\n",
            'records.yaml:3: record 00Q1, field IsDeleted: "yes" is not true or false '
            "(IsDeleted is the connector's deleted flag)",
            id="yaml-yes",
        ),
        pytest.param(
            "records.yaml",
            "contacts:\n  - {Id: 003A, IsDeleted: 1}\n",
            "records.yaml:2: record 003A, field IsDeleted: 1 is not true or false "
            "(IsDeleted is the connector's deleted flag)",
            id="yaml-number",
        ),
        pytest.param(
            "records.yaml",
            "leads:\n  - {Id: 00Q1, IsConverted: [true]}\n",
            "records.yaml:2: record 00Q1, field IsConverted: a list is not true or false "
            "(IsConverted is the connector's converted flag)",
            id="yaml-list",
        ),
        pytest.param(
            "rs/prospects.csv",
            "id,crm_deleted\np1,false\np2,deleted\n",
            'rs/prospects.csv:3: record p2, field crm_deleted: "deleted" is not true or '
            "false (crm_deleted is the connector's deleted-in-Salesforce flag)",
            id="csv",
        ),
    ],
)
def test_anything_else_is_an_input_error_naming_file_record_and_field(
    files: Files, load_error: LoadError, path: str, text: str, expected: str
) -> None:
    files({path: text})
    assert load_error(path.split("/")[0] if "/" in path else path) == expected
