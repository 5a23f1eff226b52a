"""Pure renderers of a `TestRun`: pytest-like text, JUnit XML, and the coverage report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from engine.ruletest.compare import ABSENT
from engine.ruletest.coverage import KINDS, Coverage, Item, Kind, RuleSetCoverage
from engine.ruletest.runner import Status, TestResult, TestRun

# -- text ------------------------------------------------------------------------------------


def text(run: TestRun, *, with_coverage: bool = False) -> str:
    """One line per test, then what differed in each failure, then (when asked) the
    coverage report, and last `N passed, N failed`."""
    lines = [f"{r.test.id} {r.status}" for r in run.results]
    for result in run.results:
        if result.status is not Status.PASSED:
            lines += ["", f"___ {result.test.id} ___", *failure(result).splitlines()]
    if with_coverage:
        lines += ["", *coverage(run.coverage).splitlines()]
    lines += ["", summary(run)]
    return "\n".join(lines) + "\n"


def summary(run: TestRun) -> str:
    """The last line: `3 passed, 1 failed` (ERRORs count as failed)."""
    return f"{run.passed} passed, {run.failed} failed"


def failure(result: TestResult) -> str:
    """Why one test did not pass: one entry per differing key, each starting with the
    test file's line where it was expected, then expected vs actual."""
    test = result.test
    if result.status is Status.ERROR:
        return f"{result.error}\n"  # the records loader's message names file and line
    lines: list[str] = []
    for mismatch in result.mismatches:
        where = f"{test.file}:{mismatch.line}: "
        who = f"{mismatch.prospect}: " if mismatch.prospect is not None else ""
        if mismatch.note is not None:
            lines.append(f"{where}{who}{mismatch.note}")
            continue
        lines += [
            f"{where}{who}{mismatch.key}",
            f"  expected: {show(mismatch.expected)}",
            f"  actual:   {show(mismatch.actual)}",
            *(f"    {why}" for why in mismatch.why),
        ]
    return "\n".join(lines) + "\n"


def show(value: Any) -> str:
    """A value as JSON, so "" and null and 5 and "5" all look different."""
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False)


# -- JUnit XML ---------------------------------------------------------------------------------


def junit_xml(run: TestRun) -> str:
    """JUnit XML for CI: one testsuite per test file, one testcase per test; a FAILED test
    has a <failure>, an ERROR an <error>, each holding the text report's diff."""
    root = ET.Element("testsuites", {"name": "syncrules", **_counts(run.results)})
    for path in run.files():
        results = [r for r in run.results if r.test.file == path]
        suite = ET.SubElement(root, "testsuite", {"name": path, **_counts(results)})
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
    case = ET.SubElement(
        suite,
        "testcase",
        name=test.name,
        classname=test.file,
        file=test.file,
        line=str(test.line),
        time=f"{result.seconds:.3f}",
    )
    if result.status is Status.FAILED:
        first = result.mismatches[0]
        who = f"{first.prospect}: " if first.prospect is not None else ""
        what = f"{first.key} differs" if first.note is None else first.note
        detail = ET.SubElement(case, "failure", message=f"{who}{what}", type="expectation")
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
            why = "sync: off" if kind is Kind.MAPPING else "inactive"
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
