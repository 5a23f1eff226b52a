"""`run --out` on the direct path (engine/bulk/direct_write.py): DuckDB reads a CSV or
Parquet record-set directory itself and the new record set is written from what it read —
the same files, byte for byte, as `--engine python` writes; where the writer would do what
the direct path does not mirror, the Python path writes them, still the same bytes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine import api
from engine.bulk.plan_rows import PlanRows
from engine.cli import main
from engine.plan import Change

NOW = "2026-11-30T12:00:00Z"
CLOCK = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)

RULES = """
object prospect {
  email: email  name: text(20)  score: number  optin: boolean  born: date  title: text(30)
}
object lead {
  Email: email  LastName: text(20) required  Score__c: number  OwnerId: reference(user)
  Opt__c: boolean  Born__c: date  Title: text(30)
}
object contact { Email: email  LastName: text(20)  Title: text(30)  OwnerId: reference(user) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c sync: most_recent }
field optin { lead: Opt__c sync: pardot }
field born { lead: Born__c sync: pardot }
field title { lead: Title contact: Title sync: salesforce_always }
stage Hot when score >= 10
create lead when Hot
"""
USERS = "users:\n  - {Id: 005A, Name: A, active: true}\n  - {Id: 005B, Name: B, active: true}\n"
PROSPECT_HEADER = [
    "id", "email", "name", "score", "optin", "born", "title", "assigned_user",
    "crm_lead_fid", "crm_contact_fid", "updated_at", "extra",
]  # fmt: skip
# updates on both sides, a blank written over a value (title is salesforce_always), a
# created lead a later prospect updates, an owner followed, cells that need quoting
PROSPECTS = [
    ["p1", "ADA@x.io", "Ada, the first", "+012.50", "TRUE", "", "CTO", "005B", "", "",
     "2026-11-02T10:00:00Z", 'say "hi"'],
    ["p2", "new@x.io", "Two\nlines", "20", "1", "2020-02-29", "", "005A", "", "", "", ""],
    ["p3", "NEW@x.io", "Cy", "30", "false", "", "Boss", "", "", "", "", ""],
    ["p4", "cold@x.io", "Co", "5.", "0", "", "", "", "", "", "", ""],
    ["p5", "", "Blank", "", "", "", "", "", "", "", "", ""],
    ["p6", "grace@x.io", "Grace", "", "", "", "Admiral", "", "", "003C", "", ""],
]  # fmt: skip
LEAD_HEADER = ["Id", "Email", "LastName", "Score__c", "OwnerId", "Opt__c", "Born__c", "Title",
               "LastModifiedDate"]  # fmt: skip
LEADS = [
    ["00Q1", "ada@x.io", "Lo", "3", "005A", "true", "2025-01-01", "", "2026-11-01T10:00:00Z"],
    ["00Q2", "  Cold@X.io ", "Cold", "0.0", "005A", "", "", "", "2026-11-05T10:00:00.250Z"],
]
CONTACT_HEADER = ["Id", "Email", "LastName", "Title", "OwnerId", "LastModifiedDate"]
CONTACTS = [["003C", "grace@x.io", "Hopper", "", "005A", "2026-10-01T10:00:00Z"]]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False) -> None:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header, *rows])


def write_set(
    root: Path,
    rules: str = RULES,
    prospects: tuple[list[str], list[list[str]]] = (PROSPECT_HEADER, PROSPECTS),
    contacts: tuple[list[str], list[list[str]]] = (CONTACT_HEADER, CONTACTS),
) -> str:
    (root / "rules.sync").write_text(rules, encoding="utf-8")
    records = root / "records"
    records.mkdir()
    (records / "users.yaml").write_text(USERS, encoding="utf-8")
    write_csv(records / "prospects.csv", *prospects, bom=True)
    write_csv(records / "leads.csv", LEAD_HEADER, LEADS)
    write_csv(records / "contacts.csv", *contacts)
    return str(records)


def to_parquet(records: str, untyped: bool = False) -> None:
    """Every CSV file of the set as a Parquet file of text columns (blank: null);
    `untyped`: a column with no value has no type (Arrow's null, DuckDB's "NULL")."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    for path in Path(records).glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        columns = {
            name: pa.array(
                [row[n] or None for row in rows],
                pa.null() if untyped and not any(row[n] for row in rows) else pa.string(),
            )
            for n, name in enumerate(header)
        }
        pq.write_table(pa.table(columns), path.with_suffix(".parquet"))
        path.unlink()


def run(root: Path, records: str, engine: str, name: str, now: str = NOW) -> dict[str, bytes]:
    out = root / name
    args = ["run", str(root / "rules.sync"), "--records", records, "--now", now]
    assert main([*args, "--out", str(out), "--engine", engine]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_run_on_a_csv_set_writes_the_python_engines_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct: list[bool]
) -> None:
    records = write_set(tmp_path)
    reference = run(tmp_path, records, "python", "python")
    bulk = run(tmp_path, records, "duckdb", "duckdb")
    assert direct == [False, True]  # python loads the records; duckdb reads them itself
    assert bulk == reference
    assert capsys.readouterr().out.count("4 update") == 2  # the same summary both times
    # what the cycle did, in the Python writer's spelling
    assert bulk["users.yaml"] == (Path(records) / "users.yaml").read_bytes()  # untouched
    prospects = bulk["prospects.csv"].decode()
    assert prospects.startswith("id,email,name,")  # the header as read, without the BOM
    # p1: email and title from Salesforce (a blank over "CTO"), the lead's owner followed
    assert '\np1,ada@x.io,"Ada, the first",+012.50,TRUE,2025-01-01,,005A,00Q1,,' in prospects
    assert ',"say ""hi"""\n' in prospects  # an untouched cell, quoted as csv.writer quotes it
    assert '\np2,new@x.io,"Two\nlines",20,1,2020-02-29,,005A,00QSR0000000001,,,\n' in prospects
    assert "\np3,new@x.io,Cy,20,false,2020-02-29,,005A,00QSR0000000001,,,\n" in prospects
    assert "\r" not in prospects
    leads = bulk["leads.csv"].decode().splitlines()
    assert (
        leads[1] == '00Q1,ada@x.io,"Ada, the first",12.5,005A,true,2025-01-01,,2026-11-01T10:00:00Z'
    )
    # created for p2, then updated by p3 (the same email): the cycle's time as its date
    assert leads[-1] == "00QSR0000000001,new@x.io,Cy,20,005A,false,2020-02-29,,2026-11-30T12:00:00Z"
    assert bulk["contacts.csv"].decode().splitlines()[1] == (
        "003C,grace@x.io,Grace,,005A,2026-10-01T10:00:00Z"
    )


@pytest.mark.parametrize("where", ["record_lines", "error_queue"])
def test_a_direct_run_failing_mid_stream_leaves_the_out_folder_as_it_was(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    direct: list[bool],
    where: str,
) -> None:
    """The direct path writes each output into the staging folder as it is made: a disk
    that fills while error_queue.json is streamed (the record files already staged), or a
    Ctrl-C between two batches of a CSV file's lines, leaves `--out` byte for byte as the
    earlier run left it, and no staging folder behind."""
    import errno

    from engine import files
    from engine.bulk import direct_write

    staged: list[list[str]] = []  # what each staging folder held when it was removed
    discard = files.StagedFolder.discard

    def watched(self: files.StagedFolder) -> None:
        staged.append(list(self.names))
        discard(self)

    monkeypatch.setattr(files.StagedFolder, "discard", watched)
    records = write_set(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "prospects.csv").write_text("earlier output\n", encoding="utf-8")
    (out / "error_queue.json").write_text('{"errors": []}\n', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    if where == "error_queue":
        chunks = api._queue_chunks

        def full(*args: Any) -> Any:
            for n, chunk in enumerate(chunks(*args)):
                if n == 3:
                    raise OSError(errno.ENOSPC, "No space left on device")
                yield chunk

        monkeypatch.setattr(api, "_queue_chunks", full)
        expected = (2, f"syncrules: --out {out}: cannot write: No space left on device\n")
    else:
        lines = direct_write._Writer._lines

        def interrupted(self: Any, found: Any) -> Any:
            yield next(lines(self, found))
            raise KeyboardInterrupt

        monkeypatch.setattr(direct_write._Writer, "_lines", interrupted)
        expected = (130, "syncrules: interrupted\n")
    args = ["run", str(tmp_path / "rules.sync"), "--records", records, "--now", NOW]
    code = main([*args, "--out", str(out), "--engine", "duckdb"])
    assert (code, capsys.readouterr().err) == expected
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "records", "rules.sync"]
    if where == "error_queue":  # the record files were staged, then the queue failed
        written = ["users.yaml", "prospects.csv", "leads.csv", "contacts.csv", "error_queue.json"]
        assert staged == [written]
    else:  # stopped in the first file rendered (users.yaml is copied first, untouched)
        assert staged == [["users.yaml", "prospects.csv"]]


def test_run_on_a_parquet_set_writes_the_python_engines_bytes(
    tmp_path: Path, direct: list[bool]
) -> None:
    import duckdb

    records = write_set(tmp_path)
    to_parquet(records)
    reference = run(tmp_path, records, "python", "python")
    bulk = run(tmp_path, records, "duckdb", "duckdb")
    assert direct == [False, True]
    assert bulk == reference
    leads = tmp_path / "duckdb" / "leads.parquet"
    query = f"SELECT Id, LastModifiedDate FROM read_parquet('{leads}')"
    rows = duckdb.connect().execute(query).fetchall()
    # the created lead's time as DuckDB casts the written date-time into a text column
    assert rows[-1] == ("00QSR0000000001", "2026-11-30 12:00:00+00")


@pytest.mark.parametrize("untyped", [False, True], ids=["typed", "untyped"])
def test_parquet_columns_without_a_type_or_in_another_case_are_written_into(
    tmp_path: Path, direct: list[bool], untyped: bool
) -> None:
    """records/parquet.render_table, and the direct path with it: a created lead's keys go
    into the leads file's columns whatever their case (`email`, `lastname`), as in CSV;
    a column with no type (all null: the prospects' `crm_lead_fid` before any lead is
    linked) is typed by what is written into it (the direct loader steps aside for such
    a column: the Python writer, which refused it before, writes it)."""
    import duckdb

    header = [c if c == "Id" else c.lower() for c in LEAD_HEADER]
    records = write_set(tmp_path)
    write_csv(Path(records) / "leads.csv", header, LEADS)
    to_parquet(records, untyped=untyped)
    reference = run(tmp_path, records, "python", "python")
    assert run(tmp_path, records, "duckdb", "duckdb") == reference
    assert direct == [False, not untyped]
    con = duckdb.connect()
    leads = tmp_path / "python" / "leads.parquet"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{leads}'").fetchall()]
    assert columns == header  # no column added beside `email`, `lastname`…
    created = con.execute(f"SELECT email, lastname FROM '{leads}' WHERE Id LIKE '00QSR%'")
    assert created.fetchall() == [("new@x.io", "Cy")]
    prospects = tmp_path / "python" / "prospects.parquet"
    described = con.execute(f"DESCRIBE SELECT * FROM '{prospects}'").fetchall()
    typed = {str(r[0]): str(r[1]) for r in described}
    assert typed["crm_lead_fid"] == "VARCHAR"  # "NULL" when untyped: typed by the Ids written
    assert typed["crm_contact_fid"] == "VARCHAR"


# a prospect flagged deleted (the connector's state): Python writes it; prospects from
# Salesforce (direct_prospects.py: appended as the writer appends them) and a column the
# file lacks (the links to the leads p1, p2 and p3 are matched with: the writer appends
# it): the direct path writes them, in the same places
CASES = {
    "create_prospects": {"rules": RULES + "connector { create_prospects: true }\n"},
    "crm_deleted": {
        "prospects": (
            [*PROSPECT_HEADER, "crm_deleted"],
            [[*row, "true" if row[0] == "p4" else ""] for row in PROSPECTS],
        )
    },
    "missing_column": {
        "prospects": (
            [c for c in PROSPECT_HEADER if c != "crm_lead_fid"],
            [[v for c, v in zip(PROSPECT_HEADER, row, strict=True) if c != "crm_lead_fid"]
             for row in PROSPECTS],
        )
    },
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_files_the_python_writer_changes_in_shape_have_the_same_bytes(
    tmp_path: Path, case: str, fmt: str, direct: list[bool]
) -> None:
    records = write_set(tmp_path, **CASES[case])  # type: ignore[arg-type]
    if fmt == "parquet":
        to_parquet(records)
    assert run(tmp_path, records, "duckdb", "duckdb") == run(tmp_path, records, "python", "python")
    assert direct == [case != "crm_deleted", False]
    if case == "missing_column":
        written = (tmp_path / "python" / f"prospects.{fmt}").read_bytes()
        assert b"crm_lead_fid" in written  # the column added


def test_past_the_per_record_limit_run_goes_direct(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    direct: list[bool],
) -> None:
    long = [[*row[:-1], "x" * 12_000] if row[0] == "p5" else row for row in PROSPECTS]
    records = write_set(tmp_path, prospects=(PROSPECT_HEADER, long))  # 13 KB of files
    reference = run(tmp_path, records, "python", "python")
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0.01")  # 10 KB
    args = ["run", str(tmp_path / "rules.sync"), "--records", records, "--now", NOW]
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "refused"), "--engine", "python"]) == 2
    assert "past what the per-record loader reads (0.01 MB" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists()
    # auto: far below DIRECT_THRESHOLD prospects, but past the limit: DuckDB reads it
    assert run(tmp_path, records, "auto", "auto") == reference
    assert direct == [False, False, True]
    # --report reads every record the per-record way on any engine: --engine duckdb is
    # not what the message offers
    report = ["--report", str(tmp_path / "report.html"), "--engine", "duckdb"]
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "reported"), *report]) == 2
    err = capsys.readouterr().err
    assert "run --report reads every record the per-record way, whatever the engine" in err
    assert "use --engine duckdb" not in err
    assert "run without --report reads CSV and Parquet record sets directly" in err
    assert not (tmp_path / "reported").exists()
    explain = ["explain", str(tmp_path / "rules.sync"), "--records", records, "--prospect"]
    assert main([*explain, "p1", "--engine", "duckdb"]) == 2
    err = capsys.readouterr().err
    assert "explain reads every record the per-record way" in err
    assert "use --engine duckdb" not in err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("case", ["plain", "missing_column", "benchmark"])
def test_outcomes_a_batch_at_a_time_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: list[bool], case: str, fmt: str
) -> None:
    """direct_write.py reads the outcomes a batch at a time and moves each batch's cells
    into DuckDB: with batches of one prospect (or of seven, for the 300 of the benchmark
    org), a record two batches write ends with the later value, and the columns a file
    gains are in the order the Python writer appends them."""
    from engine.bulk import engines

    if case == "benchmark":
        records, size = str(_bench().generate(tmp_path, 300, fmt="csv")), 7
    else:
        records, size = write_set(tmp_path, **CASES.get(case, {})), 1  # type: ignore[arg-type]
    if fmt == "parquet":
        to_parquet(records)
    opened = engines.open_direct

    def small_batches(*args: Any, **kwargs: Any) -> PlanRows | None:
        rows = opened(*args, **kwargs)
        if rows is not None:
            rows.batch = size
        return rows

    monkeypatch.setattr(engines, "open_direct", small_batches)
    assert run(tmp_path, records, "duckdb", "duckdb") == run(tmp_path, records, "python", "py")
    assert direct == [True, False]


def _bench() -> Any:
    """benchmarks/bench_dry_run.py, loaded by path: benchmarks/ is a folder of scripts,
    not a package."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_org", ROOT / "benchmarks/bench_dry_run.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


# `diff` on the direct path (engine/bulk/direct_diff.py): the two versions' plans compared
# as rows; a changed threshold and sync behaviour, and a field whose type changes (date →
# text: the same JSON text, two Python values, which only whole plans tell apart)
NEW_RULES = RULES.replace("score >= 10", "score >= 25").replace("salesforce_always", "pardot")
RETYPED = RULES.replace("born: date", "born: text(10)").replace(
    "Born__c: date", "Born__c: text(10)"
)


@pytest.mark.parametrize(
    ("new", "formats"),
    [(NEW_RULES, ("text", "json")), (RETYPED, ("json",))],
    ids=["changed", "retyped"],
)
def test_diff_on_the_direct_path_prints_the_python_engines_bytes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    new: str,
    formats: tuple[str, ...],
) -> None:
    from engine.bulk import direct_diff

    long = [[*row[:-1], "x" * 12_000] if row[0] == "p5" else row for row in PROSPECTS]
    records = write_set(tmp_path, prospects=(PROSPECT_HEADER, long))
    (tmp_path / "new.sync").write_text(new, encoding="utf-8")
    args = ["diff", str(tmp_path / "rules.sync"), str(tmp_path / "new.sync"), "--records"]
    args += [records, "--now", NOW]

    def diff(engine: str, fmt: str) -> str:
        assert main([*args, "--engine", engine, "--format", fmt]) == 0
        return capsys.readouterr().out

    reference = {fmt: diff("python", fmt) for fmt in formats}
    assert '"prospect": "p2"' in reference["json"]
    compare, compared = direct_diff.compare, []

    def counted(before: PlanRows, after: PlanRows) -> tuple[tuple[Change, ...], int]:
        compared.append(before.tally["prospects"])
        for rows in (before, after):  # two connections at once: each has half the bound
            bound = rows.con.execute("SELECT current_setting('memory_limit')").fetchall()
            assert bound == [("572.2 MiB",)]  # 600MB, half of the default 1200MB
        return compare(before, after)

    monkeypatch.setattr(direct_diff, "compare", counted)
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0.01")  # python would refuse: direct
    for fmt in formats:
        assert diff("auto", fmt) == reference[fmt]
    assert compared == [6] * len(formats)  # each diff compared the rows of six prospects


def test_the_benchmark_org_runs_direct_to_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct: list[bool]
) -> None:
    """The generated org (benchmarks/bench_dry_run.py): errors, duplicates, created leads,
    owners, prospects without CRM id columns — 300 prospects as CSV. The summary `run`
    prints (counted in SQL on the direct path) and the error queue (written from the
    failing prospects' Outcomes alone, its history carried from the queue the output
    folder holds) are the python engine's too."""
    import importlib.util
    import json

    from tests.conftest import ROOT

    # benchmarks/ is a folder of scripts, not a package: the generator is loaded by path
    spec = importlib.util.spec_from_file_location("bench_org", ROOT / "benchmarks/bench_dry_run.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    records = str(bench.generate(tmp_path, 300, fmt="csv"))
    bulk = run(tmp_path, records, "duckdb", "duckdb")
    printed = capsys.readouterr().out
    assert bulk == run(tmp_path, records, "python", "python")
    assert capsys.readouterr().out == printed.replace("/duckdb/", "/python/")
    # skips and errors by rule, as plan_table.summary words a whole Plan's
    assert "\n  skipped: " in printed
    assert "\n  errors:\n" in printed
    assert "\n      " in printed  # a rule's own count
    assert bulk["prospects.csv"].startswith(
        b"id,email,first_name,last_name,company,score,grade,country,job_title,assigned_user,"
        b"updated_at,crm_lead_fid,crm_contact_fid\n"
    )
    assert direct == [True, False]
    # a second run into folders holding a queue: an entry failing again (its cycles
    # counted on), one that no longer fails (resolved), one fixed before that fails again
    queue = json.loads(bulk["error_queue.json"])
    again, back = queue["errors"][0], queue["errors"][1]
    gone = {**again, "prospect": "gone", "first_seen": "2026-01-01T00:00:00Z"}
    earlier = {
        "errors": [{**again, "cycles": 3, "first_seen": "2026-01-01T00:00:00Z"}, gone],
        "resolved": [{**back, "fixed": "2026-02-01T00:00:00Z"}],
    }
    for name in ("duckdb", "python"):
        text = json.dumps(earlier, indent=2)
        (tmp_path / name / "error_queue.json").write_text(text, encoding="utf-8")
    later = "2026-12-01T12:00:00Z"
    second = run(tmp_path, records, "duckdb", "duckdb", now=later)["error_queue.json"]
    assert second == run(tmp_path, records, "python", "python", now=later)["error_queue.json"]
    carried = json.loads(second)
    assert carried["errors"][0]["cycles"] == 4
    assert carried["errors"][1]["fixed_before"] == "2026-02-01T00:00:00Z"
    assert [e["prospect"] for e in carried["resolved"]] == ["gone"]
    assert direct == [True, False, True, False]


def test_formula_failures_are_counted_as_the_python_engine_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], direct: list[bool]
) -> None:
    """`run`'s summary line of formula failures, counted in SQL on the direct path."""
    rules = RULES + "stage Odd when VALUE(title) > 1\n"  # VALUE("CTO") fails
    records = write_set(tmp_path, rules=rules)
    bulk = run(tmp_path, records, "duckdb", "duckdb")
    printed = capsys.readouterr().out
    assert bulk == run(tmp_path, records, "python", "python")
    assert capsys.readouterr().out == printed.replace("/duckdb/", "/python/")
    assert "  formulas: 3 failed while evaluating" in printed  # CTO, Boss, Admiral
    assert direct == [True, False]


@pytest.mark.parametrize(
    ("limit", "half"),
    [("1200MB", "600MB"), ("1GB", "0.5GB"), ("1.5 GiB", "0.75GiB"), ("many", "many")],
)
def test_diff_splits_duckdbs_memory_limit_between_its_two_connections(
    monkeypatch: pytest.MonkeyPatch, limit: str, half: str
) -> None:
    from engine.bulk import duck, engines

    monkeypatch.setattr(duck, "MEMORY_LIMIT", limit)
    assert engines.memory_share(2) == half  # a limit not understood: DuckDB words it
    assert engines.memory_share(1) == limit
