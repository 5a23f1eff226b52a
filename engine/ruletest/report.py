"""Pure renderers of a `TestRun`: pytest-like text, JUnit XML, and the coverage report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from engine.ruletest.compare import ABSENT, Mismatch
from engine.ruletest.coverage import KINDS, Coverage, Item, RuleSetCoverage
from engine.ruletest.runner import Status, TestResult, TestRun

# -- text ------------------------------------------------------------------------------------


def text(run: TestRun) -> str:
    """One line per test, then what differed in each failure, then `N passed, N failed`."""
    lines = [f"{r.test.id} {r.status}" for r in run.results]
    for result in run.results:
        if result.status is not Status.PASSED:
            lines += ["", f"___ {result.test.id} ___", *failure(result).splitlines()]
    lines += ["", summary(run)]
    return "\n".join(lines) + "\n"


def summary(run: TestRun) -> str:
    """The last line: `3 passed, 1 failed` (ERRORs count as failed)."""
    return f"{run.passed} passed, {run.failed} failed"


def failure(result: TestResult) -> str:
    """Why one test did not pass: each prospect's differing keys, expected vs actual."""
    test = result.test
    if result.status is Status.ERROR:
        return f"{test.file}:{test.line}: the test could not run: {result.error}\n"
    lines: list[str] = []
    heading: tuple[str | None, int] | None = None
    for mismatch in result.mismatches:
        if (mismatch.prospect, mismatch.line) != heading and not _same_prospect(heading, mismatch):
            who = mismatch.prospect if mismatch.prospect is not None else "the test"
            lines.append(f"{test.file}:{mismatch.line}: {who}")
            heading = (mismatch.prospect, mismatch.line)
        lines += _mismatch_lines(mismatch)
    return "\n".join(lines) + "\n"


def _same_prospect(heading: tuple[str | None, int] | None, mismatch: Mismatch) -> bool:
    """Field-level lines of one prospect share its heading (they carry their own lines)."""
    return heading is not None and heading[0] == mismatch.prospect and mismatch.prospect is not None


def _mismatch_lines(mismatch: Mismatch) -> list[str]:
    if mismatch.note is not None:
        return [f"  {mismatch.key}: {mismatch.note}"]
    return [
        f"  {mismatch.key}",
        f"    expected: {show(mismatch.expected)}",
        f"    actual:   {show(mismatch.actual)}",
    ]


def show(value: Any) -> str:
    """A value as JSON, so "" and null and 5 and "5" all look different."""
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False)


# -- JUnit XML ---------------------------------------------------------------------------------


def junit_xml(run: TestRun) -> str:
    """JUnit XML for CI: one testsuite per test file, one testcase per test; a FAILED test
    has a <failure>, an ERROR an <error>, each holding the text report's diff."""
    root = ET.Element("testsuites", name="syncrules", **_counts(run.results))
    for path in run.files():
        results = [r for r in run.results if r.test.file == path]
        suite = ET.SubElement(root, "testsuite", name=path, **_counts(results))
        for result in results:
            _testcase(suite, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _counts(results: list[TestResult] | tuple[TestResult, ...]) -> dict[str, str]:
    return {
        "tests": str(len(results)),
        "failures": str(sum(r.status is Status.FAILED for r in results)),
        "errors": str(sum(r.status is Status.ERROR for r in results)),
        "skipped": "0",
        "time": f"{sum(r.seconds for r in results):.3f}",
    }


def _testcase(suite: ET.Element, result: TestResult) -> None:
    test = result.test
    case = ET.SubElement(suite, "testcase", name=test.name, classname=test.file,
                         file=test.file, line=str(test.line), time=f"{result.seconds:.3f}")
    if result.status is Status.FAILED:
        first = result.mismatches[0]
        who = first.prospect if first.prospect is not None else "test"
        detail = ET.SubElement(case, "failure", message=f"{who}: {first.key} differs"
                               if first.note is None else f"{who}: {first.note}",
                               type="expectation")
        detail.text = failure(result)
    elif result.status is Status.ERROR:
        detail = ET.SubElement(case, "error", message=result.error or "", type="records")
        detail.text = failure(result)


# -- coverage ----------------------------------------------------------------------------------


def coverage(cov: Coverage) -> str:
    """Per rule set: exercised of counted, per kind; then every rule no test exercised."""
    blocks = [_rule_set(rs) for rs in cov.rule_sets]
    return "\n".join(blocks) if blocks else "rule coverage: no tests ran\n"


def _rule_set(rs: RuleSetCoverage) -> str:
    lines = [f"rule coverage of {', '.join(rs.rules)}"]
    for kind, plural in KINDS:
        hit, total = rs.tally(kind)
        row = f"  {plural:<17} {hit:>3} of {total:<3}"
        skipped = rs.not_counted(kind)
        if skipped:
            why = "sync: off" if kind.value == "mapping" else "inactive"
            row += f"  not counted ({why}): {', '.join(i.name for i in skipped)}"
        lines.append(row.rstrip())
    missed = rs.missed()
    if missed:
        lines.append("not exercised by any test:")
        width = max(len(_label(i)) for i in missed)
        lines += [f"  {_label(i):<{width}}  {i.location}" for i in missed]
    else:
        lines.append("every stage, mapping, validation rule and sharing rule was exercised")
    return "\n".join(lines) + "\n"


def _label(item: Item) -> str:
    return f"{item.kind} {item.name}"
