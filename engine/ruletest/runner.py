"""Run rule tests: each test's records through one dry-run cycle, then its expectations.

A test file that cannot be read, rules that cannot be checked or have errors, and paths
that do not exist stop the run (`InputError`, exit 2) before any test runs. A test whose
records do not fit the rules is that test's ERROR; the other tests still run.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine import api
from engine.check.model import CheckedRules
from engine.deep import call_deep
from engine.files import InputError
from engine.plan import Plan
from engine.records.load import load_records_text
from engine.records.model import RecordSet
from engine.render import plan_json
from engine.ruletest.compare import Mismatch, compare
from engine.ruletest.coverage import Coverage, Touched, measure, touched
from engine.ruletest.load import find_test_files, load_test_file
from engine.ruletest.model import InlineRecords, RecordsPath, RecordsRef, RuleTest, TestFile


class Status(StrEnum):
    PASSED = "PASSED"
    FAILED = "FAILED"  # an expectation does not hold, or a formula failed
    ERROR = "ERROR"  # the test could not run: its records do not fit the rules


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test's verdict, what differed, and how long it took."""

    __test__ = False  # not a pytest test class

    test: RuleTest
    status: Status
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None  # the message of an ERROR
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class TestRun:
    """Every test's result in file order, and the rule coverage of the run."""

    __test__ = False  # not a pytest test class

    results: tuple[TestResult, ...]
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def passed(self) -> int:
        return sum(r.status is Status.PASSED for r in self.results)

    @property
    def failed(self) -> int:
        """Tests that did not pass: FAILED and ERROR alike (exit 1 when any)."""
        return len(self.results) - self.passed

    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.test.file for r in self.results))


class InvalidRules(InputError):
    """The rules a test file names have check errors; `rules` holds every diagnostic, so a
    caller can show them all (the message names the first)."""

    def __init__(self, message: str, rules: CheckedRules) -> None:
        super().__init__(message)
        self.rules = rules


def run_tests(
    test_paths: Sequence[str], rule_paths: Sequence[str] | None, *, now: dt.datetime | None = None
) -> TestRun:
    """Run every test found below `test_paths` against its rules: the test file's `rules`,
    else `rule_paths`. `now` is the default clock of tests that set none (default: the
    current time, read once for the whole run)."""
    files = [load_test_file(path) for path in find_test_files(test_paths)]
    rule_sets = _RuleSets(tuple(rule_paths or ()))
    plans = [(file, rule_sets.checked(file)) for file in files]  # every rule set before any test
    clock = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    loaded = _Records()
    results: list[TestResult] = []
    hits: dict[tuple[str, ...], list[Touched]] = {}
    for file, (paths, rules) in plans:
        covered = hits.setdefault(paths, [])
        for test in file.tests:
            result, hit = run_test(test, rules, clock, loaded)
            results.append(result)
            if hit is not None:
                covered.append(hit)
    coverage = Coverage(tuple(measure(rule_sets.cache[p], p, hit) for p, hit in hits.items()))
    return TestRun(tuple(results), coverage)


@dataclass(slots=True)
class _RuleSets:
    """Each rule set checked once, however many test files name it."""

    default: tuple[str, ...]
    cache: dict[tuple[str, ...], CheckedRules] = field(default_factory=dict)

    def checked(self, file: TestFile) -> tuple[tuple[str, ...], CheckedRules]:
        paths = file.rules or self.default
        if not paths:
            raise InputError(
                f'{file.path}: no rules to test: add "rules: <path>" to the file or pass --rules'
            )
        if paths not in self.cache:
            rules = api.check(list(paths))
            if rules.has_errors:
                first = next(d for d in rules.diagnostics if d.severity == "error")
                raise InvalidRules(
                    f"{file.path}: the rules it tests have errors (first: {first.span.path}:"
                    f"{first.span.line}:{first.span.col}: {first.code} {first.name}: "
                    f"{first.message})",
                    rules,
                )
            self.cache[paths] = rules
        return paths, self.cache[paths]


def run_test(
    test: RuleTest, rules: CheckedRules, now: dt.datetime, loaded: _Records | None = None
) -> tuple[TestResult, Touched | None]:
    """One test: its verdict, and what it exercised (None when it could not run)."""
    started = time.perf_counter()
    try:
        records = (loaded or _Records()).of(test, rules)
    except InputError as error:
        return TestResult(
            test, Status.ERROR, error=str(error), seconds=time.perf_counter() - started
        ), None
    plan = api.dry_run(rules, records, now=test.now or now)
    mismatches = _mismatches(test, plan)
    status = Status.FAILED if mismatches else Status.PASSED
    result = TestResult(test, status, tuple(mismatches), seconds=time.perf_counter() - started)
    return result, touched(plan.outcomes, test.expect, records)


def _mismatches(test: RuleTest, plan: Plan) -> list[Mismatch]:
    """Every expectation that does not hold, then every formula that failed: a formula
    failure never passes silently (SPEC §1), even where no expectation looks."""
    data = plan_json.as_dict(plan)
    entries = {entry["prospect"]: entry for entry in data["records"]}
    found: list[Mismatch] = []
    for expectation in test.expect:
        entry = entries.get(expectation.prospect)
        found.extend(compare(expectation, entry))
        found.extend(
            Mismatch(
                expectation.prospect, "formula_errors", expectation.line, note=_formula_error(p)
            )
            for p in (entry or {}).get("formula_errors", [])
        )
    found.extend(
        Mismatch(None, "formula_errors", test.line, note=_formula_error(p))
        for p in data.get("formula_errors", [])
    )
    return found


def _formula_error(problem: dict[str, Any]) -> str:
    rule, record = problem["rule"], problem["record"]
    return (
        f"formula error: {rule} failed for {record}: {problem['message']} ({problem['location']})"
    )


# -- records ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Records:
    """Record sets typed by one rule set, each read once per run (a cycle works on a copy,
    so tests can share them)."""

    cache: dict[tuple[int, RecordsRef], RecordSet] = field(default_factory=dict)

    def of(self, test: RuleTest, rules: CheckedRules) -> RecordSet:
        """The test's own lists over the file-level record set's (docs/rule-tests.md)."""
        own = self.load(test.records, test.file, rules) if test.records else None
        base = self.load(test.base, test.file, rules) if test.base else None
        if own is None:
            assert base is not None  # the loader insists on one of them
            return base
        if base is None:
            return own
        assert test.records is not None
        given = _lists_given(test.records, own)
        return RecordSet(base.lists | {name: own.lists[name] for name in given}, own.layout)

    def load(self, ref: RecordsRef, test_file: str, rules: CheckedRules) -> RecordSet:
        key = (id(rules), ref)
        if key not in self.cache:
            if isinstance(ref, RecordsPath):
                self.cache[key] = api.load_records(ref.path, rules)
            else:
                self.cache[key] = load_inline(ref, test_file, rules)
        return self.cache[key]


def _lists_given(ref: RecordsRef, records: RecordSet) -> tuple[str, ...]:
    if isinstance(ref, InlineRecords):
        return ref.lists
    return tuple(records.layout.files)  # the lists the file or directory held


def load_inline(inline: InlineRecords, test_file: str, rules: CheckedRules) -> RecordSet:
    """An inline record set, typed by the rules; errors name the test file's lines.

    The records are read by the same loader as any record set (so they are typed and
    validated alike) from `inline.text`, one record per line; a message's line in that
    text is mapped back to the test file through `inline.origins`."""
    path = "<inline records>"
    try:
        return call_deep(lambda: load_records_text(inline.text, path, rules))
    except InputError as error:
        raise InputError(_relocate(str(error), path, test_file, inline)) from None


_FIELD = re.compile(r"record [^\n]*?, field ([^:\n]+): ")
_LINE_NOTE = re.compile(r"\(line (\d+)\)")


def _relocate(message: str, path: str, test_file: str, inline: InlineRecords) -> str:
    """A records-loader message about the temporary file, about the test file instead."""
    located = re.match(re.escape(path) + r"(?::(\d+))?(?::\d+)?: ", message)
    if located is None:
        return message.replace(path, test_file)
    rest = message[located.end() :]

    def origin_line(temp_line: str | None, key: str | None = None) -> int:
        index = int(temp_line) - 1 if temp_line else -1
        if not 0 <= index < len(inline.origins):
            return inline.line
        origin = inline.origins[index]
        return origin.key_line(key) if key else origin.line

    field_named = _FIELD.match(rest)
    line = origin_line(located.group(1), field_named.group(1) if field_named else None)
    rest = _LINE_NOTE.sub(lambda m: f"(line {origin_line(m.group(1))})", rest)
    return f"{test_file}:{line}: {rest.replace(path, test_file)}"
