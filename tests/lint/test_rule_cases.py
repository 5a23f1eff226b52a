"""Every lint rule against its case file: `tests/lint/cases/<rule-name>.sync` marks each
expected finding with `# expect: <rule-name>` on the line the finding points at; the set
of (line, rule) pairs the linter reports for that rule must equal the marked set. A case
file may also hold lines that must NOT trigger (no mark) and suppressed lines
(`# syncrules: ignore[<rule-name>]`), which must not be reported either.

A data-aware rule (one that runs only with `lint --records`) is linted with the record set
`<rule-name>.records.yaml` beside its case file, as `lint --records` would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api
from engine.lint.registry import load_rules

CASES = Path(__file__).parent / "cases"
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)")


def _expected(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            found |= {(number, name.strip()) for name in match.group(1).split(",")}
    return found


RULE_NAMES = sorted(r.code.name for r in load_rules())
DATA_AWARE = {r.code.name for r in load_rules() if r.data_aware}


@pytest.mark.parametrize("name", RULE_NAMES)
def test_every_rule_has_a_case_file_with_a_finding(name: str) -> None:
    case = CASES / f"{name}.sync"
    assert case.is_file()
    # a case that expects nothing would pass for a rule that never fires
    assert name in {rule for _, rule in _expected(case)}
    # data-aware rules only run with records: without them the case could not fire
    assert (CASES / f"{name}.records.yaml").is_file() == (name in DATA_AWARE)


@pytest.mark.parametrize("case", sorted(CASES.glob("*.sync")), ids=lambda p: p.stem)
def test_rule_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    rules = api.check([case.name])
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records_file = case.with_suffix(".records.yaml")
    records = api.load_records(records_file.name, rules) if records_file.is_file() else None
    # only this rule (and unused ignores): a case file tests one rule, so other rules'
    # findings in it are not this test's business
    found = {
        (d.span.line, d.name)
        for d in api.lint(rules, None, records)
        if d.span.path == case.name and d.name in (case.stem, "unused-ignore")
    }
    assert found == _expected(case)
