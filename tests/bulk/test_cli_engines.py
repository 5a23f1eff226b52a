"""`--engine` on dry-run, run and diff, and `syncrules compile` (SPEC §4, Engines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from tests.conftest import ROOT

ACME_RULES = str(ROOT / "samples/acme/rules")
ACME_RECORDS = str(ROOT / "samples/acme/records")
NOW = "2026-11-30T12:00:00Z"

RULES = """
object prospect { email: email  name: text(8)  score: number }
object lead { Email: email  LastName: text(8) required  Score__c: number  OwnerId: reference(user) }
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field score { lead: Score__c sync: most_recent }
share lead when OwnerId in group "G"
stage Hot when score >= 10
create lead when Hot
duplicate lead by Email
"""
RECORDS = """
users: [{Id: 005A, Name: A, groups: [G]}]
leads:
  - {Id: 00Q1, Email: ada@x.io, LastName: Lo, Score__c: 3, OwnerId: 005A,
     LastModifiedDate: 2026-11-01T10:00:00Z}
prospects:
  - {id: p1, email: ADA@x.io, name: Ada, score: 12, updated_at: 2026-11-02T10:00:00Z}
  - {id: p2, email: new@x.io, name: Newcomer, score: 20, assigned_user: 005A}
  - {id: p3, email: NEW@x.io, name: Cy, score: 30}
  - {id: p4, email: cold@x.io, name: Co, score: 1}
"""


@pytest.fixture
def small(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    return str(tmp_path / "rules.sync"), str(tmp_path / "records.yaml")


def test_every_engine_prints_the_same_dry_run(
    small: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = small
    outputs = {}
    for engine in ("python", "duckdb", "auto"):
        for fmt in ("json", "table"):
            args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
            assert main([*args, "--engine", engine]) == 0
            outputs[(engine, fmt)] = capsys.readouterr().out
    for fmt in ("json", "table"):
        assert outputs[("duckdb", fmt)] == outputs[("python", fmt)]
        assert outputs[("auto", fmt)] == outputs[("python", fmt)]
    # the sequential cycle: p2 creates a lead, p3 (same email, other case) then updates it
    assert '"prospect": "p3",\n      "action": "update"' in outputs[("duckdb", "json")]
    assert '"id": "00QSR0000000001"' in outputs[("duckdb", "json")]


def test_run_writes_the_same_files_on_every_engine(small: tuple[str, str], tmp_path: Path) -> None:
    rules, records = small
    written = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"out-{engine}"
        args = ["run", rules, "--records", records, "--now", NOW, "--out", str(out)]
        assert main([*args, "--engine", engine]) == 0
        written[engine] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written["duckdb"] == written["python"]
    assert b"00QSR0000000001" in written["duckdb"]["records.yaml"]


# a construct the SQL engines decline: Decimal and DECIMAL(38,10) multiply differently, so
# the reference evaluates `*` in a UDF, which cannot read `in group`
DECLINED = RULES.replace(
    "stage Hot when score >= 10", 'stage Hot when IF(name in group "G", score, 0) * 2 >= 20'
)
IN_GROUP = "`in group` inside an expression SQL cannot give (operator * on number values"


@pytest.fixture
def declined(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "rules.sync").write_text(DECLINED, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    return str(tmp_path / "rules.sync"), str(tmp_path / "records.yaml")


def test_a_named_bulk_engine_that_cannot_evaluate_exits_2_naming_rule_and_construct(
    declined: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, records = declined
    args = ["dry-run", rules, "--records", records, "--now", NOW, "--engine", "duckdb"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "the duckdb engine cannot evaluate this cycle" in err
    assert f"rules.sync:8:19: stage Hot: {IN_GROUP}" in err
    assert "Traceback" not in err


def test_auto_falls_back_to_python_when_duckdb_cannot_evaluate(
    declined: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.bulk import engines

    monkeypatch.setattr(engines, "AUTO_THRESHOLD", 1)  # make auto pick duckdb first
    rules, records = declined
    base = ["dry-run", rules, "--records", records, "--now", NOW, "--format", "json"]
    assert main([*base, "--engine", "python"]) == 0
    reference = capsys.readouterr().out
    assert main([*base, "--engine", "auto"]) == 0
    fell_back = capsys.readouterr()
    assert fell_back.out == reference
    assert fell_back.err.startswith("syncrules: note: the duckdb engine cannot evaluate ")
    assert f"stage Hot: {IN_GROUP}" in fell_back.err
    assert fell_back.err.rstrip().endswith("ran the python engine")


def test_diff_takes_an_engine(small: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    rules, records = small
    outputs = []
    for engine in ("python", "duckdb"):
        assert main(["diff", rules, rules, "--records", records, "--engine", engine]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_spark_without_pyspark_says_what_to_install(
    small: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    rules, records = small
    assert main(["dry-run", rules, "--records", records, "--engine", "spark"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'syncrules[spark]'" in err
    assert "default-jre-headless" in err


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_compile_prints_the_cycle_as_sql(
    small: tuple[str, str], capsys: pytest.CaptureFixture[str], dialect: str
) -> None:
    rules, _ = small
    assert main(["compile", rules, "--dialect", dialect]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"-- syncrules: one sync cycle (SPEC §3) as {dialect} SQL.")
    assert "CREATE TABLE cycle_round AS" in out
    assert "could not re-emit" not in out
    quote = "`" if dialect == "spark" else '"'
    assert f"{quote}stage.Hot{quote}" in out


def test_compile_lists_what_does_not_compile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text("object prospect { score: number }\nstage S when score * 2 > 1\n")
    # Spark has no UDF of the reference: `*` is not compiled
    assert main(["compile", str(rules), "--dialect", "spark"]) == 0
    out = capsys.readouterr().out
    assert "-- Not compiled" in out
    assert "rules.sync:2:14: stage S: operator * on number values" in out
    # DuckDB runs it in the reference's UDF, which the script names
    assert main(["compile", str(rules), "--dialect", "duckdb"]) == 0
    out = capsys.readouterr().out
    assert "-- Not compiled" not in out
    listed = next(line for line in out.splitlines() if line.startswith("-- __syncrules_eval0: "))
    assert "rules.sync:2:14: stage S: operator * on number values" in listed
    assert "__syncrules_eval0(" in out.lower()  # sqlglot writes unknown functions upper case


def test_the_acme_sample_gives_the_same_plan_on_duckdb(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample as it ships — deleted, merged and converted records, prospects created
    from Salesforce (SPEC §3.2, §3.3, §3.9), non-ASCII names and dates — runs in SQL, and
    the plan is the reference's, printed as JSON and as the table. One cycle per engine
    (each is seconds): the table is rendered from the plan the JSON run printed, as
    `--format table` renders it to a pipe (small record sets: tests above)."""
    from engine import api
    from engine.cli import TABLE_ROWS
    from engine.plan import Plan
    from engine.render import plan_table

    plans: dict[str, Plan] = {}
    dry_run = api.dry_run

    def kept(*args: Any, **kwargs: Any) -> Plan:
        plans[kwargs["engine"]] = plan = dry_run(*args, **kwargs)
        return plan

    monkeypatch.setattr(api, "dry_run", kept)
    printed = {}
    for engine in ("python", "duckdb"):
        args = ["dry-run", ACME_RULES, "--records", ACME_RECORDS, "--now", NOW]
        assert main([*args, "--format", "json", "--engine", engine]) == 0
        printed[engine] = capsys.readouterr().out
    assert printed["duckdb"] == printed["python"]
    # the sample steps aside from the direct path (it creates prospects): a Plan each
    tables = {e: plan_table.render(p, False, None, TABLE_ROWS) for e, p in plans.items()}
    assert tables["duckdb"] == tables["python"]
    assert "prospects:" in tables["python"]
    # the sample's connector states, each on the DuckDB plan
    assert '"reason": "crm_deleted"' in printed["duckdb"]
    assert '"prospects_from_salesforce": [\n    {' in printed["duckdb"]


CONNECTOR_RULES = (
    RULES.replace('share lead when OwnerId in group "G"\n', "")
    .replace("field email { lead: Email", "field email { lead: Email contact: Email")
    .replace("field name { lead: LastName", "field name { lead: LastName contact: LastName")
    + "object contact { Email: email  LastName: text(8) }\n"
    + "connector { match: crm_id }\n"  # create_prospects: true by default
)
CONNECTOR_RECORDS = """
users: [{Id: 005A, Name: A, groups: [G]}]
leads:
  - {Id: 00Q1, Email: ada@x.io, LastName: Lo, OwnerId: 005A, IsDeleted: true,
     MasterRecordId: 00Q3}
  - {Id: 00Q2, Email: bo@x.io, LastName: Bo, OwnerId: 005A, IsConverted: true,
     ConvertedContactId: 0031}
  - {Id: 00Q3, Email: ada@x.io, LastName: Ada, OwnerId: 005A}
  - {Id: 00Q4, Email: gone@x.io, LastName: Go, IsDeleted: true}
  - {Id: 00Q5, Email: fresh@x.io, LastName: Fresh, Score__c: 4}
contacts:
  - {Id: 0031, Email: bo@x.io, LastName: Bo}
  - {Id: 0032, Email: cy@x.io, LastName: Cy}
prospects:
  - {id: p1, email: ada@x.io, name: Ada, score: 12, crm_lead_fid: 00Q1}
  - {id: p2, email: bo@x.io, name: Bo, score: 1, crm_lead_fid: 00Q2}
  - {id: p3, email: gone@x.io, name: Go, score: 1, crm_lead_fid: 00Q4}
  - {id: p4, email: x@x.io, name: X, score: 1, crm_deleted: true}
"""


def test_run_writes_the_same_connector_state_on_every_engine(tmp_path: Path) -> None:
    """`run` on DuckDB: the crm_deleted flags, the followed merge and conversion, and the
    prospects created from Salesforce are written as the reference writes them."""
    (tmp_path / "rules.sync").write_text(CONNECTOR_RULES, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(CONNECTOR_RECORDS, encoding="utf-8")
    rules, records = str(tmp_path / "rules.sync"), str(tmp_path / "records.yaml")
    written = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"out-{engine}"
        args = ["run", rules, "--records", records, "--now", NOW, "--out", str(out)]
        assert main([*args, "--engine", engine]) == 0
        written[engine] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written["duckdb"] == written["python"]
    text = written["duckdb"]["records.yaml"].decode()
    assert text.count("crm_deleted: true") == 2  # p3 newly flagged, p4 as it was
    assert "id: sf-lead-00Q5" in text
    assert "id: sf-contact-0032" in text
    assert "crm_contact_fid: '0031'" in text  # p2 followed the conversion
