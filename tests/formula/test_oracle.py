"""Our evaluator against formulon's: tests/formula/oracle/expected.json, written by
generate.mjs from cases.json (see oracle/README.md). The suite needs no Node.

A case with `ours` is a documented difference: formulon departs from Salesforce (or from
SPEC §1) there, and the case pins what syncrules gives instead, with the reason."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.evaluate import EvalError
from tests.formula.helpers import run

ORACLE = Path(__file__).parent / "oracle"
CASES = json.loads((ORACLE / "cases.json").read_text(encoding="utf-8"))["cases"]
EXPECTED = {
    r["id"]: r["result"]
    for r in json.loads((ORACLE / "expected.json").read_text(encoding="utf-8"))["results"]
}


def test_every_case_has_an_oracle_result() -> None:
    assert sorted(EXPECTED) == sorted(c["id"] for c in CASES)


def _plain(value: Any) -> Any:
    """Our value in the oracle's JSON terms."""
    if isinstance(value, EvalError):
        return {"error": True}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, dict) and "error" in theirs:
        return isinstance(ours, dict) and "error" in ours
    if (
        isinstance(ours, float)
        and isinstance(theirs, (int, float))
        and not isinstance(theirs, bool)
    ):
        return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12)
    if theirs is None and ours == "":
        return True  # a blank text: "" here, null there
    return bool(ours == theirs and type(ours) is type(theirs)) or ours == theirs


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    ours = _plain(run(case["formula"], case.get("vars")))
    if "ours" in case:
        assert case["why"], "a difference from formulon needs its reason"
        assert _same(ours, case["ours"]), (ours, case["ours"])
        return
    theirs = EXPECTED[case["id"]]
    assert "error" not in theirs, f"formulon failed: {theirs}; document it with `ours`"
    assert _same(ours, theirs["value"]), (ours, theirs["value"])
