"""Rule tests: YAML files that say what a dry run must do to chosen prospects, run the way
`opa test` runs policy tests (docs/rule-tests.md).

    from engine import ruletest
    run = ruletest.run_tests(["samples/acme/tests"], None)
    print(ruletest.render_text(run), end="")       # ends with "N passed, N failed"
    print(ruletest.render_coverage(run.coverage), end="")
    exit_code = 1 if run.failed else 0
"""

from __future__ import annotations

from engine.ruletest.compare import Mismatch
from engine.ruletest.coverage import Coverage, Item, RuleSetCoverage
from engine.ruletest.load import NoTests, find_test_files, holds_tests, load_test_file
from engine.ruletest.model import RuleTest, TestFile
from engine.ruletest.report import coverage as render_coverage
from engine.ruletest.report import junit_xml as render_junit_xml
from engine.ruletest.report import text as render_text
from engine.ruletest.runner import InvalidRules, Status, TestResult, TestRun, run_tests

__all__ = [
    "Coverage",
    "InvalidRules",
    "Item",
    "Mismatch",
    "NoTests",
    "RuleSetCoverage",
    "RuleTest",
    "Status",
    "TestFile",
    "TestResult",
    "TestRun",
    "find_test_files",
    "holds_tests",
    "load_test_file",
    "render_coverage",
    "render_junit_xml",
    "render_text",
    "run_tests",
]
