"""Related records' values in SQL (`RecordType.DeveloperName`, `$RecordType.Name`,
`Owner.Title`, `Account.Name`): the bulk engines read them per record as
runtime/context.MergeFields does — a column the record set names so (in any case), or the
user the record's OwnerId leads to — with the reference's failure when the record set
gives none, a created lead's naming the Id it gets."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from engine import api
from engine.bulk.duck import DuckEngine, program_for
from engine.bulk.engines import with_side_plans
from engine.bulk.sql import CannotEvaluate
from engine.records.load import load_records_text
from engine.render import plan_json
from engine.runtime.context import Clock
from engine.runtime.cycle import run_cycle
from tests.bulk.differential import duckdb_plan

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
OBJECTS = """
object prospect { email: email  name: text(40)  score: number }
object lead { Email: email  LastName: text(40)  Score__c: number  OwnerId: reference(user) }
object contact { Email: email  LastName: text(40) }
object user { Email: email  Title: text(40) }
connector { user: "sync@x.io" }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c sync: pardot }
stage Any when email <> ""
create lead when Any
"""
VALIDATIONS = """
validation Partner on lead {
  error_if: RecordType.DeveloperName = "Partner" && Score__c > 10
  message: "partners score 10 at most"
}
validation OwnerTitle on lead {
  error_if: Owner.Title = "Intern" || (ISBLANK($RecordType.Name) && LastName = "Zed")
  message: "no interns"
}
validation AccountName on contact {
  error_if: BEGINS(Account.Name, "Acme") && LastName = "X"
  message: "acme"
}
"""
# the reference's UDF evaluates MOD and the connector user's $User.Title, with the row's
# related values handed to it
HOSTED = """
validation Hosted on lead {
  error_if: AND(Owner.Email = "boss@x.io", $User.Title = "Bot", MOD(Score__c, 2) = 1)
  message: "odd"
}
"""
RECORDS = """
users:
  - {Id: 005A, Email: boss@x.io, Title: Boss}
  - {Id: 005B, Email: intern@x.io, Title: Intern}
  - {Id: 005C, Email: sync@x.io, Title: Bot}
prospects:
  - {id: p1, email: a@x.io, name: Ann, score: 20}
  - {id: p2, email: b@x.io, name: Bob, score: 3}
  - {id: p3, email: c@x.io, name: Cy, score: 5}
  - {id: p4, email: d@x.io, name: Zed, score: 7}
  - {id: p5, email: new@x.io, name: New, score: 1}
  - {id: p6, email: new@x.io, name: Zed, score: 3}
  - {id: p7, email: e@x.io, name: X, score: 3}
  - {id: p8, email: f@x.io, name: X, score: 3}
leads:
  - {Id: 00Q1, Email: a@x.io, LastName: A, OwnerId: 005A,
     RecordType.DeveloperName: Partner, RecordType.Name: Partner}
  - {Id: 00Q2, Email: b@x.io, LastName: B, OwnerId: 005B, RecordType.DeveloperName: Direct}
  - {Id: 00Q3, Email: c@x.io, LastName: C, OwnerId: 005A,
     recordtype.developername: Partner, RecordType.Name: ''}
  - {Id: 00Q4, Email: d@x.io, LastName: D, OwnerId: 005Z}
contacts:
  - {Id: 003A, Email: e@x.io, LastName: E, Account.Name: Acme Inc}
  - {Id: 003B, Email: f@x.io, LastName: F}
"""


def plans(rules_text: str, records_text: str = RECORDS) -> tuple[str, str]:
    rules = api.check_text(rules_text, "rules.sync")
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records = load_records_text(records_text, "records.yaml", rules)
    reference = plan_json.render(run_cycle(rules, records, Clock(NOW)).plan)
    bulk = duckdb_plan(rules, records, NOW)
    assert bulk is not None, program_for(rules).reasons
    return reference, plan_json.render(bulk)


def test_related_values_and_their_failures_are_the_references() -> None:
    reference, bulk = plans(OBJECTS + VALIDATIONS + HOSTED)
    assert bulk == reference
    outcomes = {o["prospect"]: o for o in json.loads(bulk)["records"]}
    # written out by hand from the records: p1's lead is a Partner scoring 20; 00Q2's owner
    # is an intern; 00Q3's record type is read case-insensitively, its blank name is blank
    # (p3's odd score, boss owner and Bot connector user fire the hosted rule)
    assert [outcomes[p].get("rule") for p in ("p1", "p2", "p3", "p7")] == [
        "Partner",
        "OwnerTitle",
        "Hosted",
        "AccountName",
    ]
    # 00Q4's owner 005Z is no user in the record set: the reference's failure, per rule
    failures = outcomes["p4"]["formula_errors"]
    assert [f["rule"] for f in failures] == ["validation OwnerTitle", "validation Hosted"]
    assert failures[0]["message"] == (
        'cannot evaluate Owner.Title: the lead record 00Q4 does not give "Owner.Title" '
        '(add "Owner.Title: <value>" to the record, as a data export names it)'
    )
    # a created lead gives no related value, on its create (p5) and when matched (p6)
    for p in ("p5", "p6"):
        failure = outcomes[p]["formula_errors"][0]
        assert failure["record"] == "00QSR0000000001"
        assert "the lead record 00QSR0000000001 does not give" in failure["message"]
    assert "the contact record 003B does not give" in outcomes["p8"]["formula_errors"][0]["message"]


def test_related_text_a_case_function_reads_must_be_printable_ascii() -> None:
    rules = OBJECTS + (
        'validation Up on lead { error_if: UPPER(RecordType.Name) = "STRASSE" message: "x" }\n'
    )
    records = "leads: [{Id: 00Q1, Email: a@x.io, RecordType.Name: straße}]\n"
    records += "prospects: [{id: p1, email: a@x.io, name: A, score: 1}]\n"
    checked = api.check_text(rules, "rules.sync")
    loaded = load_records_text(records, "records.yaml", checked)
    with pytest.raises(CannotEvaluate, match=r"RecordType\.Name: text outside printable ASCII"):
        DuckEngine(checked).plan(loaded, Clock(NOW))


def test_a_share_rule_reading_a_related_value_is_declined_by_name() -> None:
    rules = api.check_text(OBJECTS + 'share lead when RecordType.Name = "A"\n', "rules.sync")
    assert [(r.rule, r.construct) for r in program_for(rules).reasons] == [
        (
            "share lead",
            "RecordType.Name: a related record's value, which SQL holds for lead and "
            "contact validation rules only",
        )
    ]


def test_a_related_value_of_no_declared_type_is_read_by_the_references_udf() -> None:
    # Account.Region__c and Account.Size__c: fields of an object the rule set does not
    # declare, so of type any; the record set gives text, a number, or nothing
    rules = OBJECTS + (
        "validation Region on contact {\n"
        '  error_if: (Account.Region__c = "EU" || Account.Size__c > 5) && LastName = "X"\n'
        '  message: "eu"\n}\n'
    )
    records = RECORDS.replace(
        "Account.Name: Acme Inc}",
        "Account.Region__c: EU}\n  - {Id: 003C, Email: g@x.io, "
        "LastName: G, Account.Size__c: 7, Account.Region__c: US}",
    ).replace("leads:\n", "  - {id: p9, email: g@x.io, name: X, score: 1}\nleads:\n")
    checked = api.check_text(rules, "rules.sync")
    assert [r.vtype.value for r in program_for(checked).related] == ["any", "any"]
    reference, bulk = plans(rules, records)
    assert bulk == reference
    outcomes = {o["prospect"]: o for o in json.loads(bulk)["records"]}
    assert outcomes["p7"]["rule"] == "Region"  # EU
    assert outcomes["p9"]["rule"] == "Region"  # 7 > 5
    assert "the contact record 003B does not give" in outcomes["p8"]["formula_errors"][0]["message"]


def test_a_csv_record_set_with_related_columns_is_read_by_the_direct_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main

    (tmp_path / "r.sync").write_text(OBJECTS + VALIDATIONS)
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.csv").write_text("id,email,name,score\np1,a@x.io,Ann,20\n")
    (records / "leads.csv").write_text(
        "Id,Email,LastName,OwnerId,RecordType.DeveloperName\n00Q1,a@x.io,A,005A,Partner\n"
    )
    checked = api.check([str(tmp_path / "r.sync")])
    assert api.dry_run_direct(checked, str(records), now=NOW, engine="duckdb") is not None
    outputs = []
    for engine in ("python", "duckdb"):
        args = ["dry-run", str(tmp_path / "r.sync"), "--records", str(records)]
        code = main([*args, "--now", "2026-11-30T12:00:00Z", "--engine", engine])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert "p1       error       lead 00Q1 Partner" in outputs[0][1]


SPARK = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


@pytest.mark.skipif(not SPARK, reason="needs pyspark and java")
@pytest.mark.xdist_group("spark")
def test_spark_reads_related_values_as_the_reference() -> None:
    from engine.bulk.spark import SparkEngine

    rules = api.check_text(OBJECTS + VALIDATIONS, "rules.sync")
    records = load_records_text(RECORDS, "records.yaml", rules)
    reference = run_cycle(rules, records, Clock(NOW)).plan
    spark = SparkEngine(rules, "local[2]").plan(records, Clock(NOW))
    assert plan_json.render(with_side_plans(rules, records, spark)) == plan_json.render(reference)


@pytest.mark.parametrize(
    "condition",
    [
        '$User.Title = "Bot"',  # the connector user's value alone: the UDF reads no leaf
        "Score__c * 2 > LEN(LastName)",  # two leaves
        'MOD(Score__c, 2) = 1 && Owner.Email = "boss@x.io" || $User.Title = LastName',
    ],
)
def test_the_references_udf_registers_with_any_number_of_leaves(condition: str) -> None:
    rules = OBJECTS + f'validation V on lead {{ error_if: {condition} message: "v" }}\n'
    checked = api.check_text(rules, "rules.sync")
    assert program_for(checked).hosts  # evaluated by the reference's UDF
    reference, bulk = plans(rules)
    assert bulk == reference


def test_the_compiled_script_declares_the_related_columns_and_its_round_runs() -> None:
    import duckdb

    from engine.bulk import compile as compiled

    script = compiled.render(api.check_text(OBJECTS + VALIDATIONS, "rules.sync"), "duckdb")
    assert '"__rel0" TEXT,\n  "__rel0u" TEXT' in script
    # the printed tables take the printed round query (no prospect: no row)
    con = duckdb.connect()
    tables = script.split("-- the tables")[1].split("-- one round")[0]
    for statement in filter(str.strip, tables.split(";")):
        con.execute(statement)
    round_query = script.split("-- one round")[1].split("\n", 1)[1].split(";\n")[0]
    con.execute(round_query.replace("$round", "1").replace("$today", "'2026-11-30'"))
    assert con.execute("SELECT count(*) FROM cycle_round").fetchone() == (0,)
