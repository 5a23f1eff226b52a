"""Parquet files in a record-set directory (SPEC §2, issue 11): typed by the declarations
like the other formats, located errors (file, record by its id, field), written back by
`run --out` with their column types; and a directory's other files are ignored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from engine.cli import main
from engine.records.model import Origin
from engine.records.write import write_records

from .conftest import Files, Load, LoadError

PROSPECTS_SQL = """
SELECT * FROM (VALUES
  ('p1', 'ada@example.com', 120::BIGINT, true, DATE '1990-12-10',
   TIMESTAMPTZ '2026-11-01 12:00:00+02', ['Email', 'Webinars'], 'Ada', '0049 30'),
  ('p2', NULL, NULL, false, NULL, NULL, NULL, NULL, NULL)
) AS t(id, email, score, opted_out, birthday, last_seen, interests, first_name, phone)
"""
PROSPECTS_YAML = """\
- {id: p1, email: ada@example.com, score: 120, opted_out: true, birthday: 1990-12-10,
   last_seen: 2026-11-01T10:00:00Z, interests: [Email, Webinars], first_name: Ada,
   phone: "0049 30"}
- {id: p2, email: null, score: null, opted_out: false, birthday: null, last_seen: null,
   interests: null, first_name: null, phone: null}
"""
LEADS_SQL = """
SELECT * FROM (VALUES
  ('00Q1', 'Lovelace', 12.50::DECIMAL(10,2), true, 'United States', 'x'),
  ('00Q2', 'Babbage', 3.0::DOUBLE, false, NULL, 'y')
) AS t(Id, LastName, NumberOfEmployees, HasOptedOutOfEmail, Country, Extra__c)
"""


def write_parquet(path: str, sql: str) -> None:
    """A Parquet file written by DuckDB itself, independently of the code under test."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)")
    con.close()


def read_back(path: str) -> tuple[list[tuple[str, str]], list[tuple[object, ...]]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    types = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
    rows = con.execute(f"SELECT * FROM '{path}'").fetchall()
    con.close()
    return types, rows


def test_parquet_values_type_as_the_same_records_in_yaml(files: Files, load: Load) -> None:
    files({"yaml/prospects.yaml": PROSPECTS_YAML})
    write_parquet("pq/prospects.parquet", PROSPECTS_SQL)
    from_parquet, from_yaml = load("pq").prospects, load("yaml").prospects
    assert [p.values for p in from_parquet] == [p.values for p in from_yaml]
    assert from_parquet[0].values == {
        "email": "ada@example.com",
        "score": Decimal(120),
        "opted_out": True,
        "birthday": dt.date(1990, 12, 10),
        "last_seen": dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC),
        "interests": "Email;Webinars",
        "first_name": "Ada",
        "phone": "0049 30",
    }
    assert from_parquet[1].values["opted_out"] is False
    assert from_parquet[0].origin == Origin("pq/prospects.parquet", 0, None)


def test_decimal_and_double_columns_are_numbers(files: Files, load: Load) -> None:
    files({})
    write_parquet("rs/leads.parquet", LEADS_SQL)
    leads = load("rs").leads
    assert [(r.id, r.values["NumberOfEmployees"]) for r in leads] == [
        ("00Q1", Decimal("12.50")),
        ("00Q2", Decimal("3.0")),
    ]
    assert [r.values["HasOptedOutOfEmail"] for r in leads] == [True, False]
    assert leads[0].raw["Extra__c"] == "x"  # undeclared: kept, not typed


def test_a_value_that_does_not_fit_names_file_record_and_field(
    files: Files, load_error: LoadError
) -> None:
    files({})
    write_parquet(
        "rs/leads.parquet",
        "SELECT * FROM (VALUES ('00Q1', 'many')) AS t(Id, NumberOfEmployees)",
    )
    assert load_error("rs") == (
        'rs/leads.parquet: record 00Q1, field NumberOfEmployees: "many" is not a number '
        "(lead.NumberOfEmployees is declared number)"
    )


def test_a_record_without_id_is_named_by_its_position(files: Files, load_error: LoadError) -> None:
    files({})
    write_parquet(
        "rs/leads.parquet",
        "SELECT * FROM (VALUES ('00Q1', 'A'), (NULL, 'B')) AS t(Id, LastName)",
    )
    assert load_error("rs") == (
        "rs/leads.parquet: record #2 in leads, field Id: blank (every lead record needs an Id)"
    )


def test_a_file_that_is_not_parquet_is_an_input_error(files: Files, load_error: LoadError) -> None:
    files({"rs/leads.parquet": "Id,LastName\n00Q1,Lovelace\n"})
    assert load_error("rs").startswith("rs/leads.parquet: not a readable Parquet file: ")


def test_other_files_in_the_directory_are_ignored(files: Files, load: Load) -> None:
    files(
        {
            "rs/prospects.yaml": "- {id: p1}\n",
            "rs/README.md": "# our export\n",
            "rs/.gitignore": "*.tmp\n",
            "rs/rules.sync": "stage MQL when true\n",
            "rs/notes.txt": "x",
            "rs/leads.csv.bak": "junk",
        }
    )
    records = load("rs")
    assert [p.id for p in records.prospects] == ["p1"]
    assert records.layout.files == {"prospects": "prospects.yaml"}


def test_write_keeps_columns_types_and_values(files: Files, load: Load) -> None:
    files({})
    write_parquet("rs/leads.parquet", LEADS_SQL)
    write_parquet("rs/prospects.parquet", PROSPECTS_SQL)
    assert write_records(load("rs"), "out") == ["out/prospects.parquet", "out/leads.parquet"]
    for name in ("leads", "prospects"):
        assert read_back(f"out/{name}.parquet") == read_back(f"rs/{name}.parquet")
    first = Path("out/leads.parquet").read_bytes()
    write_records(load("rs"), "again")
    assert Path("again/leads.parquet").read_bytes() == first  # same input, same bytes


RULES = """\
object prospect { email: email  last_name: text(80)  company: text(80)  employees: number }
object lead {
    Email: email
    LastName: text(80) required
    Company: text(255) required
    NumberOfEmployees: number
}
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
field employees { lead: NumberOfEmployees }
create lead when true
"""


def test_run_out_writes_parquet_in_the_layout_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("rules.sync").write_text(RULES, encoding="utf-8")
    write_parquet(
        "rs/prospects.parquet",
        "SELECT * FROM (VALUES ('p1', 'new@example.com', 'New', 'Co', 7::BIGINT, NULL::VARCHAR,"
        " TIMESTAMPTZ '2026-11-01 10:00:00+00')) AS t(id, email, last_name, company,"
        " employees, crm_lead_fid, updated_at)",
    )
    write_parquet(
        "rs/leads.parquet",
        "SELECT * FROM (VALUES ('00Q1', 'old@example.com', 'Old', 'Co', 3::BIGINT,"
        " TIMESTAMPTZ '2026-10-01 10:00:00+00')) AS t(Id, Email, LastName, Company,"
        " NumberOfEmployees, LastModifiedDate)",
    )
    now = ["--now", "2026-12-01T09:00:00Z"]
    assert main(["run", "rules.sync", "--records", "rs", "--out", "out", *now]) == 0
    assert "wrote out/leads.parquet\n" in capsys.readouterr().out
    types, rows = read_back("out/leads.parquet")
    assert types == read_back("rs/leads.parquet")[0]
    assert rows[0] == (
        "00Q1",
        "old@example.com",
        "Old",
        "Co",
        3,
        dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC),
    )
    # the created lead, typed by the columns (its LastModifiedDate is issue 12's)
    assert rows[1][:5] == ("00QSR0000000001", "new@example.com", "New", "Co", 7)
    _types, prospects = read_back("out/prospects.parquet")
    assert prospects[0][5] == "00QSR0000000001"  # crm_lead_fid: the link to the new lead
    queue = json.loads(Path("out/error_queue.json").read_text(encoding="utf-8"))
    assert queue["errors"] == []


def test_a_fraction_written_into_an_integer_column_widens_it(files: Files, load: Load) -> None:
    files({})
    write_parquet(
        "rs/leads.parquet",
        "SELECT * FROM (VALUES ('00Q1', 3::BIGINT)) AS t(Id, NumberOfEmployees)",
    )
    records = load("rs")
    lead = records.leads[0]
    lead.values["NumberOfEmployees"] = Decimal("2.5")
    lead.changed.add("NumberOfEmployees")
    write_records(records, "out")
    types, rows = read_back("out/leads.parquet")
    assert types == [("Id", "VARCHAR"), ("NumberOfEmployees", "DOUBLE")]
    assert rows == [("00Q1", 2.5)]
