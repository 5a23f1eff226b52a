"""The Spark engine in local mode gives the Python reference's plan (a small budget: one
JVM start, a few rounds). Needs PySpark and Java; CI installs both (.ci/run)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine import api
from engine.bulk.engines import with_side_plans
from engine.records.load import load_records_text
from engine.render import plan_json
from engine.runtime.context import Clock
from engine.runtime.cycle import run_cycle
from tests.bulk.differential import bulk_plan
from tests.bulk.test_differential import NOW, record_sets, rule_sets

READY = importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None
if not READY and os.environ.get("CI"):
    pytest.fail("CI must install pyspark and a Java runtime (.ci/run)", pytrace=False)
# one worker runs them all: a second JVM would pay the start-up and the JIT's warm-up again
# (about half of these tests' time), so the suite runs with `--dist loadgroup` (pyproject)
pytestmark = [
    pytest.mark.skipif(not READY, reason="needs pyspark and java"),
    pytest.mark.xdist_group("spark"),
]


def test_the_session_logs_errors_only_from_its_start() -> None:
    """The driver's JVM reads the log4j2 file packaged with the engine (passed in
    spark.driver.extraJavaOptions), not Spark's default profile, whose start-up lines and
    warnings reach the command's stderr before the session can lower its level."""
    from engine.bulk.spark import LOG4J2, SparkEngine

    rules = api.check_text("object prospect { email: email }\n", "rules.sync")
    spark = SparkEngine(rules, "local[2]").session()
    config = spark._jvm.org.apache.logging.log4j.LogManager.getContext(False).getConfiguration()
    assert Path(config.getConfigurationSource().getLocation()).as_uri() == LOG4J2
    assert str(config.getRootLogger().getLevel()) == "ERROR"
    # the interpreter's level, which Spark would announce on stderr when it differs
    gateway = config.getLoggerConfig("org.apache.spark.api.python.PythonGatewayServer")
    assert str(gateway.getLevel()) == "ERROR"


# One cycle for two Spark runs' worth (each run costs seconds of planning a round of some
# hundred columns, whatever its few records): the sequential cycle (sharing, a stage, a
# created lead the next prospect updates, a duplicate, a value too long) on prospects q1-q5
# matched by email, and the connector's state on p1-p6 matched by CRM id
RULES = """
object prospect { email: email  name: text(6)  score: number }
object lead { Email: email  LastName: text(6) required  Score__c: number  OwnerId: reference(user) }
object contact { Email: email  LastName: text(6) }
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: most_recent }
field score { lead: Score__c sync: pardot }
share lead when OwnerId in group "G"
stage Hot when score >= 10
create lead when Hot or assigned
validation Short on lead { error_if: LEN(LastName) < 2 message: "short" }
duplicate lead by Email
connector { match: crm_id email_fallback: true }
"""
# create_prospects is on by default with crm_id: 00Q5, held by no prospect, becomes one
RECORDS = """
users: [{Id: 005A, Name: A, groups: [G]}]
leads:
  - {Id: 00Q1, Email: ada@x.io, LastName: Lo, OwnerId: 005A, IsDeleted: true,
     MasterRecordId: 00Q3}
  - {Id: 00Q2, Email: bo@x.io, LastName: Bo, OwnerId: 005A, IsConverted: true,
     ConvertedContactId: 0031}
  - {Id: 00Q3, Email: ada@x.io, LastName: Ada, OwnerId: 005A}
  - {Id: 00Q4, Email: gone@x.io, LastName: Go, OwnerId: 005A, IsDeleted: true}
  - {Id: 00Q5, Email: fresh@x.io, LastName: Fresh, OwnerId: 005A}
  - {Id: 00QA, Email: ann@x.io, LastName: Lo, Score__c: 3, OwnerId: 005A,
     LastModifiedDate: 2026-11-01T10:00:00Z}
  - {Id: 00QB, Email: hid@x.io, LastName: Hid, OwnerId: 005B}
contacts:
  - {Id: 0031, Email: bo@x.io, LastName: Bo}
  - {Id: 0032, Email: new@x.io, LastName: Nu}
  - {Id: 0039, Email: cy@x.io, LastName: Cy, LastModifiedDate: 2026-11-03T10:00:00Z}
prospects:
  - {id: p1, email: ada@x.io, name: Ada, score: 12, crm_lead_fid: 00Q1}
  - {id: p2, email: bo@x.io, name: Bo, score: 1, crm_lead_fid: 00Q2}
  - {id: p3, email: gone@x.io, name: Go, score: 1, crm_lead_fid: 00Q4}
  - {id: p4, email: x@x.io, name: X, score: 1, crm_deleted: true}
  - {id: p5, email: ada@x.io, name: Twin, score: 1, crm_lead_fid: 00Q1}
  - {id: p6, email: NEW@x.io, name: Nu, score: 1}
  - {id: q1, email: ANN@x.io, name: Adalbert, score: 12, updated_at: 2026-11-02T10:00:00Z}
  - {id: q2, email: nova@x.io, name: Nu, score: 20, assigned_user: 005A}
  - {id: q3, email: NOVA@x.io, name: N, score: 30}
  - {id: q4, email: hid@x.io, name: Hidden, score: 1, assigned_user: 005A}
  - {id: q5, email: cy@x.io, name: Cyrus, score: 2}
"""


def test_spark_plans_the_sequential_cycle_and_the_connector_state_as_the_reference() -> None:
    """The sequential cycle, and deleted, merged and converted records, email_fallback and
    prospects created from Salesforce (SPEC §3.2, §3.3, §3.9) on Spark: the reference's
    plan."""
    from engine.bulk.spark import SparkEngine

    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    rules = api.check_text(RULES, "rules.sync")
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records = load_records_text(RECORDS, "records.yaml", rules)
    reference = plan_json.render(run_cycle(rules, records, Clock(now)).plan)
    spark = with_side_plans(
        rules, records, SparkEngine(rules, "local[2]").plan(records, Clock(now))
    )
    assert plan_json.render(spark) == reference
    got = {
        o["prospect"]: o.get("reason") or (o.get("target") or {}).get("id") or o["action"]
        for o in json.loads(reference)["records"]
    }
    assert got == {
        # q2 creates a lead, which q3 (the same email, another case) then updates; the
        # hidden 00QB is still a duplicate of q4's new lead
        "q1": "00QA", "q2": "create_lead", "q3": "00QSR0000000001", "q4": "error",
        "q5": "0039",
        # the merge followed (p1) and flagged for its twin (p5), the conversion followed
        # (p2), deletions (p3, p4), the fallback (p6)
        "p1": "00Q3", "p2": "0031", "p3": "crm_deleted", "p4": "crm_deleted",
        "p5": "crm_deleted", "p6": "0032",
    }  # fmt: skip
    assert '"prospects_from_salesforce": [' in reference


@settings(
    # each example is Spark jobs planning a round of several hundred columns: 5-20 s each;
    # the DuckDB differential test runs the same generator on 20 (test_differential.py)
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rule_sets(), record_sets())
def test_spark_plan_equals_the_reference_on_generated_cycles(
    rules_text: str, records_text: str
) -> None:
    """The differential generator (connector states included) on Spark, on a small budget:
    whenever the SQL engines evaluate the cycle, Spark's plan is the reference's."""
    from engine.bulk.spark import SparkEngine

    rules = api.check_text(rules_text, "rules.sync")
    records = load_records_text(records_text, "records.yaml", rules)
    reference = run_cycle(rules, records, Clock(NOW)).plan
    spark = bulk_plan(lambda seen: SparkEngine(seen, "local[2]"), rules, records, NOW)
    if spark is None:
        return  # declined, as DuckDB declines it (test_differential.py)
    assert plan_json.render(spark) == plan_json.render(reference)


def test_spark_decides_owners_company_and_field_history_as_the_reference() -> None:
    """Owners (a queue, an inactive user, the connector user, the Salesforce owner), a
    contact's Account Name, a most_recent field's history and an 18-digit bound on Spark."""
    from engine.bulk.spark import SparkEngine

    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    rules = api.check_text(
        """
object prospect { email: email  name: text(20)  company: text(40)  score: number  out: boolean }
object lead {
    Email: email  LastName: text(20)  Company: text(40)  Score__c: number
    HasOptedOutOfEmail: boolean  OwnerId: reference(user)
}
object contact { Email: email  LastName: text(20)  HasOptedOutOfEmail: boolean }
field email { lead: Email contact: Email }
field name { lead: LastName contact: LastName }
field company { lead: Company }
field score { lead: Score__c sync: pardot }
field out { lead: HasOptedOutOfEmail contact: HasOptedOutOfEmail sync: most_recent }
connector { user: "conn@x.io" }
create lead when true
""",
        "rules.sync",
    )
    records = load_records_text(
        """
users:
  - {Id: 005A, Name: A}
  - {Id: 005Z, Name: Z, active: false}
  - {Id: 005C, Name: C, Username: conn@x.io}
queues: [{Id: 00G1, Name: Inbound}]
accounts: [{Id: 001A, Name: Acme}]
leads:
  - {Id: 00Q1, Email: l@x.io, LastName: L, Company: C, OwnerId: 005A, HasOptedOutOfEmail: true,
     LastModifiedDate: 2026-11-01T00:00:00Z}
contacts:
  - {Id: 003A, Email: c@x.io, LastName: C, AccountId: 001A, HasOptedOutOfEmail: false,
     LastModifiedDate: 2026-11-01T00:00:00Z}
field_history:
  - {Id: 017A, ParentId: 00Q1, Field: HasOptedOutOfEmail, CreatedDate: "2026-11-20T00:00:00Z"}
prospects:
  - {id: p1, email: a@x.io, name: A, company: X, assigned_user: 005Z, score: 1234567890123456789}
  - {id: p2, email: q@x.io, name: Q, company: X, assigned_user: 00G1}
  - {id: p3, email: l@x.io, name: L, company: C, out: false, updated_at: 2026-11-10T00:00:00Z}
  - {id: p4, email: c@x.io, name: C, company: X, out: true, updated_at: 2026-11-10T00:00:00Z}
""",
        "records.yaml",
        rules,
    )
    reference = plan_json.render(run_cycle(rules, records, Clock(now)).plan)
    spark = with_side_plans(
        rules, records, SparkEngine(rules, "local[2]").plan(records, Clock(now))
    )
    assert plan_json.render(spark) == reference
    for shown in ('"decision": "connector_user"', '"decision": "queue"', '"company": "Acme"'):
        assert shown in reference
    assert '"code": "NUMBER_OUTSIDE_VALID_RANGE"' in reference


def test_spark_gives_failures_and_dates_as_the_reference() -> None:
    """What Spark SQL gives without the reference's UDF: VALUE's failures (a column beside
    each value, listed on the outcome), unary minus, dates and date-times compared against
    the run's TODAY() and NOW(), YEAR/MONTH/DAY."""
    from engine.bulk.spark import SparkEngine

    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    rules = api.check_text(
        """
object prospect { email: email  name: text(6)  kind: text(8)  score: number  since: date
                  seen: datetime }
object lead { Email: email  LastName: text(6)  Since__c: date }
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field since { lead: Since__c sync: pardot }
stage Parsed when VALUE(kind) > 5 or -score > 1
stage Recent when since >= TODAY() and YEAR(since) = 2026 and DAY(since) = 30
stage Seen when seen < NOW() and MONTH(TODAY()) = 11
create lead when Parsed or Recent
validation Sized on lead { error_if: VALUE(LastName) > 100 message: "big" }
""",
        "rules.sync",
    )
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records = load_records_text(
        """
prospects:
  - {id: p1, email: a@x.io, name: '7', kind: '12', since: 2026-11-30,
     seen: '2026-11-30T06:00:00-05:00'}
  - {id: p2, email: b@x.io, name: Bo, kind: lots, score: -4, seen: '2026-11-30T12:30:00Z'}
  - {id: p3, email: c@x.io, name: Cy, kind: '', since: 2026-11-29}
""",
        "records.yaml",
        rules,
    )
    reference = plan_json.render(run_cycle(rules, records, Clock(now)).plan)
    spark = with_side_plans(
        rules, records, SparkEngine(rules, "local[2]").plan(records, Clock(now))
    )
    assert plan_json.render(spark) == reference
    assert '"message": "VALUE(\\"lots\\"): not a number"' in reference
    assert '"message": "VALUE(\\"Bo\\"): not a number"' not in reference  # p2 is gated
