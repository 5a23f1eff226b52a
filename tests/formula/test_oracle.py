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
    """Equal values of the same JSON type: `True` is not `1`, nor `"1"` 1."""
    if isinstance(theirs, dict) and "error" in theirs:
        return isinstance(ours, dict) and "error" in ours
    if theirs is None and ours == "":
        return True  # a blank text: "" here, null there
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return type(ours) is type(theirs) and ours == theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        # one JSON number type: our decimals come out as floats, whole results may be ints
        return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12)
    return type(ours) is type(theirs) and bool(ours == theirs)


def test_same_compares_types_too() -> None:
    assert _same(True, True)
    assert not _same(True, 1)
    assert not _same(1.0, True)
    assert not _same(False, 0)
    assert not _same("1", 1)
    assert not _same(1.0, "1")
    assert not _same(None, False)
    assert _same(3.0, 3)
    assert _same("", None)
    assert not _same(None, "")  # a null here is not a blank text there
    assert _same({"error": True}, {"error": "#ERROR"})
    assert not _same(None, {"error": "#ERROR"})


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
