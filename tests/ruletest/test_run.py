"""Running rule tests: verdicts, the pytest-like text report (goldens), records, clocks,
rules from the file or the command line, and formula errors."""

from __future__ import annotations

import pytest

from engine.files import InputError
from engine.ruletest import InvalidRules, Status, render_text, run_tests
from engine.ruletest.compare import ABSENT, same
from engine.ruletest.model import Scalar
from tests.ruletest.conftest import GOLDENS, NOW, USERS, Write

# Passing tests that use every expectation key, and failing tests that differ in each way.
MIXED = (
    """\
rules: ../rules
now: 2026-11-23T12:00:00Z
records:
"""
    + USERS
    + """\
  leads:
    - {Id: 00Q1, Email: dee@example.com, LastName: Diaz, Company: Globex, OwnerId: 005A,
       Region__c: EMEA, LastModifiedDate: 2026-10-01T09:00:00Z}
    - {Id: 00Q9, Email: hid@example.com, LastName: Hidden, Company: Umbrella, OwnerId: 005C,
       LastModifiedDate: 2026-10-01T09:00:00Z}

tests:
  - name: every key can hold
    records:
      prospects:
        - {id: p1, email: ada@example.com, last_name: Lovelace, company: Acme,
           country: Deutschland, employees: "0050", score: 120, assigned_user: 005A}
        - {id: p2, email: dee@example.com, score: 10}
        - {id: p3, email: bob@example.com, last_name: Brown, company: Initech, score: 40}
        - {id: p4, email: hid@example.com, crm_lead_fid: 00Q9}
    expect:
      p1:
        action: error
        error_code: FIELD_CUSTOM_VALIDATION_EXCEPTION
        rule: Country_Required
        message: Lead must have a valid Country before being assigned.
        target: null
        stages: [MQL]
        dropped: [{field: country, code: INVALID_PICKLIST_VALUE, value: Deutschland}]
      p2:
        action: update
        reason: null
        target: {object: lead, id: 00Q1}
        matched_by: email
        stages: []
        to_salesforce: {}
        to_pardot: {region: EMEA, last_name: Diaz}
      p3: {action: skip, reason: gated, stages: []}
      p4: {action: skip, reason: not_shared}

  - name: a created lead
    records:
      prospects:
        - {id: p5, email: eve@example.com, last_name: Engel, company: Siemens,
           country: Germany, employees: "0050", score: 150, assigned_user: 005A}
    expect:
      p5:
        action: create_lead
        to_salesforce: {company: Siemens, NumberOfEmployees: 50, OwnerId: 005A}
        to_pardot: {}
        dropped: []

  - name: expectations that do not hold
    records:
      prospects:
        - {id: p1, email: ada@example.com, last_name: Lovelace, company: Acme,
           country: Deutschland, score: 120, assigned_user: 005A}
        - {id: p2, email: dee@example.com, score: 10}
    expect:
      p1:
        action: create_lead
        stages: [MQL, SQL]
        to_salesforce: {Country: Germany}
        dropped: [{field: Country, code: STRING_TOO_LONG}]
      p2:
        target: {object: contact, id: 00Q1}
        matched_by: crm_id
        reason: gated
        to_salesforce: {}
        to_pardot: {region: NAMER}
      p9: {action: skip}
"""
)


def test_pass_and_fail_text_report(project: Write, golden) -> None:  # type: ignore[no-untyped-def]
    project("tests/mixed_test.yaml", MIXED)
    run = run_tests(["tests"], None)
    assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED, Status.FAILED]
    assert (run.passed, run.failed) == (2, 1)
    golden(GOLDENS / "mixed.txt", render_text(run))


def test_the_last_line_counts_passed_and_failed(project: Write) -> None:
    project("tests/mixed_test.yaml", MIXED)
    assert render_text(run_tests(["tests"], None)).splitlines()[-1] == "2 passed, 1 failed"


def test_records_that_do_not_fit_are_that_tests_error(project: Write, golden) -> None:  # type: ignore[no-untyped-def]
    project(
        "tests/records_test.yaml",
        """\
        rules: ../rules
        tests:
          - name: a score that is not a number
            records:
              prospects:
                - id: p1
                  email: a@example.com
                  score: lots
            expect: {p1: {action: skip}}
          - name: two prospects with one id
            records:
              prospects:
                - {id: p1}
                - {id: p1}
            expect: {p1: {action: skip}}
          - name: a list that is no list of a record set
            records:
              prospect: []
            expect: {p1: {action: skip}}
          - name: the other tests still run
            records:
              prospects: [{id: p1, score: 10}]
            expect: {p1: {action: skip, reason: gated}}
        """,
    )
    run = run_tests(["tests/records_test.yaml"], None)
    assert [r.status for r in run.results] == [Status.ERROR] * 3 + [Status.PASSED]
    # the records loader's messages, about the lines of the test file
    assert [r.error for r in run.results[:3]] == [
        'tests/records_test.yaml:8: record p1, field score: "lots" is not a number '
        "(prospect.score is declared number)",
        "tests/records_test.yaml:14: record p1, field id: records #1 (line 13) and #2 (line 14) "
        "in prospects have the same id",
        'tests/records_test.yaml:18: unknown object "prospect" (a record set holds the lists '
        "users, prospects, leads, contacts, accounts, campaigns, campaign_members, "
        "personalization_users, personalization_accounts, pardot_campaigns, queues, "
        "field_history)",
    ]
    assert render_text(run).splitlines()[-1] == "1 passed, 3 failed"
    golden(GOLDENS / "errors.txt", render_text(run))


def test_a_tests_lists_replace_the_files_lists_of_the_same_name(project: Write) -> None:
    project(
        "tests/base_test.yaml",
        """\
        rules: ../rules
        records:
          users:
            - {Id: 005A, Name: Dana Direct, groups: [Direct Sales]}
          leads:
            - {Id: 00Q1, Email: dee@example.com, LastName: Diaz, Company: Globex, OwnerId: 005A}
        tests:
          - name: the file's users and leads
            records:
              prospects: [{id: p1, email: dee@example.com}]
            expect: {p1: {action: update, target: {id: 00Q1}}}
          - name: the owner is no longer in Direct Sales
            records:
              users: [{Id: 005A, Name: Dana Direct, groups: [Channel]}]
              prospects: [{id: p1, email: dee@example.com, crm_lead_fid: 00Q1}]
            expect: {p1: {action: skip, reason: not_shared}}
          - name: no leads at all
            records:
              leads: []
              prospects: [{id: p1, email: dee@example.com, score: 150, last_name: D, company: G}]
            expect: {p1: {action: create_lead}}
        """,
    )
    run = run_tests(["tests"], None)
    assert [r.status for r in run.results] == [Status.PASSED] * 3


def test_records_from_a_path_relative_to_the_test_file(project: Write) -> None:
    project("tests/data/records.yaml", USERS.replace("  users:", "users:").replace("\n  ", "\n"))
    project(
        "tests/data/prospects/prospects.csv",
        "id,email,score,last_name,company,assigned_user\np1,ada@example.com,150,L,A,005A\n",
    )
    project(
        "tests/path_test.yaml",
        """\
        rules: ../rules
        records: data/records.yaml
        tests:
          - name: a directory of CSV files over the file's records
            records: data/prospects
            expect: {p1: {action: error, rule: Country_Required}}
        """,
    )
    run = run_tests(["tests"], None)
    assert [r.status for r in run.results] == [Status.PASSED]


STAMPED = """\
rules: ../rules
now: 2026-11-23T12:00:00Z
records:
  prospects: [{id: p1, last_seen: 2026-11-01}]
tests:
  - name: the file's clock
    expect: {p1: {stages: [Recent]}}
  - name: a test's own clock
    now: 2027-01-15T00:00:00Z
    expect: {p1: {stages: []}}
"""


def test_now_sets_today(project: Write) -> None:
    project("tests/clock_test.yaml", STAMPED)
    run = run_tests(["tests"], None)
    assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED]


def test_without_now_the_runs_clock(project: Write) -> None:
    project("tests/clock_test.yaml", STAMPED.replace("now: 2026-11-23T12:00:00Z\n", ""))
    early = run_tests(["tests"], None, now=NOW)
    assert [r.status for r in early.results] == [Status.PASSED, Status.PASSED]


def test_command_line_rules_serve_files_without_rules(project: Write) -> None:
    project("other/empty.sync", "object prospect { score: number }\n")
    project("tests/a_test.yaml", STAMPED.replace("rules: ../rules\n", ""))
    project("tests/b_test.yaml", STAMPED.replace("rules: ../rules\n", "rules: ../other\n"))
    run = run_tests(["tests"], ["rules"])
    # a_test uses --rules; b_test's own rules (no Recent stage) win over them
    assert [(r.test.file, r.status) for r in run.results] == [
        ("tests/a_test.yaml", Status.PASSED),
        ("tests/a_test.yaml", Status.PASSED),
        ("tests/b_test.yaml", Status.FAILED),
        ("tests/b_test.yaml", Status.PASSED),
    ]
    assert [rs.rules for rs in run.coverage.rule_sets] == [("rules",), ("other",)]


def test_no_rules_at_all_cannot_run(project: Write) -> None:
    project("tests/a_test.yaml", STAMPED.replace("rules: ../rules\n", ""))
    with pytest.raises(InputError) as caught:
        run_tests(["tests"], None)
    assert str(caught.value) == (
        'tests/a_test.yaml: no rules to test: add "rules: <path>" to the file or pass --rules'
    )


def test_rules_with_errors_cannot_run(project: Write) -> None:
    project("bad/bad.sync", "stage MQL when scor >= 100\n")
    project("tests/a_test.yaml", STAMPED.replace("rules: ../rules\n", "rules: ../bad\n"))
    with pytest.raises(InvalidRules) as caught:
        run_tests(["tests"], None)
    assert str(caught.value).startswith(
        "tests/a_test.yaml: the rules it tests have errors (first: bad/bad.sync:1:16: SR"
    )
    assert caught.value.rules.has_errors


def test_a_formula_error_fails_the_test(project: Write, golden) -> None:  # type: ignore[no-untyped-def]
    project(
        "formula/f.sync",
        "object prospect { employees: text(20) }\nstage Big when VALUE(employees) > 5\n",
    )
    project(
        "tests/f_test.yaml",
        """\
        rules: ../formula
        records:
          prospects: [{id: p1, employees: lots}, {id: p2, employees: "9"}]
        tests:
          - name: the expectation holds but the formula failed
            expect: {p1: {action: skip, stages: []}}
          - name: a prospect no expectation names
            expect: {p2: {stages: [Big]}}
        """,
    )
    run = run_tests(["tests"], None)
    assert [r.status for r in run.results] == [Status.FAILED, Status.PASSED]
    golden(GOLDENS / "formula.txt", render_text(run))


@pytest.mark.parametrize(
    ("expected", "actual", "holds"),
    [
        (Scalar("02134"), "02134", True),
        (Scalar(2134, "02134"), "02134", True),  # `PostalCode: 02134`, a text field
        (Scalar(2134, "2134"), "02134", False),
        (Scalar(50, "50"), 50, True),
        (Scalar(50, "50"), 50.0, True),
        (Scalar("50"), 50, False),  # text never equals a number
        (Scalar(True, "true"), True, True),
        (Scalar(1, "1"), True, False),  # a number never equals a boolean
        (Scalar(True, "true"), "true", True),  # a plain `true` equals the text "true"
        (Scalar(None), ABSENT, True),
        (Scalar(None), None, True),
        (Scalar(None), "", False),
        (Scalar(""), ABSENT, False),
        (Scalar("2026-11-01", "2026-11-01"), "2026-11-01", True),
    ],
)
def test_how_values_compare(expected: Scalar, actual: object, holds: bool) -> None:
    assert same(expected, actual) is holds


def test_unreadable_test_path(project: Write) -> None:
    with pytest.raises(InputError) as caught:
        run_tests(["tests/none_test.yaml"], None)
    assert str(caught.value) == "tests/none_test.yaml: no such file or directory"
