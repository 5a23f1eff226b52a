"""DuckDB reading CSV and Parquet record files itself (engine/bulk/direct.py): the same
plan as the Python loader and the reference engine, byte for byte, and the same located
error (exit 2) for a value that does not fit, worded by the Python loader."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import api
from engine.bulk import direct
from engine.bulk.sql import number_fits
from engine.cli import main

NOW = "2026-11-30T12:00:00Z"
CLOCK = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)

RULES = """
object prospect {
  email: email  name: text(20)  score: number  grade: grade  optin: boolean
  born: date  seen: datetime  tier: picklist("Gold", "Silver")
}
object lead {
  Email: email  LastName: text(20) required  Score__c: number  OwnerId: reference(user)
  Opt__c: boolean  Born__c: date  Seen__c: datetime  Tier__c: picklist("Gold", "Silver")
  Grade__c: text(5)
}
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field score { lead: Score__c sync: most_recent }
field optin { lead: Opt__c sync: pardot }
field born { lead: Born__c sync: pardot }
field seen { lead: Seen__c sync: salesforce }
field tier { lead: Tier__c sync: pardot }
field grade { lead: Grade__c sync: pardot }
share lead when OwnerId in group "G"
stage Hot when score >= 10
create lead when Hot
duplicate lead by Email
"""
USERS = "users:\n  - {Id: 005A, Name: A, groups: [G]}\n"
PROSPECTS_HEADER = "id,email,name,score,grade,optin,born,seen,tier,assigned_user,updated_at,extra"
# every type, blanks, a quoted comma and quote, a quoted line break, a blank row, an
# undeclared column; numbers spelled "+012.50", ".5", "5.", "0.0"
PROSPECTS = [
    'p1,ADA@x.io,"Ada, ""the"" first",+012.50,B+,TRUE,2026-01-31,2026-11-01T10:00:00.5Z,Gold,,'
    "2026-11-02T10:00:00Z,whatever",
    'p2,new@x.io,"Two\r\nlines",20,,1,,2026-11-01T10:00:00+00:00,,005A,,',
    ",,,,,,,,,,,",
    "p3,NEW@x.io,Cy,.5,A,false,2020-02-29,,Silver,,2026-11-03T10:00:00.123456Z,",
    "p4,cold@x.io,Co,5.,F,0,,,,,,",
    "p5,,Blank,,,,,,,,,",
]
LEADS = [
    "Id,email,LastName,Score__c,OwnerId,Opt__c,Born__c,Seen__c,Tier__c,LastModifiedDate",
    "00Q1,ada@x.io,Lo,3,005A,true,2025-01-01,2026-10-01T09:00:00Z,Silver,2026-11-01T10:00:00Z",
    "00Q2,  Cold@X.io ,Cold,0.0,005A,,,,,2026-11-05T10:00:00.250Z",
]


def write_set(
    root: Path, prospects: list[str], *, bom: bool = True, newline: str = "\r\n"
) -> tuple[str, str]:
    (root / "rules.sync").write_text(RULES, encoding="utf-8")
    records = root / "records"
    records.mkdir()
    (records / "users.yaml").write_text(USERS, encoding="utf-8")
    text = newline.join([PROSPECTS_HEADER, *prospects]) + newline
    (records / "prospects.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    (records / "leads.csv").write_text("\n".join(LEADS) + "\n", encoding="utf-8")
    return str(root / "rules.sync"), str(records)


def dry_run(
    rules: str, records: str, engine: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", "json"]
    code = main([*args, "--engine", engine])
    out = capsys.readouterr()
    return code, out.out, out.err


def took_direct_path(rules: str, records: str) -> bool:
    checked = api.check([rules])
    return api.dry_run_direct(checked, records, now=CLOCK, engine="duckdb") is not None


def test_csv_read_by_duckdb_gives_the_reference_plan_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = write_set(tmp_path, PROSPECTS)
    assert took_direct_path(rules, records)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    assert code == 0
    code, bulk, err = dry_run(rules, records, "duckdb", capsys)
    assert (code, err) == (0, "")
    assert bulk == reference
    # the values as the Python loader types them: "+012.50" is 12.50, a quoted CRLF is LF
    assert '"Score__c": 12.5' in bulk
    assert '"LastName": "Ada, \\"the\\" first"' in bulk
    assert '"LastName": "Two\\nlines"' in bulk
    assert '"Born__c": "2026-01-31"' in bulk
    assert '"Opt__c": true' in bulk


def test_crlf_lf_and_no_bom_read_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for n, (bom, newline) in enumerate(((True, "\r\n"), (False, "\n"))):
        folder = tmp_path / str(n)
        folder.mkdir()
        rules, records = write_set(folder, PROSPECTS, bom=bom, newline=newline)
        assert took_direct_path(rules, records)
        outputs.append(dry_run(rules, records, "duckdb", capsys)[1])
    assert outputs[0] == outputs[1]


def test_crlf_without_quotes_reads_no_cr_into_a_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no quote in the file: no cell can hold a CR, and line ends are not turned at all
    rules, records = write_set(tmp_path, [r for r in PROSPECTS if '"' not in r])
    path = Path(records) / "prospects.csv"
    assert direct.file_bytes(str(path)) == direct.FileBytes(printable=True, carriage=False)
    assert b"\r\n" in path.read_bytes()
    import duckdb

    from engine.bulk.duck import program_for

    checked = api.check([rules])
    con = duckdb.connect()
    assert direct.load(con, records, checked, program_for(checked), keep_raw=True)
    cells = " OR ".join(f"contains(c{n}, e'\\r')" for n in range(12))  # the last one too
    assert con.execute(f"SELECT count(*) FROM raw_prospects WHERE {cells}").fetchone() == (0,)
    python = dry_run(rules, records, "python", capsys)
    assert python[0] == 0
    assert dry_run(rules, records, "duckdb", capsys) == python


def test_parquet_read_by_duckdb_gives_the_reference_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    rules, records = write_set(tmp_path, PROSPECTS)
    csv_plan = dry_run(rules, records, "duckdb", capsys)[1]
    folder = Path(records)
    with open(folder / "prospects.csv", encoding="utf-8-sig", newline="") as handle:
        header, *rows = [row for row in csv.reader(handle) if any(row)]
    table = pa.table({name: [row[n] for row in rows] for n, name in enumerate(header)})
    (folder / "prospects.csv").unlink()
    # a Parquet boolean and integer column, as a warehouse would type them
    optin = [None if v == "" else v.lower() in ("true", "1") for v in table["optin"].to_pylist()]
    table = table.set_column(5, "optin", pa.array(optin, pa.bool_()))
    pq.write_table(table, folder / "prospects.parquet")
    assert took_direct_path(rules, records)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    assert code == 0
    code, bulk, _ = dry_run(rules, records, "duckdb", capsys)
    assert code == 0
    assert bulk == reference
    assert bulk.replace("Two\\r\\nlines", "Two\\nlines") == csv_plan  # Parquet keeps its CR


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("score", "lots", '"lots" is not a number'),
        ("score", "1e3", '"1e3" is not a number'),  # TRY_CAST would read it: the SPEC does not
        ("score", "١٢", '"١٢" is not a number'),  # only the ASCII digits 0-9
        ("optin", "maybe", '"maybe" is not a boolean'),
        ("born", "2026-02-30", '"2026-02-30" is not a date'),
        ("seen", "yesterday", '"yesterday" is not a date and time'),
        ("grade", "Z", '"Z" is not a grade'),
        ("tier", "Bronze", '"Bronze" is not one of its values'),
        ("updated_at", "2026-13-01T00:00:00Z", "updated_at is an ISO 8601 date and time"),
    ],
)
def test_a_bad_value_gives_the_python_loaders_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, value: str, problem: str
) -> None:
    index = PROSPECTS_HEADER.split(",").index(column)
    cells = PROSPECTS[3].split(",")
    cells[index] = value
    rules, records = write_set(tmp_path, [*PROSPECTS[:3], ",".join(cells), *PROSPECTS[4:]])
    assert not took_direct_path(rules, records)
    python = dry_run(rules, records, "python", capsys)
    bulk = dry_run(rules, records, "duckdb", capsys)
    assert bulk == python
    code, out, err = bulk
    assert (code, out) == (2, "")
    assert "prospects.csv:" in err
    assert "record p3, field " in err
    assert problem in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([*PROSPECTS, "p1,x@y.io,Again,,,,,,,,,"], "have the same id"),
        ([*PROSPECTS, "  ,x@y.io,NoId,,,,,,,,,"], "blank (every prospect needs an id)"),
        ([*PROSPECTS, "p9,x@y.io,Short"], "cells, but the header names 12 columns"),
        ([*PROSPECTS, 'p9,"x@y.io"z,Odd,,,,,,,,,'], "invalid CSV"),
    ],
)
def test_a_bad_record_gives_the_python_loaders_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str], problem: str
) -> None:
    rules, records = write_set(tmp_path, rows)
    assert not took_direct_path(rules, records)
    python = dry_run(rules, records, "python", capsys)
    assert dry_run(rules, records, "duckdb", capsys) == python
    assert python[0] == 2
    assert problem in python[2]
    assert "prospects.csv:" in python[2]


def test_text_sql_would_fold_differently_is_left_to_the_python_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "STRASSE".casefold() == "straße".casefold(), but lower() keeps ß: an email outside
    # printable ASCII is never matched in SQL; the Python loader's path then declines it
    assert "STRASSE".casefold() == "straße".casefold() != "straße".lower()
    rows = [*PROSPECTS, "p6,STRASSE@x.io,Emil,11,,,,,,,,"]
    rules, records = write_set(tmp_path, rows)
    leads = Path(records) / "leads.csv"
    leads.write_text(leads.read_text() + "00Q3,straße@x.io,Str,1,005A,,,,,\n", encoding="utf-8")
    assert not took_direct_path(rules, records)
    python = dry_run(rules, records, "python", capsys)
    assert dry_run(rules, records, "auto", capsys) == python
    assert python[0] == 0
    assert '"id": "00Q3"' in python[1]


def test_a_number_str_decimal_spells_with_an_exponent_is_left_to_the_python_path(
    tmp_path: Path,
) -> None:
    # str(Decimal) writes 0.0000001 as 1E-7, which no SQL column holds as Python would
    assert str(Decimal("0.0000001")) == "1E-7"
    assert str(Decimal("0.000001")) == "0.000001"
    cells = PROSPECTS[3].split(",")
    cells[3] = "0.0000001"
    rules, records = write_set(tmp_path, [*PROSPECTS[:3], ",".join(cells), *PROSPECTS[4:]])
    assert not took_direct_path(rules, records)
    cells[3] = "0.000001"
    other = tmp_path / "other"
    other.mkdir()
    rules, records = write_set(other, [*PROSPECTS[:3], ",".join(cells), *PROSPECTS[4:]])
    assert took_direct_path(rules, records)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("+012.50", "12.50"), (".5", "0.5"), ("5.", "5"), ("-0.25", "-0.25"), ("000", "0")],
)
def test_decimal_str_is_str_of_decimal(text: str, expected: str) -> None:
    import duckdb

    assert str(Decimal(text)) == expected
    got = duckdb.connect().execute(f"SELECT {direct.decimal_str(repr(text))}").fetchone()
    assert got == (expected,)


@pytest.fixture(scope="module")
def duck() -> Any:
    import duckdb

    return duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(text=st.from_regex(direct.NUMBER, fullmatch=True))
def test_the_numbers_sql_keeps_are_the_ones_python_spells_alike(duck: Any, text: str) -> None:
    # the pattern the checks decline by, against sql.number_fits and str(Decimal)'s
    # exponent; it also declines 0.000000 (six zeros, none before the point), which
    # str(Decimal) keeps: that one goes to the Python loader, which is only slower
    value = Decimal(text)
    python_odd = not number_fits(value) or "E" in str(value)
    query = (
        f"SELECT regexp_full_match(x, '{direct.NUMBER_ODD}'), {direct.decimal_str('x')} "
        "FROM (SELECT CAST($1 AS VARCHAR) AS x)"
    )
    sql_odd, spelled = duck.execute(query, [text]).fetchone()
    assert sql_odd or not python_odd
    if sql_odd and not python_odd:
        assert re.fullmatch(r"[+-]?0*\.0{6}", text)
    if not sql_odd:
        assert spelled == str(value)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("\t\n\r ab@.Z"), max_size=6))
def test_a_key_is_stripped_as_python_strips_it(duck: Any, text: str) -> None:
    # the key's trim runs only where the text begins or ends with what it strips
    query = f"SELECT {direct.stripped('x')} FROM (SELECT CAST($1 AS VARCHAR) AS x)"
    assert duck.execute(query, [text]).fetchone() == (text.strip(),)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00.5Z",
        "2026-11-01T10:00:00.123456+00:00",
        "2026-11-01T10:00:00.000000Z",
        "2026-11-01T10:00:00+00:00",
        "1969-12-31T23:59:59.999999Z",
    ],
)
def test_datetimes_read_as_python_reads_them(text: str) -> None:
    import duckdb

    value = dt.datetime.fromisoformat(text)
    con = duckdb.connect()
    query = f"SELECT {direct.iso_utc(repr(text))}, {direct.epoch(repr(text))}"
    iso, stamp = con.execute(query).fetchone() or (None, None)
    assert iso == value.isoformat()
    assert stamp == value.timestamp()


def test_yaml_record_sets_and_missing_prospects_stay_on_the_python_loader(tmp_path: Path) -> None:
    (tmp_path / "prospects.yaml").write_text("[{id: p1}]\n", encoding="utf-8")
    assert direct.record_files(str(tmp_path)) is None
    assert direct.record_files(str(tmp_path / "prospects.yaml")) is None
    (tmp_path / "prospects.yaml").unlink()
    (tmp_path / "leads.csv").write_text("Id\n00Q1\n", encoding="utf-8")
    assert direct.record_files(str(tmp_path)) is None  # no prospects: nothing to gain


def test_estimate_counts_rows_without_loading(tmp_path: Path) -> None:
    (tmp_path / "prospects.csv").write_text("id\np1\np2\np3\n", encoding="utf-8")
    assert direct.estimate_prospects(str(tmp_path)) == 3


def test_the_per_record_path_refuses_a_big_record_set_naming_duckdb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.bulk import engines

    rules, records = write_set(tmp_path, PROSPECTS)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    assert code == 0
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")  # every record set is "big"
    assert engines.per_record_limit() == 0
    code, out, err = dry_run(rules, records, "python", capsys)
    assert (code, out) == (2, "")
    assert f"{records}: 0 MB of records is past what the per-record loader reads" in err
    assert "use --engine duckdb" in err
    assert "Traceback" not in err
    # DuckDB reads it directly; auto picks DuckDB for a set that large
    assert dry_run(rules, records, "duckdb", capsys) == (0, reference, "")
    monkeypatch.setattr(engines, "DIRECT_THRESHOLD", 1)
    assert dry_run(rules, records, "auto", capsys) == (0, reference, "")
    # explain reads records the per-record way on every engine: refused alike, the
    # message naming explain rather than an engine that would not help
    args = ["explain", rules, "--records", records, "--prospect", "p1", "--now", NOW]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "explain reads every record the per-record way, whatever the engine" in err
    assert "use --engine duckdb" not in err


def test_the_per_record_limit_is_a_documented_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.bulk import engines

    monkeypatch.delenv("SYNCRULES_MAX_RECORD_MB", raising=False)
    assert engines.per_record_limit() == 40 * 1024 * 1024
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "500")
    assert engines.per_record_limit() == 500 * 1024 * 1024
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", " 0.5 ")
    assert engines.per_record_limit() == 512 * 1024


@pytest.mark.parametrize("value", ["lots", "-1", "nan", "inf", "1e999", "40MB", ".5"])
def test_a_per_record_limit_that_is_not_a_number_is_refused_by_name(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    """Never silently the default: a limit the user believes set would mislead either way."""
    rules, records = write_set(tmp_path, PROSPECTS)
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", value)
    code, out, err = dry_run(rules, records, "python", capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"syncrules: SYNCRULES_MAX_RECORD_MB={value!r}: expected a number of megabytes of "
        "record files, such as 40 or 0.5 (unset, the limit is 40)\n"
    )


def test_the_refusal_names_a_fractional_limit_as_it_was_set() -> None:
    from engine.bulk import engines

    assert engines._megabytes(512 * 1024) == "0.5"
    assert engines._megabytes(40 * 1024 * 1024) == "40"
    assert engines._megabytes(1536 * 1024 * 1024) == "1,536"


def test_auto_reads_directly_only_from_the_threshold_on(tmp_path: Path) -> None:
    from engine.bulk import engines
    from engine.runtime.context import Clock

    rules, records = write_set(tmp_path, PROSPECTS)
    checked = api.check([rules])
    assert engines.DIRECT_THRESHOLD == 10_000  # docs/engines.md, the threshold

    def planned(engine: str) -> bool:
        options = engines.EngineOptions.of(engine)
        return engines.run_direct(checked, records, Clock(CLOCK), options) is not None

    assert not planned("auto")  # 5 prospects
    assert not planned("python")
    assert planned("duckdb")


def test_duckdb_is_bounded_and_spills_to_a_folder_removed_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from engine.bulk import engines
    from engine.bulk.duck import DuckEngine
    from engine.runtime.context import Clock

    rules, records = write_set(tmp_path, PROSPECTS)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    checked = api.check([rules])
    engine = DuckEngine(checked, memory_limit="64MB")
    con = engine.connect(str(scratch))
    settings = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    con.close()
    assert settings is not None
    assert settings[0] in ("61.0 MiB", "64.0 MB")  # DuckDB prints the bound in its units
    assert settings[1] == str(scratch)
    options = engines.EngineOptions(engines.EngineName.DUCKDB, memory_limit="64MB")
    plan = engines.run_direct(checked, records, Clock(CLOCK), options)
    assert plan is not None
    left = [p.name for p in scratch.iterdir() if p.is_dir()]
    assert not [n for n in left if n.startswith(("syncrules-duckdb-", "syncrules-lists-"))]


def test_the_spill_folder_goes_when_the_direct_path_does_not_apply_or_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan_rows.open_rows, the set-up DuckDB's and Spark's direct paths share: the
    connection and its spill folder are released when `fill` gives None or raises."""
    import tempfile

    from engine.bulk.duck import DuckEngine, program_for
    from engine.bulk.plan_rows import open_rows

    rules, _ = write_set(tmp_path, PROSPECTS)
    checked = api.check([rules])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    opened: list[Any] = []

    def connect(spill: str) -> Any:
        assert Path(spill).is_dir()
        opened.append(DuckEngine(checked).connect(spill))
        return opened[-1]

    def failing(con: Any) -> None:
        raise KeyboardInterrupt

    program = program_for(checked)
    assert open_rows(checked, program, connect, lambda con: None) is None
    with pytest.raises(KeyboardInterrupt):
        open_rows(checked, program, connect, failing)
    assert len(opened) == 2
    assert not list((tmp_path / "scratch").iterdir())  # both spill folders removed
    for con in opened:  # and both connections closed
        with pytest.raises(Exception, match=r"(?i)closed"):
            con.execute("SELECT 1")


def test_owners_on_the_direct_path_are_the_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an inactive assigned user (the connector user owns the created lead), a queue, and a
    # synced lead owned by another active user, whom its prospect follows (runtime/ownership)
    prospects = [
        *PROSPECTS[:1],
        PROSPECTS[1].replace(",005A,", ",005X,"),  # p2: inactive user, creates a lead
        *PROSPECTS[2:],
        "p6,queue@x.io,Q,50,,,,,,00G1,,",  # creates a lead owned by the queue
    ]
    rules, records = write_set(tmp_path, prospects)
    text = Path(rules).read_text(encoding="utf-8")
    Path(rules).write_text('connector { user: "conn@x.io" }\n' + text, encoding="utf-8")
    folder = Path(records)
    (folder / "users.yaml").write_text(
        "users:\n"
        "  - {Id: 005A, Name: A, groups: [G]}\n"
        "  - {Id: 005B, Name: B, groups: [G], active: true}\n"
        "  - {Id: 005X, Name: Gone, active: false}\n"
        "  - {Id: 005C, Name: Conn, Username: conn@x.io, active: true}\n",
        encoding="utf-8",
    )
    (folder / "queues.yaml").write_text("queues:\n  - {Id: 00G1, Name: Inbound}\n", "utf-8")
    leads = [*LEADS[:2], LEADS[2].replace(",005A,", ",005B,")]  # 00Q2: owned by B
    (folder / "leads.csv").write_text("\n".join(leads) + "\n", encoding="utf-8")
    assert took_direct_path(rules, records)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    code_bulk, bulk, err = dry_run(rules, records, "duckdb", capsys)
    assert (code, code_bulk, err) == (0, 0, "")
    assert bulk == reference
    assert '"decision": "connector_user"' in bulk
    assert '"decision": "queue"' in bulk
    assert '"decision": "salesforce"' in bulk


def test_a_rule_set_syncing_person_accounts_is_read_the_per_record_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # person accounts come from the accounts list, which only the Python loader reads: the
    # direct path steps aside and the DuckDB engine still gives the reference's plan
    rules, records = write_set(tmp_path, PROSPECTS)
    text = Path(rules).read_text(encoding="utf-8")
    Path(rules).write_text("connector { person_accounts: true }\n" + text, encoding="utf-8")
    assert not took_direct_path(rules, records)
    code, reference, _ = dry_run(rules, records, "python", capsys)
    code_bulk, bulk, err = dry_run(rules, records, "duckdb", capsys)
    assert (code, code_bulk, err) == (0, 0, "")
    assert bulk == reference


def test_a_raw_tables_rowid_is_each_kept_rows_position_in_the_file(tmp_path: Path) -> None:
    # a record's __ord is its raw table's rowid (DuckTables.dense): over several row
    # groups read by two threads, blank rows skipped, rowid numbers the kept rows 0, 1, …
    # in the file's order
    import duckdb

    rows = [f"p{n:07d},N{n}" if n % 1000 else " , " for n in range(300_000)]
    path = tmp_path / "prospects.csv"
    path.write_text("id,name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    con = duckdb.connect(config={"threads": 2})
    tables = direct.DuckTables(con)
    blank = " AND ".join(f"trim(c{n}, {direct.TRIM}) = ''" for n in range(2))
    source = tables.csv_source(str(path), 2)
    tables.create("raw", f"SELECT c0, c1 FROM {source} WHERE NOT ({blank})")
    kept = [r for r in rows if r.strip(" ,")]
    ((count, misplaced, last),) = tables.rows(
        "SELECT count(*), count(*) FILTER (WHERE rowid <> n), max(rowid) FROM "
        "(SELECT rowid, row_number() OVER (ORDER BY c0) - 1 AS n FROM raw)"
    )
    assert (tables.dense, count, misplaced, last) == (True, len(kept), 0, len(kept) - 1)


@pytest.mark.parametrize(
    ("text", "printable", "carriage"),
    [
        (b"id,name\r\np1,Ada\r\n", True, False),  # CRLF line ends: no cell holds a CR
        (b'\xef\xbb\xbfid,name\np1,"Ada, the first"\n', True, False),  # a BOM, no CR
        (b'id,name\r\np1,"Two\r\nlines"\r\n', True, True),  # a quoted CRLF
        ("id,name\np1,Müller\n".encode(), False, False),
        (b"id,name\np1,Bell\x07\n", False, False),
        (b"id,name\np1,Rub\x7fout\n", False, False),  # DEL: ASCII, not printable
        (b"id,name\np1,Ada\tLovelace\n", True, False),  # a tab is printable text
    ],
)
def test_a_csv_files_bytes_say_what_its_cells_hold(
    tmp_path: Path, text: bytes, printable: bool, carriage: bool
) -> None:
    path = tmp_path / "prospects.csv"
    path.write_bytes(text)
    assert direct.file_bytes(str(path)) == direct.FileBytes(printable, carriage)


@pytest.mark.parametrize(
    ("name", "direct_path"),
    [("Müller", True), ("Ω", True), ("Bell\x07", False), ("\u00a0Nbsp", False)],
)
def test_a_text_cell_outside_printable_ascii_is_still_checked_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, direct_path: bool
) -> None:
    # a file of printable ASCII skips the test cell by cell; one cell outside it brings
    # the test back for its file: text SQL compares as Python does stays on the direct
    # path, text it would not (a control character, Unicode white space) leaves it
    rules, records = write_set(tmp_path, [*PROSPECTS, f"p6,six@x.io,{name},11,,,,,,,,"])
    assert took_direct_path(rules, records) is direct_path
    python = dry_run(rules, records, "python", capsys)
    assert python[0] == 0
    assert dry_run(rules, records, "duckdb" if direct_path else "auto", capsys) == python
