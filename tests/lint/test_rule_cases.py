"""Every lint rule against its case file: `tests/lint/cases/<rule-name>.sync` marks each
expected finding with `# expect: <rule-name>` on the line the finding points at; the set
of (line, rule) pairs the linter reports for that rule must equal the marked set. A case
file may also hold lines that must NOT trigger (no mark) and suppressed lines
(`# syncrules: ignore[<rule-name>]`), which must not be reported either."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api
from engine.lint.registry import load_rules
from engine.lint.runner import lint

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


# data-aware rules run only with records: tests/lint/test_data_aware.py covers them
@pytest.mark.parametrize("name", [n for n in RULE_NAMES if n not in DATA_AWARE])
def test_every_rule_has_a_case_file(name: str) -> None:
    assert (CASES / f"{name}.sync").exists()


def test_every_data_aware_rule_has_dedicated_tests() -> None:
    text = (Path(__file__).parent / "test_data_aware.py").read_text(encoding="utf-8")
    assert all(name in text for name in DATA_AWARE), sorted(DATA_AWARE)


@pytest.mark.parametrize("case", sorted(CASES.glob("*.sync")), ids=lambda p: p.stem)
def test_rule_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    rules = api.check([case.name])
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    # only this rule (and unused ignores): a case file tests one rule, so other rules'
    # findings in it are not this test's business
    found = {
        (d.span.line, d.name)
        for d in lint(rules)
        if d.span.path == case.name and d.name in (case.stem, "unused-ignore")
    }
    assert found == _expected(case)
