"""The shipped examples: the Acme sample org's rule tests pass, and the full example of
docs/rule-tests.md prints exactly the output the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.ruletest import Status, render_text, run_tests
from engine.ruletest.coverage import Kind

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rule-tests.md"


def test_the_acme_tests_all_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run = run_tests(["samples/acme/tests"], None)
    assert [r.test.name for r in run.results if r.status is not Status.PASSED] == []
    assert len(run.results) == 8
    assert render_text(run).splitlines()[-1] == "8 passed, 0 failed"
    [rule_set] = run.coverage.rule_sets
    assert rule_set.rules == ("samples/acme/rules",)
    exercised = {(i.kind, i.name) for i in rule_set.items if i.exercised}
    stages = ("Engaged", "MQL", "SAL", "SQL", "Customer", "Recycled")
    assert {(Kind.STAGE, s) for s in stages} <= exercised
    assert {(Kind.SHARE, "lead"), (Kind.SHARE, "contact")} <= exercised
    assert (Kind.VALIDATION, "Lead_Phone_Format") in exercised
    assert {(Kind.MAPPING, m) for m in ("utm_source", "region", "score_tier", "employees")} <= (
        exercised
    )


def _block(language: str, first_line: str) -> str:
    """The fenced block of the page whose first line is `first_line`."""
    for body in re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if body.startswith(first_line + "\n"):
            return str(body)
    raise AssertionError(f"no ```{language} block starting {first_line!r} in {DOC}")


def test_the_full_example_of_the_docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "rules" / "mql.sync").write_text(_block("sync", "# rules/mql.sync"))
    (tmp_path / "tests" / "mql_test.yaml").write_text(_block("yaml", "# tests/mql_test.yaml"))
    monkeypatch.chdir(tmp_path)
    shown = _block("text", "$ syncrules test tests/ --coverage")
    run = run_tests(["tests/"], None)
    assert run.failed == 1
    assert render_text(run, with_coverage=True) == shown.split("\n", 1)[1]
