"""JUnit XML: parsed back, one testsuite per test file, one testcase per test, a failure
or error element holding the text report's differences."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from engine.ruletest import render_junit_xml, run_tests
from tests.ruletest.conftest import Write

PASSING = """\
rules: ../rules
records:
  prospects: [{id: p1, score: 10}]
tests:
  - name: gated
    expect: {p1: {action: skip, reason: gated}}
  - name: wrongly expected to update
    expect: {p1: {action: update}}
"""

BROKEN_RECORDS = """\
rules: ../rules
tests:
  - name: bad records
    records:
      prospects: [{id: p1, score: lots}]
    expect: {p1: {action: skip}}
"""


def test_junit_xml_structure(project: Write) -> None:
    project("tests/a_test.yaml", PASSING)
    project("tests/b_test.yaml", BROKEN_RECORDS)
    xml = render_junit_xml(run_tests(["tests"], None))
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n<testsuites ')
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("name", "tests", "failures", "errors", "skipped")} == {
        "name": "syncrules",
        "tests": "3",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
    }
    suites = root.findall("testsuite")
    assert [
        (s.get("name"), s.get("tests"), s.get("failures"), s.get("errors")) for s in suites
    ] == [
        ("tests/a_test.yaml", "2", "1", "0"),
        ("tests/b_test.yaml", "1", "0", "1"),
    ]
    cases = [
        (c.get("classname"), c.get("name"), c.get("file"), c.get("line"))
        for c in root.iter("testcase")
    ]
    assert cases == [
        ("tests/a_test.yaml", "gated", "tests/a_test.yaml", "5"),
        ("tests/a_test.yaml", "wrongly expected to update", "tests/a_test.yaml", "7"),
        ("tests/b_test.yaml", "bad records", "tests/b_test.yaml", "3"),
    ]
    passed, failed, errored = root.iter("testcase")
    assert list(passed) == []
    [failure] = list(failed)
    assert (failure.tag, failure.get("message"), failure.get("type")) == (
        "failure",
        "p1: action differs",
        "expectation",
    )
    assert failure.text == (
        "tests/a_test.yaml:8: p1: action\n"
        '  expected: "update"\n'
        '  actual:   "skip"\n'
        "    reason: gated\n"
    )
    [error] = list(errored)
    message = (
        'tests/b_test.yaml:5: record p1, field score: "lots" is not a number '
        "(prospect.score is declared number)"
    )
    assert (error.tag, error.get("message"), error.text) == ("error", message, message + "\n")
    for element in (root, *suites, *root.iter("testcase")):
        assert float(element.get("time", "x")) >= 0
