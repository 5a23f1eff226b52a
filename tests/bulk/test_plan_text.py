"""The direct path's plan written by SQL from the plan rows (engine/bulk/plan_text.py,
plan_rows.py): the same bytes as the reference for JSON and JSON Lines — strings with the
json module's escapes, numbers as the reference turns a Decimal into JSON, blanks as
null, records in prospect order across rounds and batches — and each entry the SQL
cannot write exactly left to Python, not written differently."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import api
from engine.cli import main
from engine.render import plan_json, plan_jsonl

NOW = "2026-11-30T12:00:00Z"
CLOCK = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]

RULES = """
object prospect { email: email  name: text(40)  score: number  note: text(200)  tier: text(10) }
object lead {
  Email: email  LastName: text(40) required  Score__c: number  Note__c: text(200)
  Tier__c: text(3)  Company: text(40)
}
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field score { lead: Score__c sync: pardot }
field note { lead: Note__c sync: pardot_always }
field tier { lead: Tier__c sync: pardot }
create lead when not (score < 0 and score > 0)
"""
HEADER = "id,email,name,score,note,tier"
LEADS = "Id,Email,LastName,Score__c,Note__c,Tier__c,Company\n"


def write_set(root: Path, prospects: list[str], leads: str = LEADS) -> tuple[str, str]:
    (root / "rules.sync").write_text(RULES, encoding="utf-8")
    records = root / "records"
    records.mkdir()
    (records / "prospects.csv").write_text("\n".join([HEADER, *prospects]) + "\n", "utf-8")
    (records / "leads.csv").write_text(leads, encoding="utf-8")
    return str(root / "rules.sync"), str(records)


def both(rules: str, records: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The plan from the reference and from the direct path, as the CLI prints it."""
    out = []
    for engine in ("python", "duckdb"):
        args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
        assert main([*args, "--engine", engine]) == 0
        printed = capsys.readouterr()
        assert printed.err == ""
        out.append(printed.out)
    return out


def fallbacks(rules: str, records: str, batch: int = 50_000) -> tuple[int, str]:
    """How many entries the direct path left to Python, and its JSON plan."""
    checked = api.check([rules])
    with api.direct_rows(checked, records, now=CLOCK, engine="duckdb") as rows:
        assert rows is not None, "the record set took the Python loader's path"
        rows.batch = batch
        chunks: list[bytes | memoryview] = []
        plan_json.write_rows(rows, chunks.append)
        return rows.fallbacks, b"".join(chunks).decode("utf-8")


ESCAPES = [
    'p1,a@x.io,"Ada ""the"" first",1,"back\\slash and ""quotes""",A',
    'p2,b@x.io,"tab\there",2,"two\nlines, and a\r\nCRLF",B',
    "p3,c@x.io,Zoë Ørsted,3,日本語のメモ 🎉,C",
    "p4,d@x.io,slash/ and <tag> & ü,4,'single' `tick` {braces} [x],D",
]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_strings_are_escaped_as_the_json_module_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    rules, records = write_set(tmp_path, ESCAPES)
    reference, bulk = both(rules, records, fmt, capsys)
    assert bulk == reference
    for escaped in ("\\\\slash", '\\"the\\"', "tab\\there"):
        assert escaped in bulk
    assert "two\\nlines, and a\\nCRLF" in bulk  # the loader reads CRLF inside a cell as LF
    assert "日本語のメモ 🎉" in bulk  # ensure_ascii=False
    assert "Zoë Ørsted" in bulk
    assert fallbacks(rules, records)[0] == 0  # every entry written by SQL


NUMBERS = [
    "p01,a@x.io,A,12.50,,",  # 12.5
    "p02,b@x.io,B,-3.000,,",  # -3: an int
    "p03,c@x.io,C,123456789012345678,,",  # 18 digits, an int: exact
    "p04,d@x.io,D,0.0001,,",  # the smallest float repr without an exponent
    "p05,e@x.io,E,-7.25,,",
    "p06,f@x.io,F,+0007,,",
    "p07,g@x.io,G,1234567.12345678,,",  # 15 significant digits: repr is the digits
]
PYTHON_NUMBERS = [
    "p08,h@x.io,H,0.00001,,",  # 1e-05: the float's repr has an exponent
    "p09,i@x.io,I,12345678901.12345678,,",  # 19 significant digits: the float rounds
]


def test_numbers_are_written_as_the_reference_writes_a_decimal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = write_set(tmp_path, NUMBERS + PYTHON_NUMBERS)
    reference, bulk = both(rules, records, "json", capsys)
    assert bulk == reference
    scores = [r["to_salesforce"]["Score__c"] for r in json.loads(bulk)["records"]]
    assert scores[:7] == [12.5, -3, 123456789012345678, 0.0001, -7.25, 7, 1234567.12345678]
    assert '"Score__c": 123456789012345678\n' in bulk
    assert '"Score__c": 1e-05' in bulk
    assert '"Score__c": 12345678901.123457' in bulk
    # the two numbers whose float repr is not their digits are the only Python entries
    count, text = fallbacks(rules, records)
    assert count == 2
    assert text == bulk


def test_blank_values_are_null_and_a_blank_is_not_written_on_create(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = LEADS + "00Q1,u@x.io,Up,5,was here,T,\n"
    prospects = ["p1,u@x.io,Up,5,   ,T", "p2,n@x.io,New,6,,"]
    rules, records = write_set(tmp_path, prospects, leads)
    for fmt in ("json", "jsonl"):
        reference, bulk = both(rules, records, fmt, capsys)
        assert bulk == reference
    plan = json.loads(both(rules, records, "json", capsys)[1])
    update, create = plan["records"]
    assert update["to_salesforce"] == {"Note__c": None}  # pardot_always: the blank wins
    assert "Note__c" not in create["to_salesforce"]
    assert "Tier__c" not in create["to_salesforce"]
    assert fallbacks(rules, records)[0] == 0


def test_records_come_in_prospect_order_across_rounds_and_batches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # out of order in the file; p3 and p1 share an email: p3's lead is created in round
    # 1 and p3... sees it in round 2 (a later prospect of the same component)
    prospects = [
        "p9,z@x.io,Zed,9,,",
        "p3,same@x.io,Three,3,,",
        "p1,same@x.io,One,1,,",
        "p5,f@x.io,Five,5,,",
        "p2,t@x.io,Two,2,,",
    ]
    rules, records = write_set(tmp_path, prospects)
    reference, bulk = both(rules, records, "jsonl", capsys)
    assert bulk == reference
    reference, bulk = both(rules, records, "json", capsys)
    assert bulk == reference
    plan = json.loads(reference)
    assert [r["prospect"] for r in plan["records"]] == ["p1", "p2", "p3", "p5", "p9"]
    assert plan["records"][2]["action"] == "update"  # p3 updates the lead p1 created
    assert plan["records"][2]["target"]["id"] == plan["records"][0]["to_salesforce"].get(
        "Id", plan["records"][2]["target"]["id"]
    )
    for batch in (1, 2, 3):  # batch boundaries fall anywhere: the same bytes
        count, text = fallbacks(rules, records, batch)
        assert (count, text) == (0, reference)


def test_a_dropped_value_is_left_to_python_and_rendered_in_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # tier "GOLD" does not fit the lead's text(3): STRING_TOO_LONG names the prospect's value
    prospects = ["p1,a@x.io,A,1,,ok", "p2,b@x.io,B,2,,GOLD", "p3,c@x.io,C,3,,ok"]
    rules, records = write_set(tmp_path, prospects)
    reference, bulk = both(rules, records, "jsonl", capsys)
    assert bulk == reference
    reference, bulk = both(rules, records, "json", capsys)
    assert bulk == reference
    plan = json.loads(reference)
    assert plan["records"][1]["dropped"] == [
        {"field": "Tier__c", "code": "STRING_TOO_LONG", "value": "GOLD"}
    ]
    count, text = fallbacks(rules, records, batch=2)
    assert count == 1
    assert text == reference


def test_the_bytes_from_arrow_open_with_an_entry_from_python_to_a_file_or_any_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # p1's tier does not fit (Python writes it): the list opens with an entry from Python,
    # then spans of Arrow's bytes; non-ASCII text on standard output that is not UTF-8
    prospects = ["p1,a@x.io,Zoë,1,,GOLD", "p2,b@x.io,日本,2,,ok", "p3,c@x.io,Ørsted,3,,ok"]
    rules, records = write_set(tmp_path, prospects)
    for fmt in ("jsonl", "json"):
        reference, bulk = both(rules, records, fmt, capsys)
        assert bulk == reference
        for engine in ("python", "duckdb"):
            out = tmp_path / f"{engine}.{fmt}"
            args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
            assert main([*args, "--engine", engine, "--output", str(out)]) == 0
            assert out.read_bytes() == reference.encode("utf-8")
        capsys.readouterr()
    count, text = fallbacks(rules, records, batch=1)
    assert (count, text) == (1, reference)
    printed = []
    for engine in ("python", "duckdb"):
        args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", "json"]
        args += ["--engine", engine]
        result = subprocess.run(
            [sys.executable, "-m", "engine", *args],
            cwd=ROOT,
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT)},
            check=False,
        )
        assert (result.returncode, result.stderr) == (0, b"")
        printed.append(result.stdout)
    assert printed[0] == printed[1]
    assert b'"LastName": "Zo\\xeb"' in printed[1]


@pytest.mark.parametrize("count", [3, 7])  # up to MASKED: one literal per combination
def test_the_stages_held_are_written_in_the_rule_sets_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], count: int
) -> None:
    stages = ["stage Low when score < 3", 'stage Tiered when tier = "ok"']
    stages += ["stage Both when Low and Tiered"]
    stages += [f"stage Over{n} when score > {n}" for n in range(count - 3)]
    prospects = ["p1,a@x.io,A,1,,ok", "p2,b@x.io,B,5,,ok", "p3,c@x.io,C,1,,", "p4,d@x.io,D,9,,"]
    rules, records = write_set(tmp_path, prospects)
    Path(rules).write_text(RULES + "\n".join(stages) + "\n", encoding="utf-8")
    for fmt in ("jsonl", "json"):
        reference, bulk = both(rules, records, fmt, capsys)
        assert bulk == reference
    held = [r["stages"] for r in json.loads(reference)["records"]]
    over = [f"Over{n}" for n in range(count - 3)]
    assert held == [
        ["Low", "Tiered", "Both", *over[:1]],
        ["Tiered", *over[:5]],
        ["Low", *over[:1]],
        over[:9],
    ]


def test_jsonl_lines_parse_and_match_the_json_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = write_set(tmp_path, ESCAPES + NUMBERS)
    checked = api.check([rules])
    with api.direct_rows(checked, records, now=CLOCK, engine="duckdb") as rows:
        assert rows is not None
        lines: list[bytes | memoryview] = []
        plan_jsonl.write_rows(rows, lines.append)
    parsed = [json.loads(line) for line in b"".join(lines).decode("utf-8").splitlines()]
    plan = json.loads(both(rules, records, "json", capsys)[0])
    assert parsed[0] == {"section": "summary"} | plan["summary"]
    assert [{k: v for k, v in p.items() if k != "section"} for p in parsed[1:]] == plan["records"]


def test_the_sql_blank_test_strips_what_python_strips() -> None:
    import re2  # type: ignore[import-untyped]

    from engine.bulk.plan_text import PY_SPACE

    spaces = re2.compile(f"[{PY_SPACE}]")
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates: no UTF-8 text holds them
        char = chr(code)
        assert bool(spaces.fullmatch(char)) == char.isspace(), hex(code)


def test_a_chain_of_prospects_through_crm_ids_and_emails_runs_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # p4 and p3 reach lead 00Q1 (by CRM id; by its email), p3 and p2 share an email the
    # lead does not have, p2 and p1 reach lead 00Q2: one component, four rounds, whose
    # creates and updates each later prospect sees (direct.py's components from keys)
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.csv").write_text(
        "id,email,name,score,crm_lead_fid\n"
        "p1,two@x.io,One,1,00Q2\n"
        "p2,mid@x.io,Two,2,00Q2\n"
        "p3,mid@x.io,Three,3,00Q1\n"
        "p4,one@x.io,Four,4,\n"
        "p5,new@x.io,Five,5,\n"
        "p6,new@x.io,Six,6,\n",
        encoding="utf-8",
    )
    (records / "leads.csv").write_text(
        LEADS + "00Q1,one@x.io,L1,1,,,\n00Q2,two@x.io,L2,2,,,\n", encoding="utf-8"
    )
    rules = str(tmp_path / "rules.sync")
    for fmt in ("jsonl", "json"):
        reference, bulk = both(rules, str(records), fmt, capsys)
        assert bulk == reference
    assert fallbacks(rules, str(records))[0] == 0
    plan = json.loads(reference)
    actions = [(r["prospect"], r["action"], r.get("target", {}).get("id")) for r in plan["records"]]
    assert actions[-2:] == [("p5", "create_lead", None), ("p6", "update", "00QSR0000000001")]


def test_parquet_from_the_rows_holds_the_references_rows(tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    # SQL-written rows, and rows left to Python (a float repr, a dropped value)
    prospects = [*ESCAPES, *NUMBERS, *PYTHON_NUMBERS, "p99,z@x.io,Z,9,,GOLD"]
    rules, records = write_set(tmp_path, prospects)
    files = []
    for engine in ("python", "duckdb"):
        target = tmp_path / f"{engine}.parquet"
        args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", "parquet"]
        assert main([*args, "--engine", engine, "--output", str(target)]) == 0
        files.append(target)
    reference, bulk = (pq.read_table(f) for f in files)
    assert bulk.schema == reference.schema
    assert bulk.to_pylist() == reference.to_pylist()
    assert [r["prospect"] for r in bulk.to_pylist()][-1] == "p99"
    assert files[0].read_bytes() == files[1].read_bytes()


FAILING = RULES.replace(
    "create lead when not (score < 0 and score > 0)",
    # VALUE("x") is a formula error for a non-numeric tier: the stage is unknown, listed
    "stage Big when VALUE(tier) > 10\ncreate lead when not (score < 0 and score > 0)",
)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "parquet"])
def test_rows_with_formula_failures_list_them_as_the_reference_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # p2's tier fits Tier__c: only its formula failure leaves it to Python
    rules, records = write_set(
        tmp_path, ["p1,a@x.io,Ada,1,n,12", "p2,b@x.io,Bo,2,n,abc", "p3,c@x.io,Cy,3,n,3"]
    )
    Path(rules).write_text(FAILING, encoding="utf-8")
    if fmt == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        tables = []
        for engine in ("python", "duckdb"):
            out = tmp_path / f"{engine}.parquet"
            args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
            assert main([*args, "--engine", engine, "--output", str(out)]) == 0
            tables.append(pq.read_table(out).to_pylist())
        assert tables[0] == tables[1]
        p2 = next(row for row in tables[1] if row["prospect"] == "p2")
        assert "not a number" in p2["formula_errors"]
        return
    reference, direct = both(rules, records, fmt, capsys)
    assert direct == reference
    assert 'VALUE(\\"abc\\"): not a number' in reference  # p2's stage Big: listed
    count, _ = fallbacks(rules, records)
    assert count == 1  # p2 alone: its entry lists the failure, written by Python


VALIDATIONS = """
validation Short_Note on lead {
    error_if: LEN(Note__c) > 3
    message: "Note is \\"long\\"."
    field: Note__c
}
validation No_Tier on lead {
    error_if: ISBLANK(Tier__c)
    message: "Tier is required."
}
"""


def test_each_combination_of_fired_validation_rules_is_written_by_sql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # p1 fires none, p2 Short_Note, p3 No_Tier, p4 both (the first listed comes first)
    prospects = ["p1,a@x.io,A,1,ok,T", "p2,b@x.io,B,2,longer,T", "p3,c@x.io,C,3,ok,"]
    prospects.append("p4,d@x.io,D,4,longer,")
    rules, records = write_set(tmp_path, prospects)
    (tmp_path / "rules.sync").write_text(RULES + VALIDATIONS, encoding="utf-8")
    for fmt in ("json", "jsonl"):
        reference, bulk = both(rules, records, fmt, capsys)
        assert bulk == reference
    plan = json.loads(reference.splitlines()[-1])  # p4's JSON Lines record
    assert [e["rule"] for e in plan["errors"]] == ["Short_Note", "No_Tier"]
    assert plan["rule"] == "Short_Note"
    count, _ = fallbacks(rules, records)
    assert count == 0
