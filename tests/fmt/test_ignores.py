"""`# syncrules: ignore[…]` silences findings on its own line: after fmt, every lint case
reports exactly what it reported before (an ignore left behind would both let its finding
through and be reported as unused)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from engine.check.resolve import check_rules
from engine.fmt import format_source
from engine.lint.runner import lint
from engine.loader import load_text
from tests.conftest import ROOT

LINT_CASES = sorted((ROOT / "tests" / "lint" / "cases").glob("*.sync"))
WITH_IGNORES = [p for p in LINT_CASES if "syncrules: ignore" in p.read_text(encoding="utf-8")]


def _findings(text: str, path: Path) -> Counter[tuple[str, str, str]]:
    rules = check_rules(load_text(text, str(path)))
    return Counter((d.code, d.name, d.message) for d in lint(rules))


def test_there_are_lint_cases_with_ignores() -> None:
    assert len(WITH_IGNORES) >= 3


@pytest.mark.parametrize("case", LINT_CASES, ids=lambda p: p.stem)
def test_formatting_changes_no_lint_finding(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    formatted = format_source(text, str(case)).text
    assert formatted is not None
    assert _findings(formatted, case) == _findings(text, case)
