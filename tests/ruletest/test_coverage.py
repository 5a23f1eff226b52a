"""Coverage: which stages, mappings, validation rules and sharing rules the tests
exercised, by the definitions of docs/rule-tests.md."""

from __future__ import annotations

from engine.ruletest import render_coverage, render_text, run_tests
from engine.ruletest.coverage import Item, Kind
from tests.ruletest.conftest import GOLDENS, USERS, Write

TESTS = (
    """\
rules: ../rules
now: 2026-11-23T12:00:00Z
records:
"""
    + USERS
    + """\
  leads:
    - {Id: 00Q9, Email: hid@example.com, LastName: Hidden, Company: Umbrella, OwnerId: 005C}
tests:
  - name: a created lead
    records:
      prospects:
        - {id: p1, email: ada@example.com, last_name: Lovelace, company: Acme,
           country: Canada, score: 120, assigned_user: 005A, last_seen: 2026-11-20}
        # not named by expect: what happens to it counts for nothing
        - {id: p2, email: bob@example.com, last_name: Brown, company: Initech,
           employees: lots, score: 120, assigned_user: 005A}
    expect:
      p1: {action: create_lead}
  - name: a hidden lead
    records:
      prospects:
        - {id: p3, email: hid@example.com, crm_lead_fid: 00Q9}
    expect:
      p3: {action: skip, reason: not_shared}
"""
)


def test_what_counts_as_exercised(project: Write) -> None:
    project("tests/cov_test.yaml", TESTS)
    run = run_tests(["tests"], None)
    assert run.failed == 0
    [rule_set] = run.coverage.rule_sets
    assert rule_set.rules == ("rules",)
    assert rule_set.items == (
        # p1 is an MQL, seen in the last 30 days
        Item(Kind.STAGE, "MQL", "rules/mql.sync:40", True),
        Item(Kind.STAGE, "Recent", "rules/mql.sync:41", True),
        # p1's created lead writes Email, LastName, Company, Country; p2's dropped
        # NumberOfEmployees does not count (no expectation names p2)
        Item(Kind.MAPPING, "email", "rules/mql.sync:30", True),
        Item(Kind.MAPPING, "last_name", "rules/mql.sync:31", True),
        Item(Kind.MAPPING, "company", "rules/mql.sync:32", True),
        Item(Kind.MAPPING, "country", "rules/mql.sync:33", True),
        Item(Kind.MAPPING, "employees", "rules/mql.sync:34", False),
        Item(Kind.MAPPING, "region", "rules/mql.sync:35", False),
        Item(Kind.MAPPING, "score", "rules/mql.sync:36", False, counted=False),
        Item(Kind.VALIDATION, "Country_Required", "rules/mql.sync:44", False),
        Item(Kind.VALIDATION, "No_Test_Leads", "rules/mql.sync:50", False, counted=False),
        # p3's CRM id names a lead the share rule hides
        Item(Kind.SHARE, "lead", "rules/mql.sync:38", True),
    )


def test_coverage_report(project: Write, golden) -> None:  # type: ignore[no-untyped-def]
    project("tests/cov_test.yaml", TESTS)
    run = run_tests(["tests"], None)
    golden(GOLDENS / "coverage.txt", render_coverage(run.coverage))


def test_coverage_goes_before_the_summary_line(project: Write) -> None:
    project("tests/cov_test.yaml", TESTS)
    run = run_tests(["tests"], None)
    lines = render_text(run, with_coverage=True).splitlines()
    assert lines[-1] == "2 passed, 0 failed"
    start = lines.index("rule coverage of rules")
    assert "\n".join(lines[start:-2]) + "\n" == render_coverage(run.coverage)


def test_a_validation_rule_that_fires_and_a_matched_record(project: Write) -> None:
    project(
        "tests/fire_test.yaml",
        """\
        rules: ../rules
        records:
          users: [{Id: 005A, groups: [Direct Sales]}]
          leads: [{Id: 00Q1, Email: dee@example.com, LastName: D, Company: G, OwnerId: 005A}]
          prospects:
            - {id: p1, email: ada@example.com, last_name: L, company: A, score: 150,
               assigned_user: 005A}
            - {id: p2, email: dee@example.com, region: EMEA}
        tests:
          - name: Country_Required fires
            expect: {p1: {rule: Country_Required}}
          - name: a matched lead shows the share rule at work
            expect: {p2: {action: update, to_pardot: {region: ""}}}
        """,
    )
    run = run_tests(["tests"], None)
    assert run.failed == 0
    hit = {(i.kind, i.name): i.exercised for i in run.coverage.rule_sets[0].items}
    assert hit[(Kind.VALIDATION, "Country_Required")] is True
    assert hit[(Kind.SHARE, "lead")] is True
    # region is salesforce_always: the blank Salesforce value is written to the prospect
    assert hit[(Kind.MAPPING, "region")] is True


def test_a_stage_an_expectation_names_counts_even_when_the_test_fails(project: Write) -> None:
    project(
        "tests/named_test.yaml",
        """\
        rules: ../rules
        records:
          prospects: [{id: p1, score: 10}]
        tests:
          - name: expects a stage the prospect does not reach
            expect: {p1: {stages: [Recent]}}
        """,
    )
    run = run_tests(["tests"], None)
    assert run.failed == 1
    hit = {(i.kind, i.name): i.exercised for i in run.coverage.rule_sets[0].items}
    assert (hit[(Kind.STAGE, "MQL")], hit[(Kind.STAGE, "Recent")]) == (False, True)
