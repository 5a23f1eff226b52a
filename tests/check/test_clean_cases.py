"""Rule files that must check clean: one per construct of SPEC §1 (and §6), plus every
example of the specification together in `cases/spec-examples.sync`.

Helper files that cases include live in `cases/included/` and are not cases themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.render import text

CASES = sorted((Path(__file__).parent / "cases").glob("*.sync"))


def test_there_are_clean_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_clean_case(case: Path) -> None:
    rules = api.check([str(case)])
    # the rendered text makes a failure readable; the assertion is the pinned one
    assert rules.diagnostics == (), text.diagnostics(rules.diagnostics, rules.sources)
