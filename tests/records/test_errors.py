"""Every input error of a record set (SPEC §2, §4): exit 2 with one message that names the
file, the line where the format knows it, the record (its id, or its position) and the
field, and says what was expected. Never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Files, LoadError

LISTS = (
    "users, prospects, leads, contacts, accounts, campaigns, campaign_members, "
    "personalization_users, personalization_accounts, pardot_campaigns, queues, field_history"
)

# (case id, files, path to load, expected message)
CASES: list[tuple[str, dict[str, str], str, str]] = [
    # -- values that do not fit their declared type
    (
        "number",
        {"records.yaml": "prospects:\n  - id: p1\n  - id: p3\n    email: a@b.c\n    score: lots\n"},
        "records.yaml",
        'records.yaml:5: record p3, field score: "lots" is not a number '
        "(prospect.score is declared number)",
    ),
    (
        "number-from-boolean",
        {"records.yaml": "prospects:\n  - {id: p3, score: true}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field score: true is not a number "
        "(prospect.score is declared number)",
    ),
    (
        "number-from-list",
        {"records.yaml": "prospects:\n  - {id: p3, score: [1]}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field score: a list is not a number "
        "(prospect.score is declared number)",
    ),
    (
        "boolean",
        {"records.yaml": "prospects:\n  - {id: p3, opted_out: yes}\n"},
        "records.yaml",
        'records.yaml:2: record p3, field opted_out: "yes" is not a boolean '
        "(prospect.opted_out is declared boolean)",
    ),
    (
        "date-out-of-range",
        {"records.yaml": "prospects:\n  - {id: p3, birthday: 2026-13-01}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field birthday: 2026-13-01 is not a date "
        "(prospect.birthday is declared date)",
    ),
    (
        "date-from-datetime",
        {"records.yaml": "prospects:\n  - {id: p3, birthday: 2026-11-01T10:00:00Z}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field birthday: 2026-11-01T10:00:00Z is not a date "
        "(prospect.birthday is declared date)",
    ),
    (
        "datetime",
        {"records.yaml": "prospects:\n  - {id: p3, last_seen: yesterday}\n"},
        "records.yaml",
        'records.yaml:2: record p3, field last_seen: "yesterday" is not a date and time '
        "(prospect.last_seen is declared datetime)",
    ),
    (
        "grade",
        {"records.yaml": "prospects:\n  - {id: p3, grade: b+}\n"},
        "records.yaml",
        'records.yaml:2: record p3, field grade: "b+" is not a grade from F to A+ '
        "(prospect.grade is declared grade)",
    ),
    (
        "picklist",
        {"records.yaml": "leads:\n  - {Id: 00Q1, Country: Mexico}\n"},
        "records.yaml",
        'records.yaml:2: record 00Q1, field Country: "Mexico" is not one of its values '
        '(lead.Country is declared picklist("United States", "Canada", "Germany"))',
    ),
    (
        "picklist-is-case-sensitive",
        {"records.yaml": "leads:\n  - {Id: 00Q1, country: canada}\n"},
        "records.yaml",
        'records.yaml:2: record 00Q1, field country: "canada" is not one of its values '
        '(lead.Country is declared picklist("United States", "Canada", "Germany"))',
    ),
    (
        "multipicklist",
        {"records.yaml": "prospects:\n  - {id: p3, interests: Email;Fax}\n"},
        "records.yaml",
        'records.yaml:2: record p3, field interests: "Fax" is not one of its values '
        '(prospect.interests is declared multipicklist("Email", "Webinars", "Events"))',
    ),
    (
        "multipicklist-nested-list",
        {"records.yaml": "prospects:\n  - {id: p3, interests: [Email, [x]]}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field interests: a list is not text "
        '(prospect.interests is declared multipicklist("Email", "Webinars", "Events"))',
    ),
    (
        "text-from-list",
        {"records.yaml": "prospects:\n  - {id: p3, first_name: [Ada]}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field first_name: a list is not text "
        "(prospect.first_name is declared text(40))",
    ),
    (
        "email-from-list",
        {"records.yaml": "prospects:\n  - {id: p3, email: [a]}\n"},
        "records.yaml",
        "records.yaml:2: record p3, field email: a list is not text "
        "(prospect.email is declared email)",
    ),
    (
        "json-record-line",
        {
            "records.json": '{"prospects": [\n  {"id": "p1"},\n'
            '  {"id": "p2",\n   "score": "n/a"}\n]}\n'
        },
        "records.json",
        'records.json:3: record p2, field score: "n/a" is not a number '
        "(prospect.score is declared number)",
    ),
    (
        "csv-number",
        {"rs/leads.csv": "Id,NumberOfEmployees\n00Q1,50-100\n"},
        "rs",
        'rs/leads.csv:2: record 00Q1, field NumberOfEmployees: "50-100" is not a number '
        "(lead.NumberOfEmployees is declared number)",
    ),
    # -- attributes
    (
        "updated-at",
        {"records.yaml": "prospects:\n  - {id: p3, updated_at: yesterday}\n"},
        "records.yaml",
        'records.yaml:2: record p3, field updated_at: "yesterday" is not a date and time '
        "(updated_at is an ISO 8601 date and time, e.g. 2026-11-01T10:00:00Z)",
    ),
    (
        "last-modified-date",
        {"records.yaml": "leads:\n  - {Id: 00Q1, LastModifiedDate: 2026-10-01T25:00:00Z}\n"},
        "records.yaml",
        "records.yaml:2: record 00Q1, field LastModifiedDate: 2026-10-01T25:00:00Z is not a "
        "date and time (LastModifiedDate is an ISO 8601 date and time, e.g. 2026-11-01T10:00:00Z)",
    ),
    (
        "user-active",
        {"records.yaml": "users:\n  - {Id: 005A, active: maybe}\n"},
        "records.yaml",
        'records.yaml:2: record 005A, field active: "maybe" is not a boolean (true or false)',
    ),
    (
        "user-groups",
        {"records.yaml": "users:\n  - {Id: 005A, groups: {a: 1}}\n"},
        "records.yaml",
        "records.yaml:2: record 005A, field groups: a mapping is not text "
        "(groups is a list of public group names)",
    ),
    (
        "personalization-attribute",
        {"records.yaml": "personalization_users:\n  - {id: u1, Email: [a]}\n"},
        "records.yaml",
        "records.yaml:2: record u1, field Email: a list is not text "
        "(personalization attributes are text)",
    ),
    # -- ids
    (
        "missing-id",
        {"records.yaml": "prospects:\n  - {id: p1}\n  - {email: a@b.c}\n"},
        "records.yaml",
        "records.yaml:3: record #2 in prospects, field id: missing (every prospect needs an id)",
    ),
    (
        "blank-id",
        {"records.yaml": "prospects:\n  - {id: ''}\n"},
        "records.yaml",
        "records.yaml:2: record #1 in prospects, field id: blank (every prospect needs an id)",
    ),
    (
        "list-id",
        {"records.yaml": "prospects:\n  - {id: [1]}\n"},
        "records.yaml",
        "records.yaml:2: record #1 in prospects, field id: a list is not an id",
    ),
    (
        "boolean-id",
        {"records.yaml": "prospects:\n  - {id: true}\n"},
        "records.yaml",
        "records.yaml:2: record #1 in prospects, field id: true is not an id",
    ),
    (
        "missing-salesforce-id",
        {"records.yaml": "leads:\n  - {LastName: Lovelace}\n"},
        "records.yaml",
        "records.yaml:2: record #1 in leads, field Id: missing (every lead record needs an Id)",
    ),
    (
        "missing-personalization-id",
        {"records.yaml": "personalization_accounts:\n  - {Name: Acme}\n"},
        "records.yaml",
        "records.yaml:2: record #1 in personalization_accounts, field id: missing "
        "(every personalization account needs an id)",
    ),
    (
        "duplicate-id",
        {"records.yaml": "prospects:\n  - id: p1\n  - id: p2\n  - id: p1\n"},
        "records.yaml",
        "records.yaml:4: record p1, field id: records #1 (line 2) and #3 (line 4) in prospects "
        "have the same id",
    ),
    (
        "duplicate-id-csv",
        {"rs/leads.csv": "Id,LastName\n00Q1,A\n00Q1,B\n"},
        "rs",
        "rs/leads.csv:3: record 00Q1, field Id: records #1 (line 2) and #2 (line 3) in leads "
        "have the same id",
    ),
    # -- shapes
    (
        "unknown-object",
        {"records.yaml": "prospects: []\nopportunities: []\n"},
        "records.yaml",
        f'records.yaml:2: unknown object "opportunities" (a record set holds the lists {LISTS})',
    ),
    (
        "record-not-a-mapping",
        {"records.yaml": "prospects:\n  - id: p1\n  - just text\n"},
        "records.yaml",
        'records.yaml:3: record #2 in prospects: a record is a mapping of fields, not "just text"',
    ),
    (
        "top-level-list",
        {"records.yaml": "- id: p1\n"},
        "records.yaml",
        f"records.yaml:1: a record set is a mapping of lists ({LISTS}), not a list",
    ),
    (
        "top-level-text",
        {"records.yaml": "hello\n"},
        "records.yaml",
        f'records.yaml: a record set is a mapping of lists ({LISTS}), not "hello"',
    ),
    (
        "list-not-a-list",
        {"records.yaml": "prospects:\n  id: p1\n"},
        "records.yaml",
        "records.yaml:1: prospects must be a list of records, not a mapping",
    ),
    (
        "duplicate-key",
        {"records.yaml": "prospects:\n  - id: p1\n    score: 1\n    score: 2\n"},
        "records.yaml",
        "records.yaml:4: record p1, field score: given twice in one record",
    ),
    (
        "duplicate-key-json",
        {"records.json": '{"prospects": [\n  {"id": "p1", "score": 1, "score": 2}\n]}\n'},
        "records.json",
        "records.json:2: record p1, field score: given twice in one record",
    ),
    (
        "duplicate-key-in-case",
        {"records.yaml": "leads:\n  - Id: 00Q1\n    Email: a@b.c\n    EMAIL: b@b.c\n"},
        "records.yaml",
        "records.yaml:4: record 00Q1, field EMAIL: given twice in one record (also as Email)",
    ),
    (
        "duplicate-list",
        {"records.yaml": "prospects: []\nleads: []\nprospects: []\n"},
        "records.yaml",
        'records.yaml:3: list "prospects" appears twice',
    ),
    (
        "non-text-key",
        {"records.yaml": "prospects:\n  - {[a]: 1}\n"},
        "records.yaml",
        "records.yaml:2: invalid key: a key must be text",
    ),
    # -- malformed files
    (
        "malformed-yaml",
        {"records.yaml": "prospects:\n  - {id: p1\n"},
        "records.yaml",
        "records.yaml:3:1: invalid YAML: expected ',' or '}', but got '<stream end>'",
    ),
    (
        "several-yaml-documents",
        {"records.yaml": "prospects: []\n---\nleads: []\n"},
        "records.yaml",
        "records.yaml:2:1: invalid YAML: expected a single document in the stream, "
        "but found another document",
    ),
    (
        "unknown-yaml-tag",
        {"records.yaml": "prospects:\n  - {id: p3, score: !foo abc}\n"},
        "records.yaml",
        "records.yaml:2:21: invalid YAML: could not determine a constructor for the tag '!foo'",
    ),
    (
        "malformed-json",
        {"records.json": '{"prospects": [\n  {"id": "p1",}\n]}\n'},
        "records.json",
        "records.json:2:15: invalid JSON: Expecting property name enclosed in double quotes",
    ),
    (
        "json-nested-too-deeply",
        {"records.json": "[" * 100_000},
        "records.json",
        "records.json:1:101: invalid JSON: nested more than 100 levels deep",  # located now
    ),
    (
        "malformed-csv",
        {"rs/leads.csv": 'Id,LastName\n00Q1,"Love\n'},
        "rs",
        "rs/leads.csv:2: invalid CSV: unexpected end of data",
    ),
    (
        "csv-row-too-long",
        {"rs/leads.csv": "Id,LastName\n00Q1,A,extra\n"},
        "rs",
        "rs/leads.csv:2: record #1 in leads: 3 cells, but the header names 2 columns",
    ),
    (
        "csv-unnamed-column",
        {"rs/leads.csv": "Id,,LastName\n"},
        "rs",
        "rs/leads.csv:1: column 2 of the header has no name",
    ),
    (
        "csv-column-twice",
        {"rs/leads.csv": "Id,Email,EMAIL\n"},
        "rs",
        'rs/leads.csv:1: column "EMAIL" appears twice in the header',
    ),
    # -- paths and layouts
    ("no-such-path", {}, "records.yaml", "records.yaml: no such file or directory"),
    (
        "csv-single-file",
        {"leads.csv": "Id\n"},
        "leads.csv",
        "leads.csv: a CSV file holds one list: put it in a directory named for its list "
        "(prospects.csv, leads.csv, …) and pass the directory",
    ),
    (
        "unknown-extension",
        {"records.txt": "x"},
        "records.txt",
        "records.txt: not a record-set file: use .yaml, .yml or .json, or a directory of them",
    ),
    (
        "directory-unknown-list",
        {"rs/opportunities.csv": "Id\n"},
        "rs",
        "rs/opportunities.csv: not a record list: a record-set directory holds one file per "
        f"list ({LISTS}), as .yaml, .yml, .json, .csv or .parquet; files of other kinds (a "
        "README, rule files) are ignored",
    ),
    (
        "directory-unknown-list-yaml",
        {"rs/prospects.yaml": "[]", "rs/notes.yaml": "x"},
        "rs",
        "rs/notes.yaml: not a record list: a record-set directory holds one file per "
        f"list ({LISTS}), as .yaml, .yml, .json, .csv or .parquet; files of other kinds (a "
        "README, rule files) are ignored",
    ),
    (
        "directory-unknown-list-parquet",
        {"rs/Opportunity.parquet": "x"},
        "rs",
        "rs/Opportunity.parquet: not a record list: a record-set directory holds one file per "
        f"list ({LISTS}), as .yaml, .yml, .json, .csv or .parquet; files of other kinds (a "
        "README, rule files) are ignored",
    ),
    (
        "parquet-single-file",
        {"leads.parquet": "x"},
        "leads.parquet",
        "leads.parquet: a Parquet file holds one list: put it in a directory named for its "
        "list (prospects.parquet, leads.parquet, …) and pass the directory",
    ),
    (
        "directory-two-files-for-one-list",
        {"rs/leads.yaml": "[]", "rs/Lead.json": "[]"},
        "rs",
        "rs/leads.yaml: a second file for leads (rs/Lead.json holds them)",
    ),
    (
        "directory-file-of-another-list",
        {"rs/leads.yaml": "users: []\n"},
        "rs",
        "rs/leads.yaml:1: expected a list of leads records (or a mapping whose only key is "
        '"leads"), not a mapping',
    ),
    # -- data-tree JSON
    (
        "datatree-unknown-type",
        {
            "export.json": '{"records": [\n'
            ' {"attributes": {"type": "Opportunity"}, "Id": "006A"}\n]}'
        },
        "export.json",
        'export.json:2: record #1 in records, field attributes.type: "Opportunity" is not an '
        "object syncrules reads (Lead, Contact, Account, User, Campaign, CampaignMember)",
    ),
    (
        "datatree-no-attributes",
        {"export.json": '{"records": [\n {"Id": "006A"}\n]}'},
        "export.json",
        "export.json:2: record #1 in records, field attributes: missing "
        "(a data-tree record needs attributes.type)",
    ),
    (
        "datatree-type-of-another-file",
        {"rs/leads.json": '{"records": [\n {"attributes": {"type": "Contact"}, "Id": "003A"}\n]}'},
        "rs",
        "rs/leads.json:2: record #1 in leads, field attributes.type: "
        "a Contact record in the file of leads",
    ),
    (
        "datatree-nested-children",
        {
            "export.json": '{"records": [\n'
            ' {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "X",\n'
            '  "Contacts": {"records": []}}\n]}'
        },
        "export.json",
        "export.json:2: record A1, field Contacts: nested child records are not supported: "
        "export one file per object (sf data export tree --plan)",
    ),
    (
        "datatree-no-id",
        {"export.json": '{"records": [\n {"attributes": {"type": "Lead"}, "LastName": "X"}\n]}'},
        "export.json",
        "export.json:2: record #1 in records, field Id: missing "
        "(a data-tree record needs Id or attributes.referenceId)",
    ),
    (
        "datatree-duplicate-id",
        {
            "export.json": '{"records": [\n {"attributes": {"type": "Lead"}, "Id": "00Q1"},\n'
            ' {"attributes": {"type": "Contact"}, "Id": "003A"},\n'
            ' {"attributes": {"type": "Lead"}, "Id": "00Q1"}\n]}'
        },
        "export.json",
        "export.json:4: record 00Q1, field Id: records #1 (line 2) and #3 (line 4) in records "
        "have the same id",
    ),
    (
        "datatree-other-keys",
        {"export.json": '{"records": [], "totalSize": 0}'},
        "export.json",
        'export.json:1: unknown key "totalSize" in a data-tree file (it holds only "records")',
    ),
]


@pytest.mark.parametrize(
    ("files_", "path", "expected"),
    [pytest.param(f, p, e, id=name) for name, f, p, e in CASES],
)
def test_input_error(
    files: Files, load_error: LoadError, files_: dict[str, str], path: str, expected: str
) -> None:
    files(files_)
    assert load_error(path) == expected


def test_not_utf8(files: Files, load_error: LoadError) -> None:
    files({})
    Path("records.yaml").write_bytes(b"prospects:\n  - id: p\xe91\n")
    assert load_error("records.yaml") == (
        "records.yaml:2:10: not UTF-8 text: byte 0xe9 cannot be decoded"
    )
