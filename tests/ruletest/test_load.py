"""Reading test files: the model a good file becomes, finding files, and every mistake in
a test file as one located message (docs/rule-tests.md, "Mistakes in test files")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.files import InputError
from engine.ruletest import find_test_files, load_test_file
from engine.ruletest.model import (
    Check,
    DroppedCheck,
    FieldCheck,
    InlineRecords,
    Key,
    LineOrigin,
    ProspectExpectation,
    RecordsPath,
    Scalar,
)
from tests.ruletest.conftest import NOW, Write

GOOD = """\
rules: [../rules/mql.sync]
now: 2026-11-23T12:00:00Z
records: ../data/base.yaml
tests:
  - name: every key
    now: 2026-12-01
    records:
      prospects:
        - {id: p1, email: a@example.com}
    expect:
      p1:
        action: create_lead
        reason: null
        target: {object: lead, id: 00Q1}
        matched_by: email
        stages: [MQL]
        to_salesforce: {Company: Acme, NumberOfEmployees: 50, PostalCode: 02134}
        to_pardot: {region: EMEA, interests: [Email, Webinars]}
        dropped: [{field: Country, code: INVALID_PICKLIST_VALUE, value: Deutschland}, {field: X}]
        error_code: DUPLICATES_DETECTED
        rule: lead by Email
        message: Use one of these records?
      "0042":
  - name: the file's records only
    expect: {p2: {action: skip}}
"""


def test_a_good_file_becomes_its_model(project: Write) -> None:
    project("data/base.yaml", "prospects: []\n")
    project("tests/all_test.yaml", GOOD)
    loaded = load_test_file("tests/all_test.yaml")
    assert (loaded.path, loaded.rules, loaded.rules_line) == (
        "tests/all_test.yaml",
        ("rules/mql.sync",),
        1,
    )
    first, second = loaded.tests
    assert (first.name, first.line, first.id) == (
        "every key",
        5,
        "tests/all_test.yaml::every key",
    )
    assert first.now == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert second.now == NOW
    assert first.base == second.base == RecordsPath("data/base.yaml", 3)
    assert second.records is None
    assert first.records == InlineRecords(
        text="prospects:\n- {id: p1, email: a@example.com}\n",
        origins=(LineOrigin(8), LineOrigin(9, (("id", 9), ("email", 9)))),
        lists=("prospects",),
        line=8,
    )
    p1, p42 = first.expect
    assert p42 == ProspectExpectation("0042", (), 23)
    assert p1 == ProspectExpectation(
        "p1",
        (
            Check(Key.ACTION, Scalar("create_lead"), 12),
            Check(Key.REASON, Scalar(None, None), 13),
            Check(
                Key.TARGET,
                (FieldCheck("object", Scalar("lead"), 14), FieldCheck("id", Scalar("00Q1"), 14)),
                14,
            ),
            Check(Key.MATCHED_BY, Scalar("email"), 15),
            Check(Key.STAGES, ("MQL",), 16),
            Check(
                Key.TO_SALESFORCE,
                (
                    FieldCheck("Company", Scalar("Acme"), 17),
                    FieldCheck("NumberOfEmployees", Scalar(50, "50"), 17),
                    FieldCheck("PostalCode", Scalar(2134, "02134"), 17),
                ),
                17,
            ),
            Check(
                Key.TO_PARDOT,
                (
                    FieldCheck("region", Scalar("EMEA"), 18),
                    FieldCheck("interests", Scalar("Email;Webinars"), 18),
                ),
                18,
            ),
            Check(
                Key.DROPPED,
                (
                    DroppedCheck("Country", "INVALID_PICKLIST_VALUE", Scalar("Deutschland"), 19),
                    DroppedCheck("X", None, None, 19),
                ),
                19,
            ),
            Check(Key.ERROR_CODE, Scalar("DUPLICATES_DETECTED"), 20),
            Check(Key.RULE, Scalar("lead by Email"), 21),
            Check(Key.MESSAGE, Scalar("Use one of these records?"), 22),
        ),
        11,
    )


def test_inline_records_keep_text_aliases_and_merge_keys(project: Write) -> None:
    project(
        "tests/alias_test.yaml",
        """\
        rules: ../rules
        tests:
          - name: first
            records:
              prospects: &people
                - &ada {id: p1, zip: 02134, note: "two\\nlines"}
            expect: {p1: {action: skip}}
          - name: second
            records:
              prospects: *people
              leads:
                - {<<: *ada, Id: 00Q1}
            expect: {p1: {action: skip}}
        """,
    )
    first, second = load_test_file("tests/alias_test.yaml").tests
    assert isinstance(first.records, InlineRecords)
    assert isinstance(second.records, InlineRecords)
    assert first.records.text == 'prospects:\n- {id: p1, zip: 02134, note: "two\\nlines"}\n'
    # the alias and the merge key come out as YAML the records loader reads back as written
    assert second.records.text == (
        'prospects:\n- &id001 {id: p1, zip: 02134, note: "two\\nlines"}\n'
        "leads:\n- {<<: *id001, Id: 00Q1}\n"
    )
    # each line of the text points back at the line the record was written on
    assert [o.line for o in second.records.origins] == [10, 6, 11, 12]


def test_x_keys_hold_anchors_and_merge_keys_give_defaults(project: Write) -> None:
    project(
        "tests/merge_test.yaml",
        """\
        rules: ../rules
        x-gated: &gated {action: skip, reason: gated}
        tests:
          - name: merged
            records: {prospects: [{id: p1}]}
            expect:
              p1: {<<: *gated, reason: paused}
        """,
    )
    [test] = load_test_file("tests/merge_test.yaml").tests
    assert test.expect == (
        ProspectExpectation(
            "p1",
            (Check(Key.ACTION, Scalar("skip"), 2), Check(Key.REASON, Scalar("paused"), 7)),
            7,
        ),
    )


def test_find_test_files_in_path_order(project: Write) -> None:
    for name in (
        "tests/b.test.yaml",
        "tests/a_test.yaml",
        "tests/sub/c_test.yml",
        "tests/notes.yaml",
        "tests/.venv/lib/x_test.yaml",
        "tests/node_modules/y_test.yaml",
    ):
        project(name, "tests: []\n")
    project("other/explicit.yaml", "tests: []\n")
    found = find_test_files(["tests", "other/explicit.yaml", "tests/a_test.yaml"])
    assert found == [
        "tests/a_test.yaml",
        "tests/b.test.yaml",
        "tests/sub/c_test.yml",
        "other/explicit.yaml",
    ]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["nowhere"], "nowhere: no such file or directory"),
        (["rules"], "rules: no test files (*_test.yaml or *.test.yaml) below this directory"),
    ],
)
def test_find_test_files_errors(project: Write, paths: list[str], message: str) -> None:
    with pytest.raises(InputError) as caught:
        find_test_files(paths)
    assert str(caught.value) == message


HEAD = "rules: rules\ntests:\n  - name: gated\n    records: {prospects: []}\n"

MISTAKES: dict[str, tuple[str, str]] = {
    "invalid YAML": (
        "tests:\n  - name: x\n    expect: {p1: {action: skip}\n",
        "t_test.yaml:4:1: invalid YAML: expected ',' or '}', but got '<stream end>'",
    ),
    "two documents": (
        "tests: []\n---\ntests: []\n",
        "t_test.yaml:2:1: invalid YAML: expected a single document in the stream, but found "
        "another document",
    ),
    "empty file": ("", 't_test.yaml:1: the file is empty: a test file needs a "tests" list'),
    "a list": (
        "- a\n",
        't_test.yaml:1: a test file: must be a mapping with "tests" (and optionally rules, now, '
        "records), not a list",
    ),
    "unknown top-level key": (
        "rules: rules\ntest: []\n",
        't_test.yaml:2: unknown key "test"; did you mean "tests"?',
    ),
    "no tests": ("rules: rules\n", 't_test.yaml:1: no "tests": a test file needs a list of tests'),
    "tests not a list": (
        "tests: {a: 1}\n",
        "t_test.yaml:1: tests: must be a list of tests, not a mapping",
    ),
    "no test in tests": ("tests: []\n", "t_test.yaml:1: tests: the list is empty: add a test"),
    "a test that is text": (
        "tests:\n  - just a name\n",
        "t_test.yaml:2: test #1: must be a mapping with name, records and expect, "
        'not "just a name"',
    ),
    "a test without a name": (
        "tests:\n  - records: {prospects: []}\n    expect: {p1: {action: skip}}\n",
        't_test.yaml:2: test #1: no "name": give the test a name',
    ),
    "a blank name": (
        "tests:\n  - name: ''\n",
        't_test.yaml:2: test #1, name: must be text, not ""',
    ),
    "two tests with one name": (
        HEAD
        + "    expect: {p1: {action: skip}}\n"
        + HEAD[HEAD.index("  - name") :]
        + "    expect: {p1: {action: skip}}\n",
        't_test.yaml:6: test "gated": the name is already used by the test at line 3',
    ),
    "unknown test key": (
        HEAD + "    expects: {p1: {action: skip}}\n",
        't_test.yaml:5: test "gated": unknown key "expects"; did you mean "expect"?',
    ),
    "no expect": (
        HEAD,
        't_test.yaml:3: test "gated": no "expect": say what should happen to at least one prospect',
    ),
    "no records": (
        "tests:\n  - name: gated\n    expect: {p1: {action: skip}}\n",
        't_test.yaml:2: test "gated": no "records": give the test a record set, or give the '
        "file one",
    ),
    "empty expect": (
        HEAD + "    expect: {}\n",
        't_test.yaml:5: test "gated", expect: is empty: say what should happen to at least one '
        "prospect",
    ),
    "an expectation that is text": (
        HEAD + "    expect:\n      p2: skip\n",
        't_test.yaml:6: test "gated", prospect p2: must be a mapping such as {action: skip, '
        'reason: gated}, not "skip"',
    ),
    "a prospect twice": (
        HEAD + "    expect:\n      p1: {action: skip}\n      p1: {action: update}\n",
        't_test.yaml:7: test "gated", expect: "p1" appears twice (first at line 6)',
    ),
    "a key that is not text": (
        HEAD + "    expect:\n      [p1]: {action: skip}\n",
        't_test.yaml:6: test "gated", expect: a key must be text',
    ),
    "unknown expectation key": (
        HEAD + "    expect:\n      p2: {actoin: skip}\n",
        't_test.yaml:6: test "gated", prospect p2: unknown key "actoin"; did you mean "action"?',
    ),
    "unknown action": (
        HEAD + "    expect:\n      p2: {action: created}\n",
        't_test.yaml:6: test "gated", prospect p2, action: "created" is not an action '
        "(create_lead, update, no_change, skip, error)",
    ),
    "unknown reason": (
        HEAD + "    expect:\n      p2: {reason: blocked}\n",
        't_test.yaml:6: test "gated", prospect p2, reason: "blocked" is not a skip reason '
        "(paused, crm_deleted, not_shared, gated)",
    ),
    "unknown match kind": (
        HEAD + "    expect:\n      p2: {matched_by: id}\n",
        't_test.yaml:6: test "gated", prospect p2, matched_by: "id" is not a match kind '
        "(crm_id, email)",
    ),
    "unknown error code": (
        HEAD + "    expect:\n      p2: {error_code: VALIDATION}\n",
        't_test.yaml:6: test "gated", prospect p2, error_code: "VALIDATION" is not an error code '
        "(INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY, REQUIRED_FIELD_MISSING, "
        "FIELD_CUSTOM_VALIDATION_EXCEPTION, DUPLICATES_DETECTED)",
    ),
    "stages as text": (
        HEAD + "    expect:\n      p2: {stages: MQL}\n",
        't_test.yaml:6: test "gated", prospect p2, stages: must be a list of stage names, '
        'not "MQL"',
    ),
    "writes as a list": (
        HEAD + "    expect:\n      p2: {to_salesforce: [Company]}\n",
        't_test.yaml:6: test "gated", prospect p2, to_salesforce: must be a mapping of fields to '
        "values, not a list",
    ),
    "a nested write value": (
        HEAD + "    expect:\n      p2: {to_pardot: {company: {name: Acme}}}\n",
        't_test.yaml:6: test "gated", prospect p2, to_pardot.company: must be a value (text, '
        "number, boolean, date or null), not a mapping",
    ),
    "unknown target key": (
        HEAD + "    expect:\n      p2: {target: {obj: lead}}\n",
        't_test.yaml:6: test "gated", prospect p2, target: unknown key "obj"; '
        'did you mean "object"?',
    ),
    "dropped without field": (
        HEAD + "    expect:\n      p2:\n        dropped: [{code: INVALID_TYPE}]\n",
        't_test.yaml:7: test "gated", prospect p2, dropped: a dropped entry needs "field"',
    ),
    "unknown drop code": (
        HEAD + "    expect:\n      p2:\n        dropped: [{field: X, code: TOO_LONG}]\n",
        't_test.yaml:7: test "gated", prospect p2, dropped.code: "TOO_LONG" is not a drop code '
        "(INVALID_TYPE, INVALID_PICKLIST_VALUE, INVALID_EMAIL_ADDRESS, STRING_TOO_LONG, "
        "NUMBER_OUTSIDE_VALID_RANGE)",
    ),
    "a file clock that is not a time": (
        "now: yesterday\n" + HEAD + "    expect: {p1: {action: skip}}\n",
        't_test.yaml:1: now: "yesterday" is not a date and time (an ISO 8601 date and time, '
        "e.g. 2026-11-23T12:00:00Z)",
    ),
    "a test clock that is a number": (
        HEAD + "    now: 12\n    expect: {p1: {action: skip}}\n",
        't_test.yaml:5: test "gated", now: "12" is not a date and time (an ISO 8601 date and '
        "time, e.g. 2026-11-23T12:00:00Z)",
    ),
    "rules that do not exist": (
        "rules: rulez\ntests: []\n",
        "t_test.yaml:1: rules: rulez: no such file or directory",
    ),
    "rules as a mapping": (
        "rules: {a: 1}\ntests: []\n",
        "t_test.yaml:1: rules: must be a rule file or directory, or a list of them, not a mapping",
    ),
    "an empty rules list": (
        "rules: []\ntests: []\n",
        "t_test.yaml:1: rules: the list is empty: name a rule file or directory, or leave rules "
        "out to use --rules",
    ),
    "a records path that does not exist": (
        "tests:\n  - name: a\n    records: data/none.yaml\n",
        't_test.yaml:3: test "a", records: data/none.yaml: no such file or directory',
    ),
    "records as a list": (
        "tests:\n  - name: a\n    records: [p1]\n",
        't_test.yaml:3: test "a", records: must be a record set (a mapping of lists: users, '
        "prospects, leads …) or a path to one, not a list",
    ),
    "empty records": (
        "tests:\n  - name: a\n    records: {}\n",
        't_test.yaml:3: test "a", records: the record set is empty',
    ),
    "a merge key on text": (
        HEAD + "    expect:\n      p2: {<<: skip}\n",
        't_test.yaml:6: test "gated", prospect p2: a merge key (<<) takes a mapping or a list '
        "of them",
    ),
    "a merge key twice": (
        HEAD + "    expect:\n      p2:\n        <<: {action: skip}\n        <<: {reason: gated}\n",
        't_test.yaml:8: test "gated", prospect p2: the merge key "<<" appears twice',
    ),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_each_mistake_is_one_located_message(project: Write, case: str) -> None:
    text, message = MISTAKES[case]
    (Path("t_test.yaml")).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_test_file("t_test.yaml")
    assert str(caught.value) == message


def test_a_file_that_is_not_utf8(project: Write) -> None:
    Path("t_test.yaml").write_bytes(b"tests: \xff\n")
    with pytest.raises(InputError) as caught:
        load_test_file("t_test.yaml")
    assert str(caught.value) == "t_test.yaml:1:8: not UTF-8 text: byte 0xff cannot be decoded"
