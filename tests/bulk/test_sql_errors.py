"""Formula failures as a column, Decimal arithmetic and dates in the SQL engines: each case
gives DuckDB's plan and the reference's, byte for byte, and pins what the reference says
(the expected failures are written out here, never computed by the code under test)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import api
from engine.bulk.duck import program_for
from engine.bulk.spark import SparkEngine
from engine.bulk.sql import CannotEvaluate
from engine.check.model import CheckedRules
from engine.plan import FormulaProblem, Plan
from engine.records.load import load_records_text
from engine.records.model import RecordSet
from engine.runtime.context import Clock
from tests.bulk.differential import assert_same_plans, duckdb_plan, python_plan

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

OBJECTS = """
object prospect { email: email  name: text(8)  score: number  kind: text(12)  since: date
                  seen: datetime }
object lead { Email: email  LastName: text(8) required  Score__c: number
              OwnerId: reference(user)  Since__c: date }
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
field score { lead: Score__c sync: pardot }
"""


def _case(rules_text: str, prospects: str, leads: str = "[]") -> tuple[CheckedRules, RecordSet]:
    rules = api.check_text(OBJECTS + rules_text, "rules.sync")
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records = load_records_text(
        f"users: [{{Id: 005A, Name: A}}]\nleads: {leads}\nprospects:\n{prospects}",
        "records.yaml",
        rules,
    )
    return rules, records


def _same(rules: CheckedRules, records: RecordSet) -> Plan:
    """DuckDB evaluates the cycle (it does not decline) and gives the reference's plan."""
    assert assert_same_plans(rules, records, NOW)
    plan = duckdb_plan(rules, records, NOW)
    assert plan is not None
    return plan


def _problems(plan: Plan) -> dict[str, list[tuple[str, str, str, str]]]:
    def row(p: FormulaProblem) -> tuple[str, str, str, str]:
        return (p.rule, p.record, p.message, p.location)

    return {o.prospect: [row(p) for p in o.problems] for o in plan.outcomes if o.problems}


def test_value_of_text_that_is_no_number_is_a_located_failure_in_stage_gate_and_rule() -> None:
    rules, records = _case(
        """
stage Hot when VALUE(kind) > 5
create lead when VALUE(name) >= 0 or Hot
validation Sized on lead { error_if: VALUE(LastName) > 100 message: "big" }
""",
        """
  - {id: p1, email: a@x.io, name: '7', kind: '12'}
  - {id: p2, email: b@x.io, name: Bo, kind: lots}
  - {id: p3, email: c@x.io, name: ' 3 ', kind: ''}
""",
    )
    plan = _same(rules, records)
    assert _problems(plan) == {
        # the gate's first operand fails, which stops it (left to right) before Hot
        "p2": [
            ("stage Hot", "p2", 'VALUE("lots"): not a number', "rules.sync:10:16"),
            ("create lead", "p2", 'VALUE("Bo"): not a number', "rules.sync:11:18"),
        ],
    }
    actions = [(o.prospect, o.action.value) for o in plan.outcomes]
    assert actions == [("p1", "create_lead"), ("p2", "skip"), ("p3", "create_lead")]


def test_a_failure_after_a_deciding_operand_is_never_reached() -> None:
    rules, records = _case(
        """
stage First when AND(score > 100, VALUE(kind) > 1)
stage Second when OR(score < 100, VALUE(kind) > 1)
stage Late when AND(VALUE(kind) > 1, score > 100)
stage Blank when IF(ISBLANK(kind), false, VALUE(kind) > 1)
""",
        "  - {id: p1, email: a@x.io, name: A, score: 5, kind: x}\n",
    )
    plan = _same(rules, records)
    assert _problems(plan) == {
        "p1": [
            ("stage Late", "p1", 'VALUE("x"): not a number', "rules.sync:12:21"),
            ("stage Blank", "p1", 'VALUE("x"): not a number', "rules.sync:13:43"),
        ]
    }
    assert plan.outcomes[0].stages == ("Second",)


def test_an_unavailable_value_is_passed_over_when_another_operand_decides() -> None:
    """$User without a connector user cannot be evaluated (evaluate.Unavailable): an AND
    with a false operand is still false, with a true one it fails, located."""
    rules, records = _case(
        """
create lead when true
validation Decided on lead { error_if: AND($User.Bypass__c, Score__c > 100) message: "d" }
validation Open on lead { error_if: AND($User.Bypass__c, Score__c > 1) message: "o" }
""",
        "  - {id: p1, email: a@x.io, name: A, score: 5}\n",
    )
    plan = _same(rules, records)
    [(rule, record, message, location)] = _problems(plan)["p1"]
    assert (rule, record, location) == ("validation Open", "00QSR0000000001", "rules.sync:12:41")
    assert message.startswith("cannot evaluate $User.Bypass__c: the rule set names no connector")


def test_decimal_division_rounds_to_28_digits_as_the_reference_does() -> None:
    """1/3 is 0.3333333333333333333333333333 in Python's Decimal (28 digits), so 1/3*3 is
    not 1; DECIMAL(38,10) would say 0.3333333333 and 0.9999999999."""
    rules, records = _case(
        """
stage Third when score / 3 = 0.3333333333
stage Whole when score / 3 * 3 = 1
stage Close when score / 3 * 3 > 0.9999999999999999999999999998
""",
        "  - {id: p1, email: a@x.io, name: A, score: 1}\n",
    )
    plan = _same(rules, records)
    assert plan.outcomes[0].stages == ("Close",)


def test_division_by_zero_and_overflow_are_the_reference_failures() -> None:
    rules, records = _case(
        """
stage Ratio when 10 / (score - 2) > 1
stage Huge when score ^ 1000000 > 1
stage Mod when MOD(score, score - 2) = 0
""",
        """
  - {id: p1, email: a@x.io, name: A, score: 2}
  - {id: p2, email: b@x.io, name: B, score: 10}
  - {id: p3, email: c@x.io, name: C, score: 4}
""",
    )
    plan = _same(rules, records)
    assert _problems(plan) == {
        "p1": [
            ("stage Ratio", "p1", "division by zero", "rules.sync:10:18"),
            ("stage Mod", "p1", "MOD by zero", "rules.sync:12:16"),
        ],
        "p2": [("stage Huge", "p2", "number overflow", "rules.sync:11:17")],
    }
    # 2 ^ 1000000 is about 1E+301030, inside Decimal's exponents; 10 ^ 1000000 is not
    assert [o.stages for o in plan.outcomes] == [("Huge",), ("Ratio",), ("Ratio", "Huge", "Mod")]


def test_negative_zero_keeps_its_sign_in_text() -> None:
    """Decimal keeps the sign of zero where DECIMAL has none: 0 * -1 and VALUE("-0.00")
    are -0, TEXT of which is "-0" (functions.number_text); -0 itself is 0."""
    rules, records = _case(
        """
stage Product when TEXT(score * -1) = "-0"
stage Minus when TEXT(-score) = "0" and -score < 3
stage Parsed when TEXT(VALUE(kind)) = "-0"
""",
        """
  - {id: p1, email: a@x.io, name: A, score: 0, kind: '-0.00'}
  - {id: p2, email: b@x.io, name: B, score: 4, kind: '5'}
""",
    )
    plan = _same(rules, records)
    assert [o.stages for o in plan.outcomes] == [("Product", "Minus", "Parsed"), ()]


def test_a_sum_beyond_28_significant_digits_makes_duckdb_decline() -> None:
    """Decimal rounds 123456789012345678901234567 + 0.25 to …567.2; rather than give
    DECIMAL's …567.25, DuckDB declines at run time (auto runs the reference)."""
    rules, records = _case(
        "stage Sum when score + 0.25 > 123456789012345678901234567.2\n",
        """
  - {id: p1, email: a@x.io, name: A, score: 1}
  - {id: p2, email: b@x.io, name: B, score: 123456789012345678901234567}
""",
    )
    assert python_plan(rules, records, NOW).outcomes[1].stages == ()
    assert duckdb_plan(rules, records, NOW) is None
    # without the wide value the same rules run in SQL
    small = load_records_text(
        "prospects: [{id: p1, email: a@x.io, name: A, score: 1}]\n", "records.yaml", rules
    )
    _same(rules, small)


def test_dates_against_the_run_clock() -> None:
    """TODAY() and NOW() are the run's --now; date arithmetic, DATEVALUE, ADDMONTHS, YEAR
    and a date-time's own offset are the reference's."""
    rules, records = _case(
        """
stage Recent when since > TODAY() - 30
stage ThisYear when YEAR(since) = YEAR(TODAY()) and MONTH(since) >= 11 and DAY(since) < 30
stage Month when ADDMONTHS(since, 1) >= TODAY()
stage Seen when seen < NOW() and DATEVALUE(seen) = DATE(2026, 11, 29)
stage Span when TODAY() - since = 14
""",
        """
  - {id: p1, email: a@x.io, name: A, since: 2026-11-16, seen: '2026-11-29T23:30:00-05:00'}
  - {id: p2, email: b@x.io, name: B, since: 2026-10-30, seen: '2026-11-29T23:30:00Z'}
  - {id: p3, email: c@x.io, name: C}
""",
    )
    plan = _same(rules, records)
    assert [o.stages for o in plan.outcomes] == [
        ("Recent", "ThisYear", "Month", "Span"),  # 23:30 -05:00 is the 30th in UTC
        ("Month", "Seen"),  # TODAY() - 30 is 2026-10-31
        (),
    ]


def test_validation_failures_name_the_record_being_written() -> None:
    rules, records = _case(
        """
create lead when true
validation Ratio on lead { error_if: 100 / Score__c > 1 message: "ratio" }
""",
        """
  - {id: p1, email: a@x.io, name: A, score: 0}
  - {id: p2, email: b@x.io, name: B, score: 0}
  - {id: p3, email: c@x.io, name: C, score: 7}
""",
        "[{Id: 00Q1, Email: c@x.io, LastName: C, Score__c: 3}]",
    )
    plan = _same(rules, records)
    assert _problems(plan) == {
        "p1": [("validation Ratio", "00QSR0000000001", "division by zero", "rules.sync:11:38")],
        "p2": [("validation Ratio", "00QSR0000000002", "division by zero", "rules.sync:11:38")],
    }


def test_spark_declines_what_only_the_reference_udf_gives() -> None:
    pytest.importorskip("pyspark")
    rules, records = _case(
        "stage Ratio when score / 3 > 1\n", "  - {id: p1, email: a@x.io, name: A}\n"
    )
    [host] = program_for(rules).hosts
    assert host.reason.location == "rules.sync:9:18"
    with pytest.raises(CannotEvaluate) as declined:
        SparkEngine(rules).plan(records, Clock(NOW))
    assert "operator / on number values" in str(declined.value)


def test_multipicklists_are_read_by_the_reference_udf() -> None:
    """INCLUDES and ISBLANK of a multi-select picklist, on the prospect and on the record
    being written; syncing one is still declined (its type fit is the reference's)."""
    rules = api.check_text(
        """
object prospect { email: email  name: text(8)  topics: multipicklist("Email", "Webinars") }
object lead { Email: email  LastName: text(8)  Interests__c: multipicklist("A", "B", "C") }
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
stage Web when INCLUDES(topics, "Webinars") or ISBLANK(topics)
create lead when true
validation Changed on lead { error_if: INCLUDES(Interests__c, "A") && ISCHANGED(LastName)
                              message: "a" }
validation Blank on lead { error_if: ISBLANK(Interests__c) && LastName = "Zed" message: "z" }
""",
        "rules.sync",
    )
    records = load_records_text(
        """
leads:
  - {Id: 00Q1, Email: ada@x.io, LastName: Lo, Interests__c: "A;B"}
  - {Id: 00Q2, Email: bo@x.io, LastName: Bo, Interests__c: [C]}
prospects:
  - {id: p1, email: ada@x.io, name: Ada, topics: "Email; Webinars", crm_lead_fid: 00Q1}
  - {id: p2, email: bo@x.io, name: Bob, topics: [Email], crm_lead_fid: 00Q2}
  - {id: p3, email: c@x.io, name: Zed}
""",
        "records.yaml",
        rules,
    )
    plan = _same(rules, records)
    failed = [(o.prospect, o.action.value, o.error and o.error.rule) for o in plan.outcomes]
    assert failed == [("p1", "error", "Changed"), ("p2", "update", None), ("p3", "error", "Blank")]
    assert [o.stages for o in plan.outcomes] == [("Web",), (), ("Web",)]
    text = OBJECTS.replace("since: date", 'since: date  topics: multipicklist("A")').replace(
        "Since__c: date }", 'Since__c: date  Topics__c: multipicklist("A") }'
    )
    synced = api.check_text(text + "field topics { lead: Topics__c }\n", "rules.sync")
    assert not synced.has_errors, [d.message for d in synced.diagnostics]
    assert program_for(synced).reasons == []  # synced: compiled (test_direct_cover.py)
    keyed = api.check_text(text + "duplicate lead by Topics__c\n", "rules.sync")
    assert not keyed.has_errors, [d.message for d in keyed.diagnostics]
    reasons = [r.construct for r in program_for(keyed).reasons]
    assert reasons == ["a multipicklist field (Topics__c)"]
