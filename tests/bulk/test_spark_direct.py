"""Spark reading CSV and Parquet record-set directories itself (engine/bulk/spark_load.py,
spark_direct.py): the reference's plan byte for byte, with no record loaded in Python."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engine.bulk import spark_direct
from engine.bulk.spark_load import loader_sql
from engine.cli import main
from tests.bulk.test_direct_load import NOW, PROSPECTS, write_set


def run(
    records: str, rules: str, engine: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
    code = main([*args, "--engine", engine, "--spark-master", "local[2]"])
    out = capsys.readouterr()
    return code, out.out, out.err


# One export for Spark's direct path, holding what three Spark runs each held before (each
# run costs seconds of planning an ~800-column round, whatever its few records): the
# connector's state (test_direct_cover.py: deleted, merged and converted records, both
# CRM-id columns, email_fallback, a flagged prospect), contacts' Account Names reaching a
# prospect's company (test_direct_accounts.py), and typed values in both file formats
# (test_direct_load.py: the prospects as CSV with a BOM, CRLF and a quoted line break, the
# leads as Parquet with boolean columns). The accounts' records are renamed beside the
# state's (prospects q1…, contacts 003C1…, lead 00QB) so that neither set meets the other.
# Prospects from Salesforce (SPEC §3.9, the default with match: crm_id): lead 00QB (from
# the Parquet file) and contact 003N (from the CSV file) are linked to no prospect.
EXPORT_RULES = """
object prospect {
  email: email  name: text(20)  title: text(10)  company: text(6)  score: number  optin: boolean
  topics: multipicklist("A", "B", "C")
}
object lead {
  Email: email  LastName: text(20) required  Company: text(20)  Score__c: number  Opt__c: boolean
  Topics__c: multipicklist("A", "C")
}
object contact { Email: email  LastName: text(20)  Title: text(10)  AccountId: reference(account) }
object account { Name: text(20) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field title { contact: Title sync: salesforce }
field company { lead: Company sync: pardot }
field score { lead: Score__c sync: pardot }
field optin { lead: Opt__c sync: pardot }
field topics { lead: Topics__c sync: pardot }
validation Long on contact { error_if: LEN(LastName) > 5 message: "too long" }
connector { match: crm_id email_fallback: true }
create lead when true
duplicate lead by Email
"""
PROSPECT_COLUMNS = [
    "id", "email", "name", "title", "company", "score", "optin",
    "crm_lead_fid", "crm_contact_fid", "crm_deleted", "topics",
]  # fmt: skip
LEAD_COLUMNS = [
    "Id", "Email", "LastName", "Company", "Score__c", "Opt__c",
    "IsDeleted", "IsConverted", "ConvertedContactId", "MasterRecordId",
]  # fmt: skip
CONTACT_COLUMNS = ["Id", "Email", "LastName", "Title", "AccountId", "IsDeleted", "MasterRecordId"]


def cells(lines: list[str], columns: list[str], **renamed: dict[str, str]) -> list[list[str]]:
    """The CSV `lines` (a header first) as rows of `columns`; `renamed` maps a column's
    values to others (the accounts' Ids beside the state's)."""
    header, *rows = list(csv.reader(lines))
    out = []
    for row in rows:
        named = dict(zip(header, row, strict=True))
        for column, names in renamed.items():
            named[column] = names.get(named[column], named[column])
        out.append([named.get(column, "") for column in columns])
    return out


def write_csv(path: Path, columns: list[str], rows: list[list[str]], newline: str = "\n") -> None:
    with open(path, "w", encoding="utf-8-sig" if newline == "\r\n" else "utf-8", newline="") as f:
        csv.writer(f, lineterminator=newline).writerows([columns, *rows])


def write_export(root: Path) -> tuple[str, str]:
    from tests.bulk import test_direct_accounts as accounts
    from tests.bulk import test_direct_cover as state
    from tests.bulk.test_direct_cover import to_parquet

    (root / "rules.sync").write_text(EXPORT_RULES, encoding="utf-8")
    records = root / "records"
    records.mkdir()
    ids = {f"p{c}": f"q{c}" for c in "123456789ab"}
    contacts = {f"003{n}": f"003C{n}" for n in range(1, 10)}
    prospects = [
        *cells(state.SPARK_PROSPECTS, PROSPECT_COLUMNS),
        *cells(accounts.PROSPECTS, PROSPECT_COLUMNS, id=ids, email={"new@x.io": "nu@x.io"}),
        # created as a lead, its values typed as the Python loader types them (a
        # multi-select picklist's parts stripped, blank ones dropped)
        ["pt", "two@x.io", "Two\r\nlines", "", "", "+012.50", "TRUE", "", "", "", " A ;;C"],
        ["pu", "three@x.io", "Three", "", "", "", "", "", "", "", "A;B"],  # B: no lead value
    ]
    write_csv(records / "prospects.csv", PROSPECT_COLUMNS, prospects, newline="\r\n")
    leads = [
        *cells(state.STATE_LEADS, LEAD_COLUMNS),
        *cells(accounts.LEADS, LEAD_COLUMNS, Id={"00Q1": "00QB"}),
    ]
    leads[2][LEAD_COLUMNS.index("Opt__c")] = "true"  # 00Q3: a Parquet boolean read
    write_csv(records / "leads.csv", LEAD_COLUMNS, leads)
    to_parquet(str(records), "leads", ("Opt__c", "IsDeleted", "IsConverted"))
    write_csv(
        records / "contacts.csv",
        CONTACT_COLUMNS,
        [
            *cells(state.STATE_CONTACTS, CONTACT_COLUMNS),
            *cells(accounts.CONTACTS, CONTACT_COLUMNS, Id=contacts),
            ["003N", "nova@x.io", "Nova", "CTO", "", "", ""],
        ],
    )
    (records / "accounts.csv").write_text("\n".join(accounts.ACCOUNTS) + "\n", "utf-8")
    return str(root / "rules.sync"), str(records)


@pytest.mark.xdist_group("spark")
def test_spark_reads_an_export_past_the_per_record_limit_as_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spark reads the export's CSV and Parquet files itself (the Python loader refuses
    them) and plans the connector's state, the accounts' Names, the typed values and the
    prospects from Salesforce as the reference does, its rows reaching the driver in
    parts."""
    from tests.bulk.test_spark import READY

    if not READY:
        pytest.skip("needs pyspark and java")
    rules, records = write_export(tmp_path)
    reference = run(records, rules, "python", "json", capsys)
    assert reference[0] == 0
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")
    monkeypatch.setattr(spark_direct, "CHUNK", 2)
    assert run(records, rules, "python", "json", capsys)[0] == 2
    assert run(records, rules, "spark", "json", capsys) == reference
    plan = reference[1]
    # the connector's state: a merge followed by CRM id, deletions, conversions
    assert '"reason": "crm_deleted"' in plan
    assert '"matched_by": "crm_id"' in plan
    # a contact's Account Name as the prospect's company
    assert '"company": "Acme"' in plan
    # the values as the Python loader types them ("+012.50" is 12.50, a quoted CRLF is
    # LF, a Parquet boolean is true), on a lead created in the cycle
    for typed in ('"Score__c": 12.5', '"LastName": "Two\\nlines"', '"Opt__c": true'):
        assert typed in plan
    # a multi-select picklist synced: each part one of the lead field's values
    assert '"Topics__c": "A;C"' in plan
    assert '"code": "INVALID_PICKLIST_VALUE",\n          "value": "A;B"' in plan
    assert '"action": "create_lead"' in plan
    # prospects from Salesforce, their candidates found in Spark, their cells typed
    made = json.loads(plan)["prospects_from_salesforce"]
    assert [(m["source"]["object"], m["source"]["id"]) for m in made] == [
        ("contact", "003N"),
        ("lead", "00QB"),
    ]


def test_a_big_yaml_record_set_names_the_formats_spark_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, records = write_set(tmp_path, PROSPECTS)
    (Path(records) / "prospects.csv").unlink()
    (Path(records) / "prospects.yaml").write_text("prospects: [{id: p1, email: a@x.io}]\n")
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")
    code, out, err = run(records, rules, "spark", "json", capsys)  # Spark is never started
    assert (code, out) == (2, "")
    assert "past what the per-record loader reads" in err
    assert "write prospects, leads and contacts as CSV or Parquet files" in err
    assert "--engine spark" in err
    assert "Traceback" not in err


def test_the_loaders_regular_expressions_match_whole_values_on_spark() -> None:
    """DuckDB's regexp_full_match is Spark's RLIKE anchored at both ends; `\\z`, as Java's
    `$` would also match before a final line break."""
    spark = loader_sql("SELECT count(*) FROM t WHERE NOT regexp_full_match(c0, '[0-9]+')")
    assert spark == "SELECT COUNT(*) FROM t WHERE NOT c0 RLIKE '^(?:[0-9]+)\\\\z'"
    epoch = loader_sql("SELECT epoch_us(CAST(c1 AS TIMESTAMP)) / 1000000.0 FROM t")
    assert "CAST(UNIX_MICROS(CAST(c1 AS TIMESTAMP_NTZ)) AS DOUBLE) / 1000000.0" in epoch
